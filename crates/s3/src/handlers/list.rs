//! Listing: ListObjects (v1), ListObjectsV2 and ListObjectVersions, with prefix, delimiter and
//! common prefixes, paging by marker or continuation token, in UTF-8 byte order.

use super::owned_bucket;
use crate::checksum::{b64, unb64};
use crate::error::{S3Error, S3Result};
use crate::model::listing::{self as objects_listing, ListedObject, ListedRow};
use crate::model::objects;
use crate::op::{
    ListObjectsInput, ListObjectsOutput, ListVersionsInput, ListVersionsOutput, Output,
};
use crate::S3;
use trailstack_core::Caller;
use trailstack_store::Conn as Connection;

/// Rows read per query of a version listing.
const BATCH: usize = 1000;

/// Where a key falls in a delimited listing: the common prefix that rolls it up, if any.
fn common_prefix<'a>(key: &'a [u8], prefix: &[u8], delimiter: Option<&[u8]>) -> Option<&'a [u8]> {
    let d = delimiter.filter(|d| !d.is_empty())?;
    let rest = key.get(prefix.len()..)?;
    let pos = rest.windows(d.len()).position(|w| w == d)?;
    key.get(..prefix.len() + pos + d.len())
}

/// The position just past every key that starts with `cp` (no UTF-8 key contains 0xFF).
fn past(cp: &[u8]) -> Vec<u8> {
    let mut v = cp.to_vec();
    v.push(0xFF);
    v
}

/// Where a marker puts the listing cursor: past the marker, or past its whole common prefix.
fn cursor_for_marker(marker: &[u8], prefix: &[u8], delimiter: Option<&[u8]>) -> Vec<u8> {
    match common_prefix(marker, prefix, delimiter) {
        Some(cp) if marker.starts_with(prefix) => past(cp),
        _ => marker.to_vec(),
    }
}

fn bad_token(t: &str) -> S3Error {
    S3Error::InvalidArgument {
        message: "The continuation token provided is incorrect".into(),
        name: "continuation-token".into(),
        value: t.to_string(),
    }
}

fn check_max(n: usize) -> usize {
    n.min(1000)
}

/// One page of a delimited scan: objects, common prefixes, whether more follow, and where to
/// resume.
struct Page {
    contents: Vec<ListedRow>,
    prefixes: Vec<String>,
    truncated: bool,
    resume: Vec<u8>,
}

/// What the last row a scan query took was: an object (the cursor moves to its key) or a key
/// a common prefix rolls up (the cursor moves past the prefix).
enum Last {
    Object,
    Prefix(Vec<u8>),
}

/// Scans current objects from `cursor`, folding keys into common prefixes, until `max` entries
/// are taken. Returns the entries, prefixes, whether more follow, and the resume cursor. Each
/// query asks for one row more than the page still needs (to tell whether more follow) and
/// stops at the first key a common prefix rolls up, to continue past that prefix. Owners are
/// read only when the listing shows them.
fn scan(
    c: &Connection,
    bucket: &str,
    (prefix, delimiter): (&[u8], Option<&[u8]>),
    mut cursor: Vec<u8>,
    max: usize,
    owners: bool,
) -> S3Result<Page> {
    let (mut contents, mut prefixes) = (Vec::new(), Vec::<String>::new());
    loop {
        let limit = max - (contents.len() + prefixes.len()) + 1;
        let (mut seen, mut full) = (0, false);
        let mut last = None;
        let range = (prefix, cursor.as_slice());
        objects_listing::scan_latest(c, bucket, range, limit, owners, |row| {
            seen += 1;
            if contents.len() + prefixes.len() == max {
                full = true;
                return Ok(false);
            }
            if let Some(cp) = common_prefix(&row.key, prefix, delimiter) {
                prefixes.push(String::from_utf8_lossy(cp).into_owned());
                last = Some(Last::Prefix(past(cp)));
                return Ok(false);
            }
            last = Some(Last::Object);
            contents.push(row);
            Ok(true)
        })?;
        let jumped = matches!(last, Some(Last::Prefix(_)));
        match last {
            Some(Last::Prefix(next)) => cursor = next,
            Some(Last::Object) => {
                if let Some(o) = contents.last() {
                    cursor.clear();
                    cursor.extend_from_slice(&o.key);
                }
            }
            None => {}
        }
        if full || (!jumped && seen < limit) {
            return Ok(Page {
                contents,
                prefixes,
                truncated: full,
                resume: cursor,
            });
        }
    }
}

