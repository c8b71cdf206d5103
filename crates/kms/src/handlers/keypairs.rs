//! Key pairs: GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext (a fresh RSA or ECC
//! key pair whose private key is encrypted under a symmetric KMS key), and DeriveSharedSecret
//! (ECDH with the private key of a KEY_AGREEMENT key).

use super::symmetric::{crypto_error, encrypt_with};
use super::{check_usable, load_material, required, resolve};
use crate::crypto::{self, EncryptionAlgorithm, KeyAgreementAlgorithm, KeySpec, KeyUsage};
use crate::error::{KmsError, KmsResult};
use crate::model::keys::KeyRecord;
use crate::shapes::{
    Context, DeriveSharedSecretInput, DeriveSharedSecretOutput, GenerateDataKeyPairInput,
    GenerateDataKeyPairOutput, GenerateDataKeyPairWithoutPlaintextInput,
    GenerateDataKeyPairWithoutPlaintextOutput, Named, Secret,
};
use crate::Kms;
use trailstack_core::Caller;

/// Longest peer public key of DeriveSharedSecret.
const MAX_PUBLIC_KEY: usize = 8192;

/// The DataKeyPairSpec values.
const PAIR_SPECS: &str = "RSA_2048, RSA_3072, RSA_4096, ECC_NIST_P256, ECC_NIST_P384, ECC_NIST_P521, ECC_SECG_P256K1, SM2, ECC_NIST_EDWARDS25519";

fn pair_spec(spec: &Option<Named<KeySpec>>) -> KmsResult<KeySpec> {
    let name = required(spec, "keyPairSpec")?.name();
    match KeySpec::parse(name).filter(|s| s.is_asymmetric()) {
        Some(s) => Ok(s),
        None if ["SM2", "ECC_NIST_EDWARDS25519"].contains(&name) => {
            Err(KmsError::UnsupportedOperation(format!(
                "KeyPairSpec {name} is not supported by trailstack."
            )))
        }
        None => Err(KmsError::Validation(format!(
            "1 validation error detected: Value '{name}' at 'keyPairSpec' failed to satisfy constraint: Member must satisfy enum value set: [{PAIR_SPECS}]"
        ))),
    }
}

/// The key that protects a data key pair: usable, symmetric, ENCRYPT_DECRYPT.
fn check_pair_key(k: &KeyRecord) -> KmsResult<()> {
    check_usable(k)?;
    if k.meta.key_spec != KeySpec::SymmetricDefault || k.meta.key_usage != KeyUsage::EncryptDecrypt
    {
        return Err(KmsError::InvalidKeyUsage(format!(
            "{} is not a symmetric encryption key and cannot protect data key pairs.",
            k.arn()
        )));
    }
    Ok(())
}

/// GenerateDataKeyPair and GenerateDataKeyPairWithoutPlaintext.
pub async fn generate_data_key_pair(
    kms: &Kms,
    caller: &Caller,
    p: GenerateDataKeyPairInput,
) -> KmsResult<GenerateDataKeyPairOutput> {
    let pair = new_pair(
        kms,
        caller,
        &p.key_id,
        &p.key_pair_spec,
        p.encryption_context,
    )
    .await?;
    Ok(GenerateDataKeyPairOutput {
        private_key_ciphertext_blob: pair.ciphertext,
        private_key_plaintext: pair.private,
        public_key: pair.public,
        key_id: pair.key_arn,
        key_pair_spec: pair.spec,
    })
}

/// GenerateDataKeyPairWithoutPlaintext: GenerateDataKeyPair's pair, whose private key is
/// dropped (and wiped) here.
pub async fn generate_data_key_pair_without_plaintext(
    kms: &Kms,
    caller: &Caller,
    p: GenerateDataKeyPairWithoutPlaintextInput,
) -> KmsResult<GenerateDataKeyPairWithoutPlaintextOutput> {
    let out = generate_data_key_pair(kms, caller, p.into()).await?;
    Ok(GenerateDataKeyPairWithoutPlaintextOutput {
        private_key_ciphertext_blob: out.private_key_ciphertext_blob,
        public_key: out.public_key,
        key_id: out.key_id,
        key_pair_spec: out.key_pair_spec,
    })
}

