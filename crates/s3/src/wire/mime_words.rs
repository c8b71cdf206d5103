//! User-metadata values and RFC 2047 "encoded words", as S3 treats them (user guide, "Working
//! with object metadata"): a value sent as encoded words (`=?UTF-8?B?w6k=?=`) is decoded before
//! it is stored, and a stored value holding anything but US-ASCII is returned as one
//! base64 encoded word of its UTF-8 bytes, so that response headers stay ASCII. Pure ASCII
//! values travel as they are.

use base64::Engine;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// The value to store for a metadata header as sent: its encoded words decoded, else the
/// value itself (raw bytes read as UTF-8).
pub fn decode(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    decode_words(&text).unwrap_or_else(|| text.into_owned())
}

/// The header value of a stored metadata value.
pub fn encode(value: &str) -> String {
    if value.is_ascii() {
        value.to_string()
    } else {
        format!("=?UTF-8?B?{}?=", B64.encode(value.as_bytes()))
    }
}

/// A value made only of encoded words (whitespace between them is dropped, as RFC 2047
/// says), decoded; `None` when it is anything else or a word does not decode.
fn decode_words(text: &str) -> Option<String> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    if !rest.starts_with("=?") {
        return None;
    }
    while !rest.is_empty() {
        let word = rest.strip_prefix("=?")?;
        let (charset, word) = word.split_once('?')?;
        let (encoding, word) = word.split_once('?')?;
        let (payload, after) = word.split_once("?=")?;
        let bytes = match encoding {
            "B" | "b" => B64.decode(payload).ok()?,
            "Q" | "q" => q_decode(payload)?,
            _ => return None,
        };
        match charset.to_ascii_uppercase().as_str() {
            "UTF-8" | "US-ASCII" => out.extend(bytes),
            "ISO-8859-1" | "LATIN1" => {
                out.extend(bytes.iter().map(|&b| b as char).collect::<String>().bytes());
            }
            _ => return None,
        }
        rest = after.trim_start();
    }
    String::from_utf8(out).ok()
}

/// The "Q" encoding: `_` is a space, `=XX` a byte in hex.
fn q_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'_' => out.push(b' '),
            b'=' => {
                let hex = [bytes.next()?, bytes.next()?];
                out.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
            }
            b => out.push(b),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        assert_eq!(decode(b"plain value"), "plain value");
        assert_eq!(encode("plain value"), "plain value");
        assert_eq!(decode("Hello World\u{e9}".as_bytes()), "Hello World\u{e9}");
        assert_eq!(
            encode("Hello World\u{e9}"),
            "=?UTF-8?B?SGVsbG8gV29ybGTDqQ==?="
        );
        assert_eq!(
            decode(b"=?UTF-8?B?SGVsbG8gV29ybGTDqQ==?="),
            "Hello World\u{e9}"
        );
        assert_eq!(
            decode(b"=?utf-8?q?caf=C3=A9_au_lait?="),
            "caf\u{e9} au lait"
        );
        assert_eq!(decode(b"=?ISO-8859-1?Q?caf=E9?="), "caf\u{e9}");
        assert_eq!(decode(b"=?UTF-8?B?YQ==?= =?UTF-8?B?Yg==?="), "ab");
        // Not encoded words: kept as sent.
        for raw in [
            "=?oops",
            "=?UTF-8?X?abc?=",
            "=?UTF-8?B?abc?= tail",
            "a =?UTF-8?B?YQ==?=",
        ] {
            assert_eq!(decode(raw.as_bytes()), raw);
        }
    }
}
