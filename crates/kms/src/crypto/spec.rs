//! Key specs and key usages with their AWS wire names, and which spec allows which usage and
//! algorithms (`docs/aws/kms-behaviour.md` §4). Pure tables: no key material and no
//! cryptography here.

use super::algorithm::named_enum;
use super::{EncryptionAlgorithm, MacAlgorithm, SigningAlgorithm};

named_enum! {
    /// A KMS key spec (`KeySpec`, also `CustomerMasterKeySpec`; the RSA and ECC values are also
    /// the `DataKeyPairSpec` and, for RSA, the import `WrappingKeySpec` values).
    #[derive(Default)]
    KeySpec {
        /// AES-256-GCM (32 bytes of key material); CreateKey's default.
        #[default]
        SymmetricDefault => "SYMMETRIC_DEFAULT",
        /// RSA with a 2048-bit modulus.
        Rsa2048 => "RSA_2048",
        /// RSA with a 3072-bit modulus.
        Rsa3072 => "RSA_3072",
        /// RSA with a 4096-bit modulus.
        Rsa4096 => "RSA_4096",
        /// NIST P-256 (secp256r1).
        EccNistP256 => "ECC_NIST_P256",
        /// NIST P-384 (secp384r1).
        EccNistP384 => "ECC_NIST_P384",
        /// NIST P-521 (secp521r1).
        EccNistP521 => "ECC_NIST_P521",
        /// secp256k1 (SEC 2 Koblitz curve).
        EccSecgP256k1 => "ECC_SECG_P256K1",
        /// HMAC with SHA-224 and a 224-bit key.
        Hmac224 => "HMAC_224",
        /// HMAC with SHA-256 and a 256-bit key.
        Hmac256 => "HMAC_256",
        /// HMAC with SHA-384 and a 384-bit key.
        Hmac384 => "HMAC_384",
        /// HMAC with SHA-512 and a 512-bit key.
        Hmac512 => "HMAC_512",
    }
}

named_enum! {
    /// A KMS key usage (`KeyUsage`).
    #[derive(Default)]
    KeyUsage {
        /// Encrypt, Decrypt, ReEncrypt, GenerateDataKey* (symmetric and RSA keys); CreateKey's
        /// default.
        #[default]
        EncryptDecrypt => "ENCRYPT_DECRYPT",
        /// Sign and Verify (RSA and ECC keys).
        SignVerify => "SIGN_VERIFY",
        /// GenerateMac and VerifyMac (HMAC keys).
        GenerateVerifyMac => "GENERATE_VERIFY_MAC",
        /// DeriveSharedSecret (NIST ECC keys).
        KeyAgreement => "KEY_AGREEMENT",
    }
}

use EncryptionAlgorithm as E;
use KeyUsage as U;
use SigningAlgorithm as S;

const RSA_ENCRYPTION: &[E] = &[E::RsaesOaepSha1, E::RsaesOaepSha256];
const RSA_SIGNING: &[S] = &[
    S::RsassaPssSha256,
    S::RsassaPssSha384,
    S::RsassaPssSha512,
    S::RsassaPkcs1V15Sha256,
    S::RsassaPkcs1V15Sha384,
    S::RsassaPkcs1V15Sha512,
];

impl KeySpec {
    /// True for `SYMMETRIC_DEFAULT` only (HMAC specs are symmetric too, but answer `is_hmac`).
    pub fn is_symmetric(self) -> bool {
        self == KeySpec::SymmetricDefault
    }

    /// True for `RSA_2048`, `RSA_3072`, `RSA_4096`.
    pub fn is_rsa(self) -> bool {
        matches!(self, KeySpec::Rsa2048 | KeySpec::Rsa3072 | KeySpec::Rsa4096)
    }

    /// True for the four elliptic-curve specs (NIST curves and secp256k1).
    pub fn is_ecc(self) -> bool {
        matches!(
            self,
            KeySpec::EccNistP256
                | KeySpec::EccNistP384
                | KeySpec::EccNistP521
                | KeySpec::EccSecgP256k1
        )
    }

