//! Where a server keeps its state — the embedded store in its data dir, or a PostgreSQL
//! database several servers share (ARCHITECTURE.md §3) — and where its root key comes from.

use std::path::{Path, PathBuf};

/// Where the metadata and blobs live.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Database {
    /// SQLite and blob files in the data dir.
    #[default]
    Embedded,
    /// A PostgreSQL database (`postgres://…`) with this many reader connections (the writer
    /// has one more).
    Postgres { url: String, readers: usize },
}

/// The default number of reader connections to PostgreSQL.
pub const DEFAULT_DATABASE_READERS: usize = 8;

/// Where the root key comes from.
#[derive(Clone, Default)]
pub enum RootKeySource {
    /// `root.key` in the data dir, created at first start.
    #[default]
    DataDir,
    /// A file holding the 32 key bytes, or 64 hexadecimal digits (a line of text).
    File(PathBuf),
    /// The key itself: 64 hexadecimal digits (for instance from a secret store's variable).
    Hex(zeroize::Zeroizing<String>),
}

/// Never the key itself.
impl std::fmt::Debug for RootKeySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RootKeySource::DataDir => f.write_str("DataDir"),
            RootKeySource::File(p) => write!(f, "File({})", p.display()),
            RootKeySource::Hex(_) => f.write_str("Hex(..)"),
        }
    }
}

impl RootKeySource {
    /// Loads the key.
    pub fn load(&self, data_dir: &Path) -> Result<trailstack_store::RootKey, String> {
        use trailstack_store::RootKey;
        let from_hex = |text: &str| -> Result<RootKey, String> {
            let bytes = zeroize::Zeroizing::new(
                hex::decode(text.trim())
                    .map_err(|_| "a root key is 32 bytes or 64 hexadecimal digits".to_string())?,
            );
            RootKey::from_bytes(&bytes).map_err(|e| e.to_string())
        };
        match self {
            RootKeySource::DataDir => RootKey::load_or_create(data_dir).map_err(|e| e.to_string()),
            RootKeySource::Hex(text) => from_hex(text),
            RootKeySource::File(path) => {
                let bytes = zeroize::Zeroizing::new(
                    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?,
                );
                match std::str::from_utf8(&bytes) {
                    Ok(text) if bytes.len() != 32 => from_hex(text),
                    _ => RootKey::from_bytes(&bytes).map_err(|e| e.to_string()),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealed_by(source: &RootKeySource, dir: &Path) -> Vec<u8> {
        source.load(dir).unwrap().seal("t", b"x").unwrap()
    }

    #[test]
    fn a_root_key_comes_from_a_file_of_bytes_or_hex_or_from_hex_text() {
        let dir = tempfile::tempdir().unwrap();
        let key = [7u8; 32];
        let raw = dir.path().join("raw.key");
        std::fs::write(&raw, key).unwrap();
        let hexed = dir.path().join("hex.key");
        std::fs::write(&hexed, format!("{}\n", hex::encode(key))).unwrap();
        let sealed = sealed_by(&RootKeySource::File(raw), dir.path());
        // Each source gives the same key: what one seals, the others open.
        for other in [
            RootKeySource::File(hexed),
            RootKeySource::Hex(hex::encode(key).into()),
        ] {
            other.load(dir.path()).unwrap().open("t", &sealed).unwrap();
        }
        let fresh = RootKeySource::DataDir;
        let first = sealed_by(&fresh, dir.path());
        fresh.load(dir.path()).unwrap().open("t", &first).unwrap();
        assert!(fresh.load(dir.path()).unwrap().open("t", &sealed).is_err());
    }

    #[test]
    fn a_root_key_of_the_wrong_size_or_shape_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let short = dir.path().join("short.key");
        std::fs::write(&short, [1u8; 31]).unwrap();
        for bad in [
            RootKeySource::File(short),
            RootKeySource::File(dir.path().join("missing")),
            RootKeySource::Hex("00ff".to_string().into()),
            RootKeySource::Hex("zz".repeat(32).into()),
        ] {
            assert!(bad.load(dir.path()).is_err(), "{bad:?}");
        }
    }
}
