//! Browser form uploads (POST Object): reading the `multipart/form-data` body up to its `file`
//! field and building the [`Op::PostObject`]. The signed POST policy is checked in
//! `post_policy`; the whole flow, with the signature over the policy checked by the server edge
//! (which owns credentials), is in `post_upload`.

use crate::checksum::Algorithm;
use crate::error::{S3Error, S3Result};
use crate::model::objects::ObjectMeta;
use crate::op::{NewObject, Op, Payload, PostInput};
use futures_util::StreamExt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use trailstack_core::{BodyError, BodyErrorKind, BodyFrame, BodyStream};

pub use super::post_policy::{check_policy, LengthRange};

/// Largest total size of the form fields before the file.
const MAX_FIELDS: usize = 64 * 1024;
/// Most body bytes read before the file field starts: the fields (at most [`MAX_FIELDS`]) with
/// their part headers and boundaries, and the network frame that carried the file's first
/// bytes. Without it the multipart reader would buffer a field value, part headers or a
/// preamble that never end, or endless empty fields, before any other limit could apply.
const MAX_BEFORE_FILE: u64 = 1024 * 1024;

/// A form read up to its file: the fields (names lower-cased, in order), the file's name and
/// the file's bytes still streaming.
pub struct PostForm {
    /// Fields before `file`.
    pub fields: Vec<(String, String)>,
    /// The file part's filename, for `${filename}` in the key.
    pub filename: String,
    /// The file's bytes.
    pub file: BodyStream,
}

impl PostForm {
    /// A field's value (names are case-insensitive).
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The object key: the `key` field with `${filename}` replaced by the file's name.
    pub fn key(&self) -> Option<String> {
        self.field("key")
            .map(|k| k.replace("${filename}", &self.filename))
    }
}

fn malformed(msg: impl Into<String>) -> S3Error {
    S3Error::InvalidArgument {
        message: msg.into(),
        name: "Content-Type".into(),
        value: "multipart/form-data".into(),
    }
}

/// S3's error for fields before the file that are too large, having read `read` bytes.
fn fields_too_large(read: u64) -> S3Error {
    S3Error::InvalidArgument {
        message: "Your POST request fields preceding the upload file were too large.".into(),
        name: "form".into(),
        value: read.to_string(),
    }
}

/// Reads the form fields of a POST Object body up to the `file` field, reading at most
/// [`MAX_BEFORE_FILE`] bytes before it.
pub async fn read_form(body: BodyStream, content_type: &str) -> S3Result<PostForm> {
    let boundary = multer::parse_boundary(content_type)
        .map_err(|_| malformed("Invalid multipart/form-data boundary"))?;
    // Counts what the multipart reader takes until the file field is found; past the bound
    // the reader gets an error, which `failed` turns into S3's.
    let at_file = Arc::new(AtomicBool::new(false));
    let over = Arc::new(AtomicU64::new(0));
    let (at_file_seen, over_set) = (at_file.clone(), over.clone());
    let mut read = 0u64;
    let bytes = body
        .filter_map(|f| async move {
            match f {
                Ok(BodyFrame::Data(d)) => Some(Ok::<_, BodyError>(d)),
                Ok(BodyFrame::Trailers(_)) => None,
                Err(e) => Some(Err(e)),
            }
        })
        .map(move |item| {
            if let Ok(d) = &item {
                read += d.len() as u64;
                if read > MAX_BEFORE_FILE && !at_file_seen.load(Ordering::Relaxed) {
                    over_set.store(read, Ordering::Relaxed);
                    return Err(BodyError::new(
                        BodyErrorKind::TooLarge,
                        "form fields too large",
                    ));
                }
            }
            item
        });
    let failed = |e: multer::Error| match over.load(Ordering::Relaxed) {
        0 => malformed(format!("Malformed form: {e}")),
        read => fields_too_large(read),
    };
    let mut form = multer::Multipart::new(bytes, boundary);
    let mut fields = Vec::new();
    let mut total = 0;
    loop {
        let field = form.next_field().await.map_err(failed)?;
        let Some(field) = field else {
            return Err(S3Error::InvalidArgument {
                message: "POST requires exactly one file upload per request.".into(),
                name: "file".into(),
                value: "0".into(),
            });
        };
        let name = field.name().unwrap_or_default().to_ascii_lowercase();
        if name == "file" {
            at_file.store(true, Ordering::Relaxed);
            let filename = field.file_name().unwrap_or_default().to_string();
            let file = field.map(|r| {
                r.map(BodyFrame::Data)
                    .map_err(|e| BodyError::new(BodyErrorKind::Incomplete, e.to_string()))
            });
            // Fields after the file are ignored, as S3 does.
            return Ok(PostForm {
                fields,
                filename,
                file: Box::pin(file),
            });
        }
        let value = field.text().await.map_err(failed)?;
        total += name.len() + value.len();
        if total > MAX_FIELDS {
            return Err(fields_too_large(total as u64));
        }
        fields.push((name, value));
    }
}

