//! Encryption: Encrypt, Decrypt, ReEncrypt, GenerateDataKey(+WithoutPlaintext), GenerateRandom.
//! Symmetric keys use AES-256-GCM with the encryption context as canonical AAD and a
//! self-describing ciphertext blob; RSA ENCRYPT_DECRYPT keys use OAEP.

use super::{check_usable, load_material, required, resolve};
use crate::blob::Blob;
use crate::crypto::{self, CryptoError, DataKeySpec, EncryptionAlgorithm, KeyUsage};
use crate::error::{KmsError, KmsResult};
use crate::model::keys::{self as key_model, KeyRecord};
use crate::shapes::{
    DecryptInput, DecryptOutput, EncryptInput, EncryptOutput, GenerateDataKeyInput,
    GenerateDataKeyOutput, GenerateDataKeyWithoutPlaintextInput,
    GenerateDataKeyWithoutPlaintextOutput, GenerateRandomInput, GenerateRandomOutput, Named,
    ReEncryptInput, ReEncryptOutput, Secret,
};
use crate::Kms;
use std::collections::BTreeMap;
use trailstack_core::Caller;

/// Largest plaintext of Encrypt.
const MAX_PLAINTEXT: usize = 4096;
/// Largest ciphertext blob.
const MAX_CIPHERTEXT: usize = 6144;

/// Maps a cryptography failure to KMS's error.
pub fn crypto_error(e: CryptoError) -> KmsError {
    match e {
        CryptoError::InvalidCiphertext => KmsError::InvalidCiphertext(String::new()),
        CryptoError::InvalidInput(m) => KmsError::Validation(m),
        CryptoError::InvalidKeyUsage(m) => KmsError::InvalidKeyUsage(m),
        CryptoError::Unsupported(m) => KmsError::UnsupportedOperation(m),
        other => KmsError::Internal(other.to_string()),
    }
}

fn require_usage(k: &KeyRecord, usage: KeyUsage, op: &str) -> KmsResult<()> {
    if k.meta.key_usage != usage {
        return Err(KmsError::InvalidKeyUsage(format!(
            "{} key usage is {} which is not valid for {op}.",
            k.arn(),
            k.meta.key_usage
        )));
    }
    Ok(())
}

/// The algorithm an encrypt or decrypt of `k` uses.
fn algorithm(
    k: &KeyRecord,
    asked: Option<&Named<EncryptionAlgorithm>>,
) -> KmsResult<EncryptionAlgorithm> {
    let spec = k.meta.key_spec;
    let alg = match asked {
        Some(a) => a.known().map_err(|a| {
            KmsError::Validation(format!(
                "1 validation error detected: Value '{a}' at 'encryptionAlgorithm' failed to satisfy constraint: Member must satisfy enum value set: [SYMMETRIC_DEFAULT, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, SM2PKE]"
            ))
        })?,
        None if spec.is_symmetric() => EncryptionAlgorithm::SymmetricDefault,
        None => {
            return Err(KmsError::Validation(format!(
                "An EncryptionAlgorithm is required for the asymmetric key {}.",
                k.arn()
            )))
        }
    };
    if !spec.encryption_algorithms().contains(&alg) {
        return Err(KmsError::InvalidKeyUsage(format!(
            "Algorithm {} is incompatible with key spec {}.",
            alg.name(),
            spec.name()
        )));
    }
    Ok(alg)
}

