//! Fixtures the crate's unit tests share.

use std::collections::BTreeMap;

/// An encryption context from `(key, value)` pairs.
pub fn ctx(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}