/// The form's server-side encryption fields, as the headers of a PUT would carry them.
/// The form fields whose names start with `prefix`, as the headers they stand for.
fn fields_as_headers(form: &PostForm, prefix: &str) -> http::HeaderMap {
    let mut h = http::HeaderMap::new();
    for (k, v) in &form.fields {
        let name = k.to_ascii_lowercase();
        if name.starts_with(prefix) {
            if let (Ok(n), Ok(v)) = (
                http::HeaderName::from_bytes(name.as_bytes()),
                http::HeaderValue::from_str(v),
            ) {
                h.insert(n, v);
            }
        }
    }
    h
}

/// Builds the PostObject operation from a form whose policy has been checked.
pub fn into_op(bucket: String, form: PostForm, length_range: LengthRange) -> S3Result<Op> {
    let key = form.key().ok_or_else(|| S3Error::InvalidArgument {
        message: "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.".into(),
        name: "key".into(),
        value: String::new(),
    })?;
    let status = match form.field("success_action_status") {
        Some("200") => 200,
        Some("201") => 201,
        _ => 204,
    };
    let redirect = form
        .field("success_action_redirect")
        .or(form.field("redirect"))
        .map(str::to_string);
    let tags = match form.field("tagging") {
        Some(xml) => super::xml_in::tagging(xml.as_bytes())?,
        None => Vec::new(),
    };
    let get = |n: &str| form.field(n).map(str::to_string);
    let user = form
        .fields
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix("x-amz-meta-")
                .map(|n| (n.to_string(), super::mime_words::decode(v.as_bytes())))
        })
        .collect();
    let checksum = Algorithm::ALL
        .into_iter()
        .find_map(|a| get(a.header()).map(|v| (a, Some(v))));
    let new = NewObject {
        meta: ObjectMeta {
            content_type: get("content-type"),
            content_encoding: get("content-encoding"),
            content_disposition: get("content-disposition"),
            cache_control: get("cache-control"),
            expires: get("expires"),
            website_redirect: get("x-amz-website-redirect-location"),
            storage_class: get("x-amz-storage-class").filter(|s| s != "STANDARD"),
            user,
            tags,
            lock: super::lock::write_headers(&fields_as_headers(&form, "x-amz-object-lock-"))?,
            ..Default::default()
        },
        acl: get("acl"),
        grants: Vec::new(),
        sse: super::sse::request(&fields_as_headers(&form, "x-amz-server-side-encryption"))?,
        sse_rejected: None,
        writer: crate::sse::Writer::Form,
    };
    let content_md5 = get("content-md5");
    let upload = Payload {
        body: form.file,
        declared_len: None,
        content_md5,
        checksum,
    };
    Ok(Op::PostObject(PostInput {
        bucket,
        key,
        upload,
        new,
        success_status: status,
        redirect,
        length_range,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Bytes;

    static VALUE: [u8; 8192] = [b'k'; 8192];

    /// A body of `head`, then `filler` for ever; `read` counts the filler bytes taken. It panics
    /// past 64 MiB, which no bounded reader comes near.
    fn endless(head: &'static [u8], filler: &'static [u8], read: Arc<AtomicU64>) -> BodyStream {
        let first =
            futures_util::stream::once(
                async move { Ok(BodyFrame::Data(Bytes::from_static(head))) },
            );
        let rest = futures_util::stream::repeat_with(move || {
            let n = read.fetch_add(filler.len() as u64, Ordering::Relaxed);
            assert!(
                n < 64 << 20,
                "the form reader is still reading after 64 MiB"
            );
            Ok(BodyFrame::Data(Bytes::from_static(filler)))
        });
        Box::pin(first.chain(rest))
    }

    #[tokio::test]
    async fn what_precedes_the_file_is_read_within_a_bound() {
        let cases: [(&str, &[u8], &[u8]); 4] = [
            (
                "a field value that never ends",
                b"--B\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\n",
                &VALUE,
            ),
            (
                "part headers that never end",
                b"--B\r\nContent-Disposition: form-data; name=\"key\"\r\n",
                b"x-filler: y\r\n",
            ),
            ("a preamble that never reaches a boundary", b"", &VALUE),
            (
                "empty fields, which weigh nothing against the fields' limit",
                b"",
                b"--B\r\nContent-Disposition: form-data; name=\"\"\r\n\r\n\r\n",
            ),
        ];
        for (what, head, filler) in cases {
            let read = Arc::new(AtomicU64::new(0));
            let body = endless(head, filler, read.clone());
            let err = read_form(body, "multipart/form-data; boundary=B")
                .await
                .err()
                .unwrap_or_else(|| panic!("{what}: accepted"));
            assert!(
                matches!(&err, S3Error::InvalidArgument { message, .. } if message.contains("too large")),
                "{what}: {err:?}"
            );
            let n = read.load(Ordering::Relaxed);
            assert!(n <= 2 * MAX_BEFORE_FILE, "{what}: read {n} bytes");
        }
    }
}