/// A fresh data key pair whose private key is encrypted under a symmetric key.
struct NewPair {
    key_arn: String,
    spec: KeySpec,
    ciphertext: Vec<u8>,
    private: Secret,
    public: Vec<u8>,
}

/// A key pair of the spec `spec` names, its private key encrypted under the key `key_id` names.
async fn new_pair(
    kms: &Kms,
    caller: &Caller,
    key_id: &Option<String>,
    spec: &Option<Named<KeySpec>>,
    ctx: Option<Context>,
) -> KmsResult<NewPair> {
    let id = required(key_id, "keyId")?.to_string();
    let spec = pair_spec(spec)?;
    let ctx = ctx.unwrap_or_default();
    // Check the key before spending a key generation on it.
    let (kms2, caller2, id2) = (kms.clone(), caller.clone(), id.clone());
    kms.read(move |c| check_pair_key(&resolve(c, &kms2, &caller2, &id2, true)?))
        .await?;
    let (private, public) =
        crate::on_blocking_pool(move || crypto::generate_data_key_pair(spec).map_err(crypto_error))
            .await?;
    let (kms2, caller2, secret) = (kms.clone(), caller.clone(), private.clone());
    let (k, blob) = kms
        .read(move |c| {
            let k = resolve(c, &kms2, &caller2, &id, true)?;
            check_pair_key(&k)?;
            let blob = encrypt_with(
                c,
                &kms2,
                &k,
                EncryptionAlgorithm::SymmetricDefault,
                &ctx,
                secret.as_bytes(),
            )?;
            Ok((k, blob))
        })
        .await?;
    Ok(NewPair {
        key_arn: k.arn(),
        spec,
        ciphertext: blob,
        private: Secret::new(private.as_bytes().to_vec()),
        public,
    })
}

/// DeriveSharedSecret: ECDH between the key's private key and the peer's public key
/// (SubjectPublicKeyInfo DER).
pub async fn derive_shared_secret(
    kms: &Kms,
    caller: &Caller,
    p: DeriveSharedSecretInput,
) -> KmsResult<DeriveSharedSecretOutput> {
    let id = required(&p.key_id, "keyId")?.to_string();
    let alg = required(&p.key_agreement_algorithm, "keyAgreementAlgorithm")?;
    if let Err(alg) = alg.known() {
        return Err(KmsError::Validation(format!(
            "1 validation error detected: Value '{alg}' at 'keyAgreementAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [ECDH]"
        )));
    }
    let peer = p
        .public_key
        .clone()
        .ok_or_else(|| {
            KmsError::Validation("1 validation error detected: Value null at 'publicKey' failed to satisfy constraint: Member must not be null".into())
        })?;
    if peer.is_empty() || peer.len() > MAX_PUBLIC_KEY {
        return Err(KmsError::Validation(format!(
            "1 validation error detected: Value at 'publicKey' failed to satisfy constraint: Member must have length between 1 and {MAX_PUBLIC_KEY}"
        )));
    }
    let (kms2, caller2) = (kms.clone(), caller.clone());
    let (k, secret) = kms
        .read(move |c| {
            let k = resolve(c, &kms2, &caller2, &id, true)?;
            check_usable(&k)?;
            if k.meta.key_usage != KeyUsage::KeyAgreement {
                return Err(KmsError::InvalidKeyUsage(format!(
                    "{} key usage is {} which is not valid for DeriveSharedSecret.",
                    k.arn(),
                    k.meta.key_usage
                )));
            }
            let spec = k.meta.key_spec;
            let material = load_material(c, &kms2, &k, k.meta.current_version)?;
            let secret =
                crypto::derive_shared_secret(spec, &material, &peer).map_err(crypto_error)?;
            Ok((k, secret))
        })
        .await?;
    Ok(DeriveSharedSecretOutput {
        key_id: k.arn(),
        shared_secret: Secret::new(secret),
        key_agreement_algorithm: KeyAgreementAlgorithm::Ecdh,
        key_origin: k.meta.origin,
    })
}
