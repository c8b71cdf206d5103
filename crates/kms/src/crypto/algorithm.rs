//! The algorithm names of KMS cryptography (encryption, signing, MAC, message type and
//! import wrapping) with their AWS wire names and sizes, and the `named_enum!` macro that
//! declares such name tables. Pure tables: no key material and no cryptography here.

/// A closed set of AWS wire names (every [`named_enum!`]).
pub trait WireName: Sized + Copy {
    /// Parses the wire name; `None` for anything else.
    fn parse(s: &str) -> Option<Self>;

    /// The wire name.
    fn name(self) -> &'static str;
}

/// Declares a fieldless enum whose variants each carry one AWS wire name, with `ALL`, `parse`,
/// `name`, `Display`, [`WireName`], and serde as that name (how the value is stored in key
/// records and written in responses).
macro_rules! named_enum {
    ($(#[$meta:meta])* $ty:ident { $($(#[$vmeta:meta])* $variant:ident => $name:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $ty {
            $($(#[$vmeta])* $variant,)+
        }

        impl $ty {
            /// Every value, in AWS's documented order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant,)+];

            /// Parses the AWS wire name (exact and case-sensitive, as AWS validates enums);
            /// `None` for anything else.
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($name => Some($ty::$variant),)+
                    _ => None,
                }
            }

            /// The AWS wire name.
            pub fn name(self) -> &'static str {
                match self {
                    $($ty::$variant => $name,)+
                }
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl $crate::crypto::WireName for $ty {
            fn parse(s: &str) -> Option<Self> {
                $ty::parse(s)
            }

            fn name(self) -> &'static str {
                $ty::name(self)
            }
        }

        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.name())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $ty::parse(&s).ok_or_else(|| {
                    ::serde::de::Error::custom(format!("unknown {} {s}", stringify!($ty)))
                })
            }
        }
    };
}

pub(crate) use named_enum;

named_enum! {
    /// An encryption algorithm (`EncryptionAlgorithm`).
    EncryptionAlgorithm {
        /// AES-256-GCM with the key's symmetric material.
        SymmetricDefault => "SYMMETRIC_DEFAULT",
        /// RSAES-OAEP with SHA-1 for both the hash and MGF1.
        RsaesOaepSha1 => "RSAES_OAEP_SHA_1",
        /// RSAES-OAEP with SHA-256 for both the hash and MGF1.
        RsaesOaepSha256 => "RSAES_OAEP_SHA_256",
    }
}

named_enum! {
    /// The spec of a data key GenerateDataKey makes (`DataKeySpec`).
    DataKeySpec {
        /// 32 bytes.
        Aes256 => "AES_256",
        /// 16 bytes.
        Aes128 => "AES_128",
    }
}

impl DataKeySpec {
    /// The key's length in bytes.
    pub fn bytes(self) -> usize {
        match self {
            DataKeySpec::Aes256 => 32,
            DataKeySpec::Aes128 => 16,
        }
    }
}

named_enum! {
    /// A key agreement algorithm (`KeyAgreementAlgorithm`).
    KeyAgreementAlgorithm {
        /// Elliptic-curve Diffie-Hellman (the raw shared secret).
        Ecdh => "ECDH",
    }
}

named_enum! {
    /// A signing algorithm (`SigningAlgorithm`).
    SigningAlgorithm {
        /// RSASSA-PSS, SHA-256, MGF1 SHA-256, salt length 32.
        RsassaPssSha256 => "RSASSA_PSS_SHA_256",
        /// RSASSA-PSS, SHA-384, MGF1 SHA-384, salt length 48.
        RsassaPssSha384 => "RSASSA_PSS_SHA_384",
        /// RSASSA-PSS, SHA-512, MGF1 SHA-512, salt length 64.
        RsassaPssSha512 => "RSASSA_PSS_SHA_512",
        /// RSASSA-PKCS1-v1_5 with SHA-256.
        RsassaPkcs1V15Sha256 => "RSASSA_PKCS1_V1_5_SHA_256",
        /// RSASSA-PKCS1-v1_5 with SHA-384.
        RsassaPkcs1V15Sha384 => "RSASSA_PKCS1_V1_5_SHA_384",
        /// RSASSA-PKCS1-v1_5 with SHA-512.
        RsassaPkcs1V15Sha512 => "RSASSA_PKCS1_V1_5_SHA_512",
        /// ECDSA with SHA-256 (P-256 and secp256k1), DER-encoded signature.
        EcdsaSha256 => "ECDSA_SHA_256",
        /// ECDSA with SHA-384 (P-384), DER-encoded signature.
        EcdsaSha384 => "ECDSA_SHA_384",
        /// ECDSA with SHA-512 (P-521), DER-encoded signature.
        EcdsaSha512 => "ECDSA_SHA_512",
    }
}

named_enum! {
    /// A MAC algorithm (`MacAlgorithm`).
    MacAlgorithm {
        /// HMAC-SHA-224 (28-byte tag).
        HmacSha224 => "HMAC_SHA_224",
        /// HMAC-SHA-256 (32-byte tag).
        HmacSha256 => "HMAC_SHA_256",
        /// HMAC-SHA-384 (48-byte tag).
        HmacSha384 => "HMAC_SHA_384",
        /// HMAC-SHA-512 (64-byte tag).
        HmacSha512 => "HMAC_SHA_512",
    }
}

named_enum! {
    /// How Sign and Verify read `Message` (`MessageType`).
    MessageType {
        /// The message itself; it is hashed with the signing algorithm's hash.
        Raw => "RAW",
        /// The message is already the hash; its length must be the algorithm's digest length.
        Digest => "DIGEST",
    }
}