/// ListObjects (v1) and ListObjectsV2.
pub async fn list_objects(s3: &S3, caller: &Caller, input: ListObjectsInput) -> S3Result<Output> {
    let caller2 = caller.clone();
    s3.scan(move |c| {
        owned_bucket(c, &caller2, &input.bucket)?;
        let prefix = input.prefix.as_bytes();
        let delim = input.delimiter.as_deref().map(str::as_bytes);
        let cursor = match &input.continuation_token {
            // An empty token is no token: the listing starts at the beginning (and echoes it).
            Some(t) if input.v2 && !t.is_empty() => unb64(t)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| bad_token(t))?,
            _ => cursor_for_marker(input.start_after.as_bytes(), prefix, delim),
        };
        let max = check_max(input.max_keys);
        let Page {
            contents,
            prefixes: common_prefixes,
            truncated,
            resume,
        } = if max == 0 {
            Page {
                contents: Vec::new(),
                prefixes: Vec::new(),
                truncated: false,
                resume: cursor,
            }
        } else {
            scan(
                c,
                &input.bucket,
                (prefix, delim),
                cursor,
                max,
                input.fetch_owner,
            )?
        };
        let contents = objects_listing::listed(c, &input.bucket, contents)?;
        let next = if !truncated {
            None
        } else if input.v2 {
            Some(b64(&resume))
        } else if input.delimiter.is_some() {
            // v1 returns NextMarker only with a delimiter: the last key or prefix returned.
            let last_key = contents.last().map(|o: &ListedObject| o.key.clone());
            let last_prefix = common_prefixes.last().cloned();
            match (last_key, last_prefix) {
                (Some(k), Some(p)) => Some(if k > p { k } else { p }),
                (k, p) => k.or(p),
            }
        } else {
            None
        };
        Ok(Output::ObjectList(ListObjectsOutput {
            input,
            contents,
            common_prefixes,
            truncated,
            next,
        }))
    })
    .await
}

/// ListObjectVersions: keys ascending, each key's versions newest first.
pub async fn list_versions(s3: &S3, caller: &Caller, input: ListVersionsInput) -> S3Result<Output> {
    if !input.version_id_marker.is_empty() && input.key_marker.is_empty() {
        return Err(S3Error::InvalidArgument {
            message: "A version-id marker cannot be specified without a key marker.".into(),
            name: "version-id-marker".into(),
            value: input.version_id_marker.clone(),
        });
    }
    let caller2 = caller.clone();
    s3.scan(move |c| {
        owned_bucket(c, &caller2, &input.bucket)?;
        let prefix = input.prefix.as_bytes();
        let delim = input.delimiter.as_deref().map(str::as_bytes);
        let max = check_max(input.max_keys);
        let (mut cursor_key, mut cursor_seq) = (input.key_marker.as_bytes().to_vec(), None);
        if !input.version_id_marker.is_empty() {
            let marker = &input.version_id_marker;
            // The marker's version may have been deleted since the page that named it: its id
            // still says where it was. A deleted null version's place is unknown, so the key's
            // remaining versions are all listed again rather than any lost.
            let seq = match objects::version(c, &input.bucket, &input.key_marker, marker)? {
                Some(v) => Some(v.seq),
                None if marker == "null" => Some(i64::MAX),
                None => objects::seq_of_version_id(marker),
            };
            match seq {
                Some(s) => cursor_seq = Some(s),
                None => {
                    return Err(S3Error::InvalidArgument {
                        message: "Invalid version id specified".into(),
                        name: "version-id-marker".into(),
                        value: marker.clone(),
                    })
                }
            }
        } else {
            cursor_key = cursor_for_marker(&cursor_key, prefix, delim);
        }
        let mut out = ListVersionsOutput {
            input: input.clone(),
            ..Default::default()
        };
        let mut last: Option<(String, String)> = None;
        'outer: loop {
            if max == 0 {
                break;
            }
            let batch =
                objects::scan_versions(c, &input.bucket, prefix, &cursor_key, cursor_seq, BATCH)?;
            if batch.is_empty() {
                break;
            }
            let full = batch.len() == BATCH;
            for v in batch {
                let key = v.key.as_bytes().to_vec();
                if let Some(cp) = common_prefix(&key, prefix, delim) {
                    if out.versions.len() + out.common_prefixes.len() == max {
                        out.truncated = true;
                        break 'outer;
                    }
                    let cp_s = String::from_utf8_lossy(cp).into_owned();
                    out.common_prefixes.push(cp_s.clone());
                    last = Some((cp_s, String::new()));
                    cursor_key = past(cp);
                    cursor_seq = None;
                    continue 'outer;
                }
                if out.versions.len() + out.common_prefixes.len() == max {
                    out.truncated = true;
                    break 'outer;
                }
                cursor_key = key;
                cursor_seq = Some(v.seq);
                last = Some((v.key.clone(), v.version_id.clone()));
                out.versions.push(v);
            }
            if !full {
                break;
            }
        }
        if out.truncated {
            out.next = last;
        }
        Ok(Output::VersionList(out))
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_prefixes() {
        assert_eq!(
            common_prefix(b"a/b/c", b"a/", Some(b"/")),
            Some(&b"a/b/"[..])
        );
        assert_eq!(common_prefix(b"a/b", b"a/", Some(b"/")), None);
        assert_eq!(common_prefix(b"a/b", b"", None), None);
        assert_eq!(
            common_prefix(b"xx--yy--z", b"", Some(b"--")),
            Some(&b"xx--"[..])
        );
    }
}
