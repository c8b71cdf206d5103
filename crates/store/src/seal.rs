//! The root key: 32 random bytes generated at first start into `<data dir>/root.key` (mode 0600)
//! that seal every secret trailstack keeps at rest — KMS key material, SSE-S3 keys — with
//! AES-256-GCM. A sealed value is bound to its purpose (as AAD), so a sealed key cannot be
//! swapped for another record's.
//!
//! Sealed format (NEVER CHANGE version 1): version byte (1), 12-byte nonce, ciphertext with tag.

use crate::StoreError;
use aws_lc_rs::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use std::path::Path;
use zeroize::Zeroizing;

const VERSION: u8 = 1;
const FILE: &str = "root.key";

/// The root key of a data dir.
pub struct RootKey(LessSafeKey);

impl std::fmt::Debug for RootKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RootKey(..)")
    }
}

impl RootKey {
    /// Loads `root.key` from `data_dir`, creating it (0600) on first start. Refuses a key file
    /// that other users can read.
    pub fn load_or_create(data_dir: &Path) -> Result<RootKey, StoreError> {
        let path = data_dir.join(FILE);
        let bytes: Zeroizing<Vec<u8>> = match std::fs::read(&path) {
            Ok(b) => {
                check_private(&path)?;
                Zeroizing::new(b)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = Zeroizing::new(vec![0u8; 32]);
                aws_lc_rs::rand::fill(&mut key)
                    .map_err(|_| StoreError::Corrupt("no randomness".into()))?;
                write_private(&path, &key)?;
                key
            }
            Err(e) => return Err(e.into()),
        };
        Self::from_bytes(&bytes)
    }

    /// A root key from its 32 bytes (for a user-supplied key).
    pub fn from_bytes(bytes: &[u8]) -> Result<RootKey, StoreError> {
        let unbound = UnboundKey::new(&AES_256_GCM, bytes)
            .map_err(|_| StoreError::Corrupt("root key must be 32 bytes".into()))?;
        Ok(RootKey(LessSafeKey::new(unbound)))
    }

    /// Seals `plaintext` for `purpose`.
    pub fn seal(&self, purpose: &str, plaintext: &[u8]) -> Result<Vec<u8>, StoreError> {
        let mut nonce = [0u8; NONCE_LEN];
        aws_lc_rs::rand::fill(&mut nonce)
            .map_err(|_| StoreError::Corrupt("no randomness".into()))?;
        let mut buf = plaintext.to_vec();
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(purpose.as_bytes()),
                &mut buf,
            )
            .map_err(|_| StoreError::Corrupt("sealing failed".into()))?;
        let mut out = Vec::with_capacity(1 + NONCE_LEN + buf.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&buf);
        Ok(out)
    }

    /// Opens a value sealed for `purpose`.
    pub fn open(&self, purpose: &str, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, StoreError> {
        let bad = || StoreError::Corrupt(format!("sealed value for {purpose} does not open"));
        if sealed.len() < 1 + NONCE_LEN || sealed[0] != VERSION {
            return Err(bad());
        }
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&sealed[1..1 + NONCE_LEN]);
        let mut buf = Zeroizing::new(sealed[1 + NONCE_LEN..].to_vec());
        let n = self
            .0
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(purpose.as_bytes()),
                &mut buf,
            )
            .map_err(|_| bad())?
            .len();
        buf.truncate(n);
        Ok(buf)
    }
}

#[cfg(unix)]
fn write_private(path: &Path, key: &[u8]) -> Result<(), StoreError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let tmp = path.with_extension("tmp");
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    f.write_all(key)?;
    f.sync_all()?;
    std::fs::rename(&tmp, path)?;
    if let Some(dir) = path.parent() {
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, key: &[u8]) -> Result<(), StoreError> {
    std::fs::write(path, key)?;
    Ok(())
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), StoreError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)?.permissions().mode();
    if mode & 0o077 != 0 {
        return Err(StoreError::Corrupt(format!(
            "{} is readable by other users (mode {:o}); run chmod 600 on it",
            path.display(),
            mode & 0o777
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_: &Path) -> Result<(), StoreError> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_persists() {
        let dir = tempfile::tempdir().unwrap();
        let k = RootKey::load_or_create(dir.path()).unwrap();
        let sealed = k.seal("kms:key1", b"secret material").unwrap();
        assert!(!sealed.windows(6).any(|w| w == b"secret"));
        let k2 = RootKey::load_or_create(dir.path()).unwrap();
        assert_eq!(
            &k2.open("kms:key1", &sealed).unwrap()[..],
            b"secret material"
        );
        assert!(k2.open("kms:key2", &sealed).is_err());
        let mut tampered = sealed.clone();
        tampered[20] ^= 1;
        assert!(k2.open("kms:key1", &tampered).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn refuses_world_readable_key() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        RootKey::load_or_create(dir.path()).unwrap();
        let p = dir.path().join(FILE);
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(RootKey::load_or_create(dir.path()).is_err());
    }
}