/// Encrypts `plaintext` under `k` (already checked usable) inside a read.
pub(super) fn encrypt_with(
    c: &trailstack_store::Conn,
    kms: &Kms,
    k: &KeyRecord,
    alg: EncryptionAlgorithm,
    ctx: &BTreeMap<String, String>,
    plaintext: &[u8],
) -> KmsResult<Vec<u8>> {
    let spec = k.meta.key_spec;
    if spec.is_symmetric() {
        let version = k.meta.current_version;
        let material = load_material(c, kms, k, version)?;
        let (nonce, sealed) =
            crypto::aes_gcm_encrypt(material.as_bytes(), &crypto::context_aad(ctx), plaintext)
                .map_err(crypto_error)?;
        return Ok(Blob {
            key_id: k.key_id.clone(),
            version,
            nonce,
            sealed,
        }
        .encode());
    }
    if !ctx.is_empty() {
        return Err(KmsError::Validation(
            "EncryptionContext is not supported with asymmetric keys.".into(),
        ));
    }
    let max = crypto::rsa_max_plaintext(spec, alg).unwrap_or(0);
    if plaintext.len() > max {
        return Err(KmsError::Validation(format!(
            "Plaintext of {} bytes is longer than the {max} bytes {} allows with {}.",
            plaintext.len(),
            alg.name(),
            spec.name()
        )));
    }
    let material = load_material(c, kms, k, k.meta.current_version)?;
    crypto::rsa_encrypt(spec, &material, alg, plaintext).map_err(crypto_error)
}

/// Decrypts `blob`, returning the key and plaintext. `key_id`, when given, must identify the
/// key that encrypted it.
fn decrypt_with(
    c: &trailstack_store::Conn,
    kms: &Kms,
    caller: &Caller,
    key_id: Option<&str>,
    asked_alg: Option<&Named<EncryptionAlgorithm>>,
    ctx: &BTreeMap<String, String>,
    blob: &[u8],
) -> KmsResult<(KeyRecord, EncryptionAlgorithm, Secret)> {
    let named = key_id
        .map(|id| resolve(c, kms, caller, id, true))
        .transpose()?;
    if let Some(k) = named.as_ref().filter(|k| !k.meta.key_spec.is_symmetric()) {
        check_usable(k)?;
        require_usage(k, KeyUsage::EncryptDecrypt, "Decrypt")?;
        let alg = algorithm(k, asked_alg)?;
        let material = load_material(c, kms, k, k.meta.current_version)?;
        let plain =
            crypto::rsa_decrypt(k.meta.key_spec, &material, alg, blob).map_err(crypto_error)?;
        return Ok((k.clone(), alg, Secret::new(plain)));
    }
    let parsed = Blob::parse(blob).ok_or_else(|| KmsError::InvalidCiphertext(String::new()))?;
    let k = match named {
        Some(k) if k.key_id != parsed.key_id => return Err(KmsError::IncorrectKey(
            "The key ID in the request does not identify a CMK that can perform this operation."
                .into(),
        )),
        Some(k) => k,
        // The blob names its key in any account: whether the caller may use it was decided
        // by the key policy before the handler ran (authz).
        None => match key_model::get(c, &parsed.key_id)? {
            Some(k) => k,
            None => return Err(KmsError::InvalidCiphertext(String::new())),
        },
    };
    check_usable(&k)?;
    require_usage(&k, KeyUsage::EncryptDecrypt, "Decrypt")?;
    let alg = algorithm(&k, asked_alg)?;
    let material = load_material(c, kms, &k, parsed.version)
        .map_err(|_| KmsError::InvalidCiphertext(String::new()))?;
    let plain = crypto::aes_gcm_decrypt(
        material.as_bytes(),
        &parsed.nonce,
        &crypto::context_aad(ctx),
        &parsed.sealed,
    )
    .map_err(crypto_error)?;
    Ok((k, alg, Secret::new(plain)))
}

fn check_len(v: &[u8], max: usize, what: &str) -> KmsResult<()> {
    if v.is_empty() || v.len() > max {
        return Err(KmsError::Validation(format!(
            "1 validation error detected: Value at '{what}' failed to satisfy constraint: Member must have length between 1 and {max}"
        )));
    }
    Ok(())
}