    /// True for `HMAC_224`, `HMAC_256`, `HMAC_384`, `HMAC_512`.
    pub fn is_hmac(self) -> bool {
        matches!(
            self,
            KeySpec::Hmac224 | KeySpec::Hmac256 | KeySpec::Hmac384 | KeySpec::Hmac512
        )
    }

    /// True for specs with a key pair (RSA and ECC): GetPublicKey and the `DataKeyPairSpec`
    /// values GenerateDataKeyPair accepts.
    pub fn is_asymmetric(self) -> bool {
        self.is_rsa() || self.is_ecc()
    }

    /// True for the RSA specs, the only `WrappingKeySpec` values outside China.
    pub fn is_wrapping_key_spec(self) -> bool {
        self.is_rsa()
    }

    /// The RSA modulus size in bits, `None` for other specs.
    pub fn rsa_bits(self) -> Option<usize> {
        match self {
            KeySpec::Rsa2048 => Some(2048),
            KeySpec::Rsa3072 => Some(3072),
            KeySpec::Rsa4096 => Some(4096),
            _ => None,
        }
    }

    /// The length of generated raw key material: 32 for `SYMMETRIC_DEFAULT`, the key size in
    /// bits / 8 for HMAC (28, 32, 48, 64); `None` for RSA and ECC (PKCS#8 DER, variable).
    pub fn raw_key_len(self) -> Option<usize> {
        match self {
            KeySpec::SymmetricDefault => Some(32),
            KeySpec::Hmac224 => Some(28),
            KeySpec::Hmac256 => Some(32),
            KeySpec::Hmac384 => Some(48),
            KeySpec::Hmac512 => Some(64),
            _ => None,
        }
    }

