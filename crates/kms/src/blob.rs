//! The ciphertext blob of symmetric KMS encryption: self-describing, so Decrypt needs no KeyId
//! and old ciphertexts decrypt after rotation.
//!
//! Format (NEVER CHANGE version 1): version byte (1), key-id length (u8), key id (ASCII),
//! material version (u32 big-endian), 12-byte nonce, AES-256-GCM ciphertext with its tag.

/// A parsed ciphertext blob.
#[derive(Debug, PartialEq, Eq)]
pub struct Blob {
    /// The key that encrypted it.
    pub key_id: String,
    /// Which material version of the key.
    pub version: u32,
    /// The GCM nonce.
    pub nonce: [u8; 12],
    /// Ciphertext and tag.
    pub sealed: Vec<u8>,
}

const VERSION: u8 = 1;

impl Blob {
    /// Encodes the blob.
    pub fn encode(&self) -> Vec<u8> {
        let id = self.key_id.as_bytes();
        let mut out = Vec::with_capacity(2 + id.len() + 4 + 12 + self.sealed.len());
        out.push(VERSION);
        out.push(id.len() as u8);
        out.extend_from_slice(id);
        out.extend_from_slice(&self.version.to_be_bytes());
        out.extend_from_slice(&self.nonce);
        out.extend_from_slice(&self.sealed);
        out
    }

    /// Parses a blob; None when it is not one of ours (InvalidCiphertextException).
    pub fn parse(b: &[u8]) -> Option<Blob> {
        let (&v, rest) = b.split_first()?;
        if v != VERSION {
            return None;
        }
        let (&n, rest) = rest.split_first()?;
        let id = rest.get(..n as usize)?;
        let rest = rest.get(n as usize..)?;
        let version = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?);
        let nonce: [u8; 12] = rest.get(4..16)?.try_into().ok()?;
        let sealed = rest.get(16..)?.to_vec();
        if sealed.len() < 16 {
            return None;
        }
        Some(Blob {
            key_id: String::from_utf8(id.to_vec()).ok()?,
            version,
            nonce,
            sealed,
        })
    }

    /// The id of the key that made a blob, read without copying it (for the audit record of
    /// a Decrypt that failed before the key was loaded).
    pub fn key_id_of(b: &[u8]) -> Option<&str> {
        let (&v, rest) = b.split_first()?;
        let (&n, rest) = rest.split_first()?;
        if v != VERSION {
            return None;
        }
        std::str::from_utf8(rest.get(..n as usize)?).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_garbage() {
        let b = Blob {
            key_id: "1234abcd-12ab-34cd-56ef-1234567890ab".into(),
            version: 3,
            nonce: [7; 12],
            sealed: vec![9; 40],
        };
        assert_eq!(
            Blob::key_id_of(&b.encode()),
            Some("1234abcd-12ab-34cd-56ef-1234567890ab")
        );
        assert_eq!(Blob::parse(&b.encode()), Some(b));
        for junk in [
            &b""[..],
            b"\x01",
            b"\x02abc",
            b"\x01\xff",
            b"\x01\x01a\x00\x00\x00\x01",
        ] {
            assert_eq!(Blob::parse(junk), None);
            assert_eq!(Blob::key_id_of(&junk[..junk.len().min(2)]), None);
        }
    }
}