/// Encrypt.
pub async fn encrypt(kms: &Kms, caller: &Caller, p: EncryptInput) -> KmsResult<EncryptOutput> {
    let id = required(&p.key_id, "keyId")?.to_string();
    let plaintext = p
        .plaintext
        .ok_or_else(|| KmsError::Validation("Plaintext is required.".into()))?;
    check_len(plaintext.as_bytes(), MAX_PLAINTEXT, "plaintext")?;
    let ctx = p.encryption_context.clone().unwrap_or_default();
    let (kms2, caller2) = (kms.clone(), caller.clone());
    let asked = p.encryption_algorithm.clone();
    let (k, alg, blob) = kms
        .read(move |c| {
            let k = resolve(c, &kms2, &caller2, &id, true)?;
            check_usable(&k)?;
            require_usage(&k, KeyUsage::EncryptDecrypt, "Encrypt")?;
            let alg = algorithm(&k, asked.as_ref())?;
            let blob = encrypt_with(c, &kms2, &k, alg, &ctx, plaintext.as_bytes())?;
            Ok((k, alg, blob))
        })
        .await?;
    Ok(EncryptOutput {
        ciphertext_blob: blob,
        key_id: k.arn(),
        encryption_algorithm: alg,
    })
}

/// Decrypt.
pub async fn decrypt(kms: &Kms, caller: &Caller, p: DecryptInput) -> KmsResult<DecryptOutput> {
    let blob = p
        .ciphertext_blob
        .ok_or_else(|| KmsError::Validation("CiphertextBlob is required.".into()))?;
    check_len(&blob, MAX_CIPHERTEXT, "ciphertextBlob")?;
    let ctx = p.encryption_context.unwrap_or_default();
    let (kms2, caller2) = (kms.clone(), caller.clone());
    let (key_id, asked) = (p.key_id, p.encryption_algorithm);
    let (k, alg, plain) = kms
        .read(move |c| {
            decrypt_with(
                c,
                &kms2,
                &caller2,
                key_id.as_deref(),
                asked.as_ref(),
                &ctx,
                &blob,
            )
        })
        .await?;
    Ok(DecryptOutput {
        key_id: k.arn(),
        plaintext: plain,
        encryption_algorithm: alg,
    })
}

/// ReEncrypt: decrypt under the source key, encrypt under the destination key, without the
/// plaintext leaving KMS.
pub async fn re_encrypt(
    kms: &Kms,
    caller: &Caller,
    p: ReEncryptInput,
) -> KmsResult<ReEncryptOutput> {
    let blob = p
        .ciphertext_blob
        .clone()
        .ok_or_else(|| KmsError::Validation("CiphertextBlob is required.".into()))?;
    check_len(&blob, MAX_CIPHERTEXT, "ciphertextBlob")?;
    let dest_id = required(&p.destination_key_id, "destinationKeyId")?.to_string();
    let (kms2, caller2) = (kms.clone(), caller.clone());
    let (src_ctx, dst_ctx) = (
        p.source_encryption_context.clone().unwrap_or_default(),
        p.destination_encryption_context.clone().unwrap_or_default(),
    );
    let (src_id, src_alg, dst_alg) = (
        p.source_key_id.clone(),
        p.source_encryption_algorithm.clone(),
        p.destination_encryption_algorithm.clone(),
    );
    let (src, src_alg, dst, dst_alg, new_blob) = kms
        .read(move |c| {
            let (src, src_alg, plain) = decrypt_with(
                c,
                &kms2,
                &caller2,
                src_id.as_deref(),
                src_alg.as_ref(),
                &src_ctx,
                &blob,
            )?;
            let dst = resolve(c, &kms2, &caller2, &dest_id, true)?;
            check_usable(&dst)?;
            require_usage(&dst, KeyUsage::EncryptDecrypt, "ReEncrypt")?;
            let dst_alg = algorithm(&dst, dst_alg.as_ref())?;
            let new_blob = encrypt_with(c, &kms2, &dst, dst_alg, &dst_ctx, plain.as_bytes())?;
            Ok((src, src_alg, dst, dst_alg, new_blob))
        })
        .await?;
    Ok(ReEncryptOutput {
        ciphertext_blob: new_blob,
        source_key_id: src.arn(),
        key_id: dst.arn(),
        source_encryption_algorithm: src_alg,
        destination_encryption_algorithm: dst_alg,
    })
}