named_enum! {
    /// How key material is wrapped for ImportKeyMaterial (`WrappingAlgorithm`).
    /// `RSAES_PKCS1_V1_5` is deliberately absent: AWS no longer accepts it.
    WrappingAlgorithm {
        /// The material encrypted directly with RSAES-OAEP SHA-1.
        RsaesOaepSha1 => "RSAES_OAEP_SHA_1",
        /// The material encrypted directly with RSAES-OAEP SHA-256.
        RsaesOaepSha256 => "RSAES_OAEP_SHA_256",
        /// An AES key encrypted with RSAES-OAEP SHA-1, followed by the material wrapped with
        /// that AES key (AES key wrap with padding, RFC 5649).
        RsaAesKeyWrapSha1 => "RSA_AES_KEY_WRAP_SHA_1",
        /// As `RsaAesKeyWrapSha1`, with RSAES-OAEP SHA-256.
        RsaAesKeyWrapSha256 => "RSA_AES_KEY_WRAP_SHA_256",
    }
}

use EncryptionAlgorithm as E;
use SigningAlgorithm as S;

impl SigningAlgorithm {
    /// Length in bytes of the hash the algorithm signs (the required `DIGEST` message length).
    pub fn digest_len(self) -> usize {
        match self {
            S::RsassaPssSha256 | S::RsassaPkcs1V15Sha256 | S::EcdsaSha256 => 32,
            S::RsassaPssSha384 | S::RsassaPkcs1V15Sha384 | S::EcdsaSha384 => 48,
            S::RsassaPssSha512 | S::RsassaPkcs1V15Sha512 | S::EcdsaSha512 => 64,
        }
    }

    /// True for the ECDSA algorithms.
    pub fn is_ecdsa(self) -> bool {
        matches!(self, S::EcdsaSha256 | S::EcdsaSha384 | S::EcdsaSha512)
    }
}

impl MacAlgorithm {
    /// Length in bytes of the tag the algorithm produces.
    pub fn tag_len(self) -> usize {
        match self {
            MacAlgorithm::HmacSha224 => 28,
            MacAlgorithm::HmacSha256 => 32,
            MacAlgorithm::HmacSha384 => 48,
            MacAlgorithm::HmacSha512 => 64,
        }
    }
}

impl EncryptionAlgorithm {
    /// Length in bytes of the OAEP hash, `None` for `SYMMETRIC_DEFAULT`.
    pub fn oaep_hash_len(self) -> Option<usize> {
        match self {
            E::SymmetricDefault => None,
            E::RsaesOaepSha1 => Some(20),
            E::RsaesOaepSha256 => Some(32),
        }
    }
}

impl WrappingAlgorithm {
    /// The RSAES-OAEP variant the algorithm uses (directly, or for its AES key).
    pub fn oaep(self) -> EncryptionAlgorithm {
        match self {
            WrappingAlgorithm::RsaesOaepSha1 | WrappingAlgorithm::RsaAesKeyWrapSha1 => {
                E::RsaesOaepSha1
            }
            WrappingAlgorithm::RsaesOaepSha256 | WrappingAlgorithm::RsaAesKeyWrapSha256 => {
                E::RsaesOaepSha256
            }
        }
    }

    /// True for the two-layer `RSA_AES_KEY_WRAP_*` algorithms.
    pub fn is_aes_key_wrap(self) -> bool {
        matches!(
            self,
            WrappingAlgorithm::RsaAesKeyWrapSha1 | WrappingAlgorithm::RsaAesKeyWrapSha256
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_rejected() {
        for a in EncryptionAlgorithm::ALL {
            assert_eq!(EncryptionAlgorithm::parse(a.name()), Some(*a));
            assert_eq!(a.to_string(), a.name());
        }
        for a in SigningAlgorithm::ALL {
            assert_eq!(SigningAlgorithm::parse(a.name()), Some(*a));
        }
        for a in MacAlgorithm::ALL {
            assert_eq!(MacAlgorithm::parse(a.name()), Some(*a));
        }
        for m in MessageType::ALL {
            assert_eq!(MessageType::parse(m.name()), Some(*m));
        }
        for w in WrappingAlgorithm::ALL {
            assert_eq!(WrappingAlgorithm::parse(w.name()), Some(*w));
        }
        assert_eq!(SigningAlgorithm::parse("ecdsa_sha_256"), None);
        assert_eq!(WrappingAlgorithm::parse("RSAES_PKCS1_V1_5"), None);
        assert_eq!(MessageType::parse("EXTERNAL_MU"), None);
    }

    #[test]
    fn sizes() {
        assert_eq!(S::RsassaPssSha384.digest_len(), 48);
        assert_eq!(S::EcdsaSha512.digest_len(), 64);
        assert!(S::EcdsaSha256.is_ecdsa() && !S::RsassaPssSha256.is_ecdsa());
        assert_eq!(MacAlgorithm::HmacSha224.tag_len(), 28);
        assert_eq!(MacAlgorithm::HmacSha512.tag_len(), 64);
        assert_eq!(E::RsaesOaepSha1.oaep_hash_len(), Some(20));
        assert_eq!(E::SymmetricDefault.oaep_hash_len(), None);
        assert_eq!(
            WrappingAlgorithm::RsaAesKeyWrapSha1.oaep(),
            E::RsaesOaepSha1
        );
        assert!(WrappingAlgorithm::RsaAesKeyWrapSha256.is_aes_key_wrap());
        assert!(!WrappingAlgorithm::RsaesOaepSha256.is_aes_key_wrap());
    }
}
