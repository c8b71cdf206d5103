//! Writing S3 XML documents: a small builder with S3's escaping and timestamp format, the
//! list documents (ListBuckets, ListObjects/V2, ListObjectVersions, ListMultipartUploads,
//! ListParts) and the CORS configuration.

use crate::model::buckets::{Grant, Owner};
use crate::model::objects::{ObjectMeta, ObjectVersion, StoredChecksum};
use crate::op::{ListObjectsOutput, ListPartsOutput, ListUploadsOutput, ListVersionsOutput};
use bytes::Bytes;

const NS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";

/// An XML document under construction.
pub struct Xml(String);

/// Escapes text for XML, including control characters S3 keys may hold.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

/// Which bytes XML text cannot hold as they are: markup characters and control characters.
const ESCAPED: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = true;
        b += 1;
    }
    t[0x7f] = true;
    t[b'&' as usize] = true;
    t[b'<' as usize] = true;
    t[b'>' as usize] = true;
    t[b'"' as usize] = true;
    t[b'\'' as usize] = true;
    t
};

/// Appends `s` escaped for XML: runs of bytes that need no escape are copied whole (every
/// byte that does is ASCII, so a run never splits a character).
fn escape_into(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    while let Some(at) = bytes[start..].iter().position(|&b| ESCAPED[usize::from(b)]) {
        let i = start + at;
        out.push_str(&s[start..i]);
        match bytes[i] {
            b'&' => out.push_str("&amp;"),
            b'<' => out.push_str("&lt;"),
            b'>' => out.push_str("&gt;"),
            b'"' => out.push_str("&quot;"),
            b'\'' => out.push_str("&apos;"),
            b => {
                out.push_str("&#");
                push_number(out, u64::from(b), 1);
                out.push(';');
            }
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

/// Appends `n` in decimal, zero-padded to at least `width` digits.
fn push_number(out: &mut String, n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let (mut n, mut i) = (n, digits.len());
    while n > 0 || i == digits.len() {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    let i = i.min(digits.len() - width.min(digits.len()));
    // Only ASCII digits were written: the check cannot fail.
    out.push_str(std::str::from_utf8(&digits[i..]).unwrap_or_default());
}

impl Xml {
    /// Starts a document with root element `root` in the S3 namespace.
    pub fn new(root: &str) -> Xml {
        Xml(format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{root} xmlns=\"{NS}\">"
        ))
    }

    /// Starts a document whose root has no namespace (errors).
    pub fn bare(root: &str) -> Xml {
        Xml(format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{root}>"
        ))
    }

    /// Opens an element.
    pub fn open(&mut self, tag: &str) -> &mut Self {
        self.0.push('<');
        self.0.push_str(tag);
        self.0.push('>');
        self
    }

    /// Closes an element.
    pub fn close(&mut self, tag: &str) -> &mut Self {
        self.0.push_str("</");
        self.0.push_str(tag);
        self.0.push('>');
        self
    }

    /// Writes `<tag>text</tag>`.
    pub fn elem(&mut self, tag: &str, text: impl AsRef<str>) -> &mut Self {
        self.open(tag);
        escape_into(&mut self.0, text.as_ref());
        self.close(tag)
    }

    /// Writes the element only when there is a value.
    pub fn opt(&mut self, tag: &str, text: Option<impl AsRef<str>>) -> &mut Self {
        if let Some(t) = text {
            self.elem(tag, t);
        }
        self
    }

    /// Writes raw, already well-formed XML.
    pub fn raw(&mut self, xml: &str) -> &mut Self {
        self.0.push_str(xml);
        self
    }

    /// Closes the root and returns the bytes.
    pub fn finish(mut self, root: &str) -> Bytes {
        self.close(root);
        Bytes::from(self.0)
    }
}

/// S3's XML timestamp: ISO 8601 with milliseconds, UTC.
pub fn timestamp(ms: i64) -> String {
    let mut out = String::with_capacity(24);
    Timestamps::default().push(&mut out, ms);
    out
}

/// Milliseconds in a day.
const DAY_MS: i64 = 86_400_000;

/// Writes S3's XML timestamps, keeping the date of the last day written: the objects of a
/// listing mostly share a few days, and a date costs a calendar computation where the time of
/// day is arithmetic.
#[derive(Default)]
struct Timestamps {
    last: Option<(i64, String)>,
}

impl Timestamps {
    /// Appends the timestamp of `ms` (`2025-12-11T05:48:29.087Z`).
    fn push(&mut self, out: &mut String, ms: i64) {
        let (day, in_day) = (ms.div_euclid(DAY_MS), ms.rem_euclid(DAY_MS));
        match &self.last {
            Some((d, date)) if *d == day => out.push_str(date),
            _ => {
                let t = crate::model::from_ms(day * DAY_MS);
                let mut date = String::with_capacity(10);
                push_number(&mut date, t.year().max(0) as u64, 4);
                date.push('-');
                push_number(&mut date, u64::from(t.month() as u8), 2);
                date.push('-');
                push_number(&mut date, u64::from(t.day()), 2);
                out.push_str(&date);
                self.last = Some((day, date));
            }
        }
        let in_day = in_day as u64;
        let mut time = *b"T00:00:00.000Z";
        for (at, n) in [
            (1, in_day / 3_600_000),
            (4, in_day / 60_000 % 60),
            (7, in_day / 1_000 % 60),
        ] {
            time[at] = b'0' + (n / 10) as u8;
            time[at + 1] = b'0' + (n % 10) as u8;
        }
        let milli = in_day % 1_000;
        time[10] = b'0' + (milli / 100) as u8;
        time[11] = b'0' + (milli / 10 % 10) as u8;
        time[12] = b'0' + (milli % 10) as u8;
        // Only ASCII was written: the check cannot fail.
        out.push_str(std::str::from_utf8(&time).unwrap_or_default());
    }
}

/// Writes an `<Owner>` element.
pub fn owner(x: &mut Xml, tag: &str, o: &Owner) {
    x.open(tag)
        .elem("ID", &o.id)
        .elem("DisplayName", &o.display_name)
        .close(tag);
}

/// A `Grant` element as ACLs and logging's TargetGrants answer it: the grantee typed by
/// `xsi:type` (a group by its URI, anyone else by canonical id and display name), then the
/// permission.
pub fn grant(x: &mut Xml, g: &Grant) {
    x.open("Grant").raw(&format!(
        "<Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"{}\">",
        g.grantee_type
    ));
    if g.grantee_type == "Group" {
        x.elem("URI", &g.grantee);
    } else {
        x.elem("ID", &g.grantee);
        x.opt("DisplayName", g.display_name.as_ref());
    }
    x.close("Grantee")
        .elem("Permission", &g.permission)
        .close("Grant");
}

/// Percent-encodes a value for `encoding-type=url` responses.
pub fn url_encode(s: &str) -> String {
    const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~')
        .remove(b'/');
    percent_encoding::utf8_percent_encode(s, SET).to_string()
}

fn enc(s: &str, url: bool) -> std::borrow::Cow<'_, str> {
    if url {
        url_encode(s).into()
    } else {
        s.into()
    }
}

/// The storage class shown in listings.
fn storage_class(o: &ObjectVersion) -> &str {
    o.meta.storage_class.as_deref().unwrap_or("STANDARD")
}

fn checksum_algorithm(x: &mut Xml, c: &Option<StoredChecksum>) {
    if let Some(c) = c {
        x.elem("ChecksumAlgorithm", &c.algorithm);
        x.elem("ChecksumType", &c.kind);
    }
}

/// A listing's `CommonPrefixes`, encoded as the listing asks.
fn common_prefixes(x: &mut Xml, prefixes: &[String], url: bool) {
    for p in prefixes {
        x.open("CommonPrefixes")
            .elem("Prefix", enc(p, url))
            .close("CommonPrefixes");
    }
}

/// A listing's echoed `Delimiter` (encoded as the keys are) and its `EncodingType`.
fn delimiter_and_encoding(x: &mut Xml, delimiter: Option<&str>, url: bool) {
    x.opt("Delimiter", delimiter.map(|d| enc(d, url)));
    if url {
        x.elem("EncodingType", "url");
    }
}

/// A multipart upload's `Initiator` and `Owner` (both the upload's owner) and `StorageClass`,
/// as ListMultipartUploads and ListParts show them.
fn initiator_owner_class(x: &mut Xml, meta: &ObjectMeta) {
    owner(x, "Initiator", &meta.owner);
    owner(x, "Owner", &meta.owner);
    x.elem(
        "StorageClass",
        meta.storage_class.as_deref().unwrap_or("STANDARD"),
    );
}

/// ListObjects / ListObjectsV2.
pub fn object_list(out: &ListObjectsOutput) -> Bytes {
    let i = &out.input;
    let url = i.encode_url;
    let mut x = Xml::new("ListBucketResult");
    // ListObjects (v1) with encoding-type=url encodes keys, markers and the delimiter but not
    // the prefix it echoes (botocore, decoding what S3 encodes, leaves it alone); v2 encodes it.
    x.elem("Name", &i.bucket)
        .elem("Prefix", enc(&i.prefix, url && i.v2));
    if i.v2 {
        x.opt("ContinuationToken", i.continuation_token.as_ref());
        x.opt("NextContinuationToken", out.next.as_ref());
        x.elem(
            "KeyCount",
            (out.contents.len() + out.common_prefixes.len()).to_string(),
        );
        if !i.start_after.is_empty() {
            x.elem("StartAfter", enc(&i.start_after, url));
        }
    } else {
        x.elem("Marker", enc(&i.start_after, url));
        x.opt("NextMarker", out.next.as_deref().map(|m| enc(m, url)));
    }
    x.elem("MaxKeys", i.max_keys.to_string());
    delimiter_and_encoding(&mut x, i.delimiter.as_deref(), url);
    x.elem("IsTruncated", out.truncated.to_string());
    // Each entry is written straight into the document: about 300 bytes, no string of its own.
    x.0.reserve(out.contents.len() * 320);
    let mut times = Timestamps::default();
    for o in &out.contents {
        x.open("Contents").elem("Key", enc(&o.key, url));
        x.open("LastModified");
        times.push(&mut x.0, o.last_modified_ms);
        x.close("LastModified").open("ETag").raw("&quot;");
        escape_into(&mut x.0, &o.etag);
        x.raw("&quot;").close("ETag");
        if let Some(c) = &o.checksum {
            x.elem("ChecksumAlgorithm", &c.algorithm);
            x.elem("ChecksumType", &c.kind);
        }
        x.open("Size");
        push_number(&mut x.0, o.size, 1);
        x.close("Size").elem(
            "StorageClass",
            o.storage_class.as_deref().unwrap_or("STANDARD"),
        );
        if let (true, Some(o)) = (i.fetch_owner, &o.owner) {
            owner(&mut x, "Owner", o);
        }
        x.close("Contents");
    }
    common_prefixes(&mut x, &out.common_prefixes, url);
    x.finish("ListBucketResult")
}

/// ListObjectVersions.
pub fn version_list(out: &ListVersionsOutput) -> Bytes {
    let i = &out.input;
    let url = i.encode_url;
    let mut x = Xml::new("ListVersionsResult");
    x.elem("Name", &i.bucket)
        .elem("Prefix", enc(&i.prefix, url))
        .elem("KeyMarker", enc(&i.key_marker, url))
        .elem("VersionIdMarker", &i.version_id_marker);
    if let Some((k, v)) = &out.next {
        x.elem("NextKeyMarker", enc(k, url));
        if !v.is_empty() {
            x.elem("NextVersionIdMarker", v);
        }
    }
    x.elem("MaxKeys", i.max_keys.to_string());
    delimiter_and_encoding(&mut x, i.delimiter.as_deref(), url);
    x.elem("IsTruncated", out.truncated.to_string());
    for v in &out.versions {
        let tag = if v.delete_marker {
            "DeleteMarker"
        } else {
            "Version"
        };
        x.open(tag)
            .elem("Key", enc(&v.key, url))
            .elem("VersionId", &v.version_id)
            .elem("IsLatest", v.is_latest.to_string())
            .elem("LastModified", timestamp(v.last_modified_ms));
        if !v.delete_marker {
            x.elem("ETag", format!("\"{}\"", v.etag));
            checksum_algorithm(&mut x, &v.meta.checksum);
            x.elem("Size", v.size.to_string())
                .elem("StorageClass", storage_class(v));
        }
        owner(&mut x, "Owner", &v.meta.owner);
        x.close(tag);
    }
    common_prefixes(&mut x, &out.common_prefixes, url);
    x.finish("ListVersionsResult")
}

/// ListMultipartUploads.
pub fn upload_list(out: &ListUploadsOutput) -> Bytes {
    let i = &out.input;
    let url = i.encode_url;
    let mut x = Xml::new("ListMultipartUploadsResult");
    x.elem("Bucket", &i.bucket)
        .elem("KeyMarker", enc(&i.key_marker, url))
        .elem("UploadIdMarker", &i.upload_id_marker);
    let (nk, nu) = out.next.clone().unwrap_or_default();
    x.elem("NextKeyMarker", enc(&nk, url))
        .elem("NextUploadIdMarker", nu);
    x.elem("Prefix", enc(&i.prefix, url));
    x.elem("MaxUploads", i.max_uploads.to_string());
    delimiter_and_encoding(&mut x, i.delimiter.as_deref(), url);
    x.elem("IsTruncated", out.truncated.to_string());
    for u in &out.uploads {
        x.open("Upload")
            .elem("Key", enc(&u.key, url))
            .elem("UploadId", &u.upload_id);
        initiator_owner_class(&mut x, &u.meta);
        x.elem("Initiated", timestamp(u.initiated_ms));
        checksum_algorithm(&mut x, &u.meta.checksum);
        x.close("Upload");
    }
    common_prefixes(&mut x, &out.common_prefixes, url);
    x.finish("ListMultipartUploadsResult")
}

/// ListParts.
pub fn part_list(out: &ListPartsOutput) -> Bytes {
    let u = &out.upload;
    let mut x = Xml::new("ListPartsResult");
    x.elem("Bucket", &u.bucket)
        .elem("Key", &u.key)
        .elem("UploadId", &u.upload_id);
    initiator_owner_class(&mut x, &u.meta);
    x.elem("PartNumberMarker", out.marker.to_string())
        .elem(
            "NextPartNumberMarker",
            out.next_marker.unwrap_or(0).to_string(),
        )
        .elem("MaxParts", out.max_parts.to_string())
        .elem("IsTruncated", out.truncated.to_string());
    checksum_algorithm(&mut x, &u.meta.checksum);
    for p in &out.parts {
        x.open("Part")
            .elem("PartNumber", p.part_number.to_string())
            .elem("LastModified", timestamp(p.last_modified_ms))
            .elem("ETag", format!("\"{}\"", p.etag))
            .elem("Size", p.size.to_string());
        if let (Some(c), Some(_)) = (&p.meta.checksum, &u.meta.checksum) {
            if let Some(a) = crate::checksum::Algorithm::parse(&c.algorithm) {
                x.elem(a.xml_name(), &c.value);
            }
        }
        x.close("Part");
    }
    x.finish("ListPartsResult")
}

/// GetBucketCors: the rules, each element in the order of S3's response syntax.
pub fn cors(rules: &[crate::cors::CorsRule]) -> Bytes {
    let mut x = Xml::new("CORSConfiguration");
    for r in rules {
        x.open("CORSRule");
        for h in &r.allowed_headers {
            x.elem("AllowedHeader", h);
        }
        for m in &r.allowed_methods {
            x.elem("AllowedMethod", m);
        }
        for o in &r.allowed_origins {
            x.elem("AllowedOrigin", o);
        }
        for h in &r.expose_headers {
            x.elem("ExposeHeader", h);
        }
        x.opt("ID", r.id.as_ref())
            .opt("MaxAgeSeconds", r.max_age_seconds.map(|n| n.to_string()));
        x.close("CORSRule");
    }
    x.finish("CORSConfiguration")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_times() {
        assert_eq!(escape("a<&>\"'\r"), "a&lt;&amp;&gt;&quot;&apos;&#13;");
        assert_eq!(escape("é<ü\u{1}x\u{7f}"), "é&lt;ü&#1;x&#127;");
        assert_eq!(escape("plain"), "plain");
        assert_eq!(timestamp(1_000), "1970-01-01T00:00:01.000Z");
        assert_eq!(timestamp(1_765_432_109_087), "2025-12-11T05:48:29.087Z");
        assert_eq!(timestamp(-1), "1969-12-31T23:59:59.999Z");
        // One writer, days changing and repeating: each date is the day's own.
        let mut times = Timestamps::default();
        let mut out = String::new();
        for ms in [
            951_782_400_000,
            951_868_799_999,
            951_868_800_000,
            951_782_400_001,
        ] {
            times.push(&mut out, ms);
            out.push(' ');
        }
        assert_eq!(
            out,
            "2000-02-29T00:00:00.000Z 2000-02-29T23:59:59.999Z 2000-03-01T00:00:00.000Z \
             2000-02-29T00:00:00.001Z "
        );
        assert_eq!(url_encode("a b/c+d"), "a%20b/c%2Bd");
    }
}
