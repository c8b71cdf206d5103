//! A memo of decoded rows: for each id, the value its stored text last decoded to, reused
//! while the text read is byte for byte the same. Keyed by the text itself, it can never
//! return a stale value, so it needs no invalidation when rows change. For rows read on every
//! call and changed rarely (a bucket's settings, a KMS key's metadata), whose JSON decoding
//! cost more than the read.

use std::collections::HashMap;
use std::sync::Mutex;

/// Decoded values by id, at most `capacity` of them (all dropped when full, which only costs
/// decoding again).
pub struct DecodeMemo<T> {
    entries: Mutex<HashMap<String, (String, T)>>,
    capacity: usize,
}

impl<T: Clone> DecodeMemo<T> {
    /// An empty memo holding up to `capacity` ids.
    pub fn new(capacity: usize) -> Self {
        DecodeMemo {
            entries: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    /// What `text`, stored for `id`, decodes to: the memo's copy if `id` last had this very
    /// text, else `decode(text)` (remembered when it succeeds).
    pub fn decode<E>(
        &self,
        id: &str,
        text: &str,
        decode: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<T, E> {
        let lock = || self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((known, value)) = lock().get(id) {
            if known == text {
                return Ok(value.clone());
            }
        }
        let value = decode(text)?;
        let mut entries = lock();
        if entries.len() >= self.capacity && !entries.contains_key(id) {
            entries.clear();
        }
        entries.insert(id.to_string(), (text.to_string(), value.clone()));
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<u32, std::num::ParseIntError> {
        text.parse()
    }

    #[test]
    fn decodes_again_only_when_the_text_changes() {
        let memo = DecodeMemo::new(2);
        let mut calls = 0;
        let mut counted = |t: &str| {
            calls += 1;
            parse(t)
        };
        assert_eq!(memo.decode("a", "1", &mut counted), Ok(1));
        assert_eq!(memo.decode("a", "1", &mut counted), Ok(1));
        assert_eq!(memo.decode("a", "2", &mut counted), Ok(2));
        assert_eq!(memo.decode("b", "1", &mut counted), Ok(1));
        assert_eq!(calls, 3);
    }

    #[test]
    fn failures_are_not_remembered_and_capacity_is_kept() {
        let memo = DecodeMemo::new(2);
        assert!(memo.decode("a", "x", parse).is_err());
        for (i, id) in ["a", "b", "c", "d"].iter().enumerate() {
            assert_eq!(memo.decode(id, &i.to_string(), parse), Ok(i as u32));
        }
        assert!(memo.entries.lock().unwrap().len() <= 2);
    }
}