    /// The key usages the spec allows, the default (where there is one) first.
    pub fn allowed_usages(self) -> &'static [KeyUsage] {
        match self {
            KeySpec::SymmetricDefault => &[U::EncryptDecrypt],
            KeySpec::Rsa2048 | KeySpec::Rsa3072 | KeySpec::Rsa4096 => {
                &[U::EncryptDecrypt, U::SignVerify]
            }
            KeySpec::EccNistP256 | KeySpec::EccNistP384 | KeySpec::EccNistP521 => {
                &[U::SignVerify, U::KeyAgreement]
            }
            KeySpec::EccSecgP256k1 => &[U::SignVerify],
            KeySpec::Hmac224 | KeySpec::Hmac256 | KeySpec::Hmac384 | KeySpec::Hmac512 => {
                &[U::GenerateVerifyMac]
            }
        }
    }

    /// The usage CreateKey takes when `KeyUsage` is omitted: `ENCRYPT_DECRYPT` for
    /// `SYMMETRIC_DEFAULT`; `None` where AWS requires `KeyUsage`.
    pub fn default_usage(self) -> Option<KeyUsage> {
        self.is_symmetric().then_some(U::EncryptDecrypt)
    }

    /// `EncryptionAlgorithms` of an `ENCRYPT_DECRYPT` key with this spec (empty if none).
    pub fn encryption_algorithms(self) -> &'static [EncryptionAlgorithm] {
        match self {
            KeySpec::SymmetricDefault => &[E::SymmetricDefault],
            s if s.is_rsa() => RSA_ENCRYPTION,
            _ => &[],
        }
    }

    /// `SigningAlgorithms` of a `SIGN_VERIFY` key with this spec (one per curve for ECC).
    pub fn signing_algorithms(self) -> &'static [SigningAlgorithm] {
        match self {
            s if s.is_rsa() => RSA_SIGNING,
            KeySpec::EccNistP256 | KeySpec::EccSecgP256k1 => &[S::EcdsaSha256],
            KeySpec::EccNistP384 => &[S::EcdsaSha384],
            KeySpec::EccNistP521 => &[S::EcdsaSha512],
            _ => &[],
        }
    }

    /// `MacAlgorithms` of an HMAC key (exactly one per spec).
    pub fn mac_algorithms(self) -> &'static [MacAlgorithm] {
        match self {
            KeySpec::Hmac224 => &[MacAlgorithm::HmacSha224],
            KeySpec::Hmac256 => &[MacAlgorithm::HmacSha256],
            KeySpec::Hmac384 => &[MacAlgorithm::HmacSha384],
            KeySpec::Hmac512 => &[MacAlgorithm::HmacSha512],
            _ => &[],
        }
    }

    /// `KeyAgreementAlgorithms` of a `KEY_AGREEMENT` key: `["ECDH"]` for the NIST curves.
    pub fn key_agreement_algorithms(self) -> &'static [&'static str] {
        match self {
            KeySpec::EccNistP256 | KeySpec::EccNistP384 | KeySpec::EccNistP521 => &["ECDH"],
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_rejected() {
        for s in KeySpec::ALL {
            assert_eq!(KeySpec::parse(s.name()), Some(*s));
            assert_eq!(s.to_string(), s.name());
        }
        for u in KeyUsage::ALL {
            assert_eq!(KeyUsage::parse(u.name()), Some(*u));
        }
        assert_eq!(KeySpec::ALL.len(), 12);
        assert_eq!(KeySpec::parse("rsa_2048"), None);
        assert_eq!(KeySpec::parse("SM2"), None);
        assert_eq!(KeySpec::parse(""), None);
        assert_eq!(KeyUsage::parse("SIGN"), None);
    }

    #[test]
    fn every_spec_has_algorithms_for_each_allowed_usage() {
        for &spec in KeySpec::ALL {
            for usage in spec.allowed_usages() {
                let n = match usage {
                    KeyUsage::EncryptDecrypt => spec.encryption_algorithms().len(),
                    KeyUsage::SignVerify => spec.signing_algorithms().len(),
                    KeyUsage::GenerateVerifyMac => spec.mac_algorithms().len(),
                    KeyUsage::KeyAgreement => spec.key_agreement_algorithms().len(),
                };
                assert!(n > 0, "{spec} {usage}");
            }
            let kinds = [
                spec.is_symmetric(),
                spec.is_rsa(),
                spec.is_ecc(),
                spec.is_hmac(),
            ];
            assert_eq!(kinds.iter().filter(|k| **k).count(), 1, "{spec}");
        }
    }

    #[test]
    fn the_reference_table() {
        assert_eq!(
            KeySpec::SymmetricDefault.default_usage(),
            Some(KeyUsage::EncryptDecrypt)
        );
        assert_eq!(KeySpec::Rsa2048.default_usage(), None);
        assert_eq!(KeySpec::Rsa3072.signing_algorithms().len(), 6);
        assert_eq!(KeySpec::EccNistP521.signing_algorithms(), &[S::EcdsaSha512]);
        assert_eq!(
            KeySpec::EccSecgP256k1.signing_algorithms(),
            &[S::EcdsaSha256]
        );
        assert!(KeySpec::EccSecgP256k1.key_agreement_algorithms().is_empty());
        assert_eq!(KeySpec::EccNistP384.key_agreement_algorithms(), &["ECDH"]);
        assert_eq!(
            KeySpec::Hmac384.mac_algorithms(),
            &[MacAlgorithm::HmacSha384]
        );
        assert!(KeySpec::Hmac256.encryption_algorithms().is_empty());
        assert_eq!(KeySpec::Hmac224.raw_key_len(), Some(28));
        assert_eq!(KeySpec::Rsa4096.rsa_bits(), Some(4096));
        assert_eq!(
            KeySpec::Rsa2048.encryption_algorithms(),
            &[E::RsaesOaepSha1, E::RsaesOaepSha256]
        );
        assert!(KeySpec::EccSecgP256k1.is_asymmetric() && !KeySpec::Hmac512.is_asymmetric());
        assert!(
            KeySpec::Rsa3072.is_wrapping_key_spec() && !KeySpec::EccNistP256.is_wrapping_key_spec()
        );
    }
}