/// GenerateDataKey.
pub async fn generate_data_key(
    kms: &Kms,
    caller: &Caller,
    p: GenerateDataKeyInput,
) -> KmsResult<GenerateDataKeyOutput> {
    let (key_id, ciphertext_blob, plaintext) = new_data_key(
        kms,
        caller,
        &p.key_id,
        p.number_of_bytes,
        p.key_spec.as_ref(),
        p.encryption_context.unwrap_or_default(),
    )
    .await?;
    Ok(GenerateDataKeyOutput {
        ciphertext_blob,
        plaintext,
        key_id,
    })
}

/// GenerateDataKeyWithoutPlaintext: GenerateDataKey's key, whose plaintext is dropped (and
/// wiped) here.
pub async fn generate_data_key_without_plaintext(
    kms: &Kms,
    caller: &Caller,
    p: GenerateDataKeyWithoutPlaintextInput,
) -> KmsResult<GenerateDataKeyWithoutPlaintextOutput> {
    let out = generate_data_key(kms, caller, p.into()).await?;
    Ok(GenerateDataKeyWithoutPlaintextOutput {
        ciphertext_blob: out.ciphertext_blob,
        key_id: out.key_id,
    })
}

/// A fresh data key of `number_of_bytes` or `key_spec`, encrypted under the key `key_id`
/// names: the key's ARN, the ciphertext blob and the plaintext.
async fn new_data_key(
    kms: &Kms,
    caller: &Caller,
    key_id: &Option<String>,
    number_of_bytes: Option<i64>,
    key_spec: Option<&Named<DataKeySpec>>,
    ctx: BTreeMap<String, String>,
) -> KmsResult<(String, Vec<u8>, Secret)> {
    let id = required(key_id, "keyId")?.to_string();
    let n = match (number_of_bytes, key_spec.map(Named::known)) {
        (Some(_), Some(_)) => {
            return Err(KmsError::Validation("Please specify either number of bytes or key spec.".into()))
        }
        (None, None) => return Err(KmsError::Validation("Please specify either number of bytes or key spec.".into())),
        (Some(n), None) if (1..=1024).contains(&n) => n as usize,
        (Some(n), None) => {
            return Err(KmsError::Validation(format!(
                "1 validation error detected: Value '{n}' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024"
            )))
        }
        (None, Some(Ok(spec))) => spec.bytes(),
        (None, Some(Err(other))) => {
            return Err(KmsError::Validation(format!(
                "1 validation error detected: Value '{other}' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]"
            )))
        }
    };
    let (kms2, caller2) = (kms.clone(), caller.clone());
    let data_key = Secret::new(crypto::random_bytes(n).map_err(crypto_error)?);
    let dk = data_key.clone();
    let (k, blob) = kms
        .read(move |c| {
            let k = resolve(c, &kms2, &caller2, &id, true)?;
            check_usable(&k)?;
            if !k.meta.key_spec.is_symmetric() || k.meta.key_usage != KeyUsage::EncryptDecrypt {
                return Err(KmsError::InvalidKeyUsage(format!(
                    "{} is not a symmetric encryption key and cannot generate data keys.",
                    k.arn()
                )));
            }
            let blob = encrypt_with(
                c,
                &kms2,
                &k,
                EncryptionAlgorithm::SymmetricDefault,
                &ctx,
                dk.as_bytes(),
            )?;
            Ok((k, blob))
        })
        .await?;
    Ok((k.arn(), blob, data_key))
}

/// GenerateRandom: 1..=1024 random bytes.
pub fn generate_random(p: GenerateRandomInput) -> KmsResult<GenerateRandomOutput> {
    let n = p
        .number_of_bytes
        .ok_or_else(|| KmsError::Validation("NumberOfBytes is required.".into()))?;
    if !(1..=1024).contains(&n) {
        return Err(KmsError::Validation(format!(
            "1 validation error detected: Value '{n}' at 'numberOfBytes' failed to satisfy constraint: Member must have value between 1 and 1024"
        )));
    }
    let bytes = crypto::random_bytes(n as usize).map_err(crypto_error)?;
    Ok(GenerateRandomOutput {
        plaintext: Secret::new(bytes),
    })
}
