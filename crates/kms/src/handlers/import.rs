//! Imported key material (keys with Origin `EXTERNAL`): GetParametersForImport,
//! ImportKeyMaterial, DeleteImportedKeyMaterial, and the expiry of material whose `ValidTo`
//! has passed (run by `housekeeping`).
//!
//! The wrapping private key of each import token is kept sealed by the root key until the
//! parameters expire. Imported material is stored sealed as material version 1, like generated
//! material; a key remembers the KeyMaterialId of its material (an HMAC of the key id under the
//! material, so it reveals nothing) so that only the same material can be imported again, and
//! ciphertexts made before a deletion or expiry decrypt again after the re-import.

use super::symmetric::crypto_error;
use super::{required, resolve, store_material};
use crate::crypto::{self, CryptoError, KeyMaterial, KeySpec, MacAlgorithm};
use crate::error::{KmsError, KmsResult};
use crate::model::imports::{self as import_model, ImportParams};
use crate::model::keys::{self as key_model, ExpirationModel, KeyRecord, KeyState, Origin};
use crate::shapes::{
    epoch, DeleteImportedKeyMaterialInput, DeleteImportedKeyMaterialOutput,
    GetParametersForImportInput, GetParametersForImportOutput, ImportKeyMaterialInput,
    ImportKeyMaterialOutput, Named,
};
use crate::Kms;
use trailstack_core::Caller;
use trailstack_store::Conn;

const HOUR_MS: i64 = 3600 * 1000;
const DAY_MS: i64 = 24 * HOUR_MS;
/// How long import parameters stay valid.
const PARAMETERS_VALIDITY_MS: i64 = 24 * HOUR_MS;
/// How long expired parameters are remembered (to answer ExpiredImportTokenException).
const EXPIRED_PARAMETERS_KEPT_MS: i64 = 7 * DAY_MS;
/// The latest ValidTo ImportKeyMaterial accepts, from now.
const MAX_VALID_TO_MS: i64 = 365 * DAY_MS;
/// Longest ImportToken and EncryptedKeyMaterial.
const MAX_BLOB: usize = 6144;
/// The version imported material is stored as (imported keys do not rotate).
const IMPORTED_VERSION: u32 = 1;

fn enum_error(value: &str, field: &str, set: &str) -> KmsError {
    KmsError::Validation(format!(
        "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: Member must satisfy enum value set: [{set}]"
    ))
}

fn blob_param(v: &Option<Vec<u8>>, field: &str) -> KmsResult<Vec<u8>> {
    let b = v.clone().ok_or_else(|| {
        KmsError::Validation(format!(
            "1 validation error detected: Value null at '{field}' failed to satisfy constraint: Member must not be null"
        ))
    })?;
    if b.is_empty() || b.len() > MAX_BLOB {
        return Err(KmsError::Validation(format!(
            "1 validation error detected: Value at '{field}' failed to satisfy constraint: Member must have length between 1 and {MAX_BLOB}"
        )));
    }
    Ok(b)
}

/// The key must have Origin EXTERNAL and not be pending deletion.
fn check_external(k: &KeyRecord) -> KmsResult<()> {
    if k.meta.origin != Origin::External {
        return Err(KmsError::UnsupportedOperation(format!(
            "{} has Origin {}; key material can be imported only into keys with Origin EXTERNAL.",
            k.arn(),
            k.meta.origin
        )));
    }
    Ok(())
}

fn check_importable(k: &KeyRecord) -> KmsResult<()> {
    check_external(k)?;
    super::check_not_pending_deletion(k)
}

/// The KeyMaterialId of `material` for key `key_id` (64 hex digits).
fn material_id(key_id: &str, material: &KeyMaterial) -> KmsResult<String> {
    let message = format!("trailstack key material id:{key_id}");
    let tag = crypto::mac(
        KeySpec::Hmac256,
        material,
        MacAlgorithm::HmacSha256,
        message.as_bytes(),
    )
    .map_err(crypto_error)?;
    Ok(hex::encode(tag))
}

fn purpose(key_id: &str, token: &str) -> String {
    format!("kms-import-wrapping-key:{key_id}:{token}")
}

/// GetParametersForImport.
pub async fn get_parameters(
    kms: &Kms,
    caller: &Caller,
    p: GetParametersForImportInput,
) -> KmsResult<GetParametersForImportOutput> {
    let id = required(&p.key_id, "keyId")?.to_string();
    let alg = match required(&p.wrapping_algorithm, "wrappingAlgorithm")?.known() {
        Ok(a) => a,
        Err(alg_name) if ["RSAES_PKCS1_V1_5", "SM2PKE"].contains(&alg_name) => {
            return Err(KmsError::UnsupportedOperation(format!(
                "WrappingAlgorithm {alg_name} is not supported."
            )))
        }
        Err(alg_name) => {
            return Err(enum_error(
                alg_name,
                "wrappingAlgorithm",
                "RSAES_PKCS1_V1_5, RSAES_OAEP_SHA_1, RSAES_OAEP_SHA_256, RSA_AES_KEY_WRAP_SHA_1, RSA_AES_KEY_WRAP_SHA_256, SM2PKE",
            ))
        }
    };
    let spec_name = required(&p.wrapping_key_spec, "wrappingKeySpec")?.name();
    let spec = match KeySpec::parse(spec_name).filter(|s| s.is_wrapping_key_spec()) {
        Some(s) => s,
        None if spec_name == "SM2" => {
            return Err(KmsError::UnsupportedOperation(
                "WrappingKeySpec SM2 is supported only in China Regions.".into(),
            ))
        }
        None => {
            return Err(enum_error(
                spec_name,
                "wrappingKeySpec",
                "RSA_2048, RSA_3072, RSA_4096, SM2",
            ))
        }
    };
    // Check the key before spending an RSA key generation on it.
    check_importable(&super::read_key(kms, caller, id.clone()).await?)?;
    let (private, public) =
        crate::on_blocking_pool(move || crypto::generate_wrapping_key(spec).map_err(crypto_error))
            .await?;
    let token = crypto::random_bytes(32).map_err(crypto_error)?;
    let token_id = hex::encode(&token);
    let now = kms.now_ms();
    let valid_to = now + PARAMETERS_VALIDITY_MS;
    let (kms2, caller2, root) = (kms.clone(), caller.clone(), kms.root.clone());
    let k = kms
        .write(move |c| {
            let k = resolve(c, &kms2, &caller2, &id, false)?;
            check_importable(&k)?;
            import_model::prune(c, now - EXPIRED_PARAMETERS_KEPT_MS)?;
            let sealed = root.seal(&purpose(&k.key_id, &token_id), private.as_bytes())?;
            import_model::insert(
                c,
                &ImportParams {
                    token: token_id,
                    key_id: k.key_id.clone(),
                    created_ms: now,
                    valid_to_ms: valid_to,
                    wrapping_spec: spec,
                    wrapping_algorithm: alg,
                    sealed,
                },
            )?;
            Ok(k)
        })
        .await?;
    Ok(GetParametersForImportOutput {
        key_id: k.arn(),
        import_token: token,
        public_key: public,
        parameters_valid_to: epoch(valid_to),
    })
}

/// The ExpirationModel and ValidTo of an import (ValidTo in ms).
fn expiration(p: &ImportKeyMaterialInput, now: i64) -> KmsResult<(ExpirationModel, Option<i64>)> {
    let model = p
        .expiration_model
        .as_ref()
        .map_or(Ok(ExpirationModel::Expires), Named::known);
    let model = model.map_err(|name| {
        enum_error(
            name,
            "expirationModel",
            "KEY_MATERIAL_EXPIRES, KEY_MATERIAL_DOES_NOT_EXPIRE",
        )
    })?;
    match (model, p.valid_to) {
        (ExpirationModel::DoesNotExpire, None) => Ok((model, None)),
        (ExpirationModel::DoesNotExpire, Some(_)) => Err(KmsError::Validation(
            "ValidTo must be omitted when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.".into(),
        )),
        (ExpirationModel::Expires, None) => Err(KmsError::Validation(
            "ValidTo is required when ExpirationModel is KEY_MATERIAL_EXPIRES.".into(),
        )),
        (ExpirationModel::Expires, Some(secs)) => {
            let ms = (secs * 1000.0) as i64;
            if !secs.is_finite() || ms <= now || ms > now + MAX_VALID_TO_MS {
                return Err(KmsError::Validation(
                    "ValidTo must be in the future and at most 365 days from now.".into(),
                ));
            }
            Ok((model, Some(ms)))
        }
    }
}

/// Unwraps and checks the material of an import against the key's spec.
fn unwrap_material(
    kms: &Kms,
    k: &KeyRecord,
    params: &ImportParams,
    wrapped: &[u8],
) -> KmsResult<KeyMaterial> {
    let (wrapping_spec, alg) = (params.wrapping_spec, params.wrapping_algorithm);
    let private = KeyMaterial::from_bytes(
        kms.root
            .open(&purpose(&k.key_id, &params.token), &params.sealed)?
            .to_vec(),
    );
    let material = crypto::unwrap_imported(&private, wrapping_spec, alg, wrapped)
        .map_err(|e| match e {
            CryptoError::InvalidCiphertext => KmsError::InvalidCiphertext(
                "The EncryptedKeyMaterial does not decrypt with the wrapping key and algorithm of the import token.".into(),
            ),
            other => crypto_error(other),
        })?;
    let spec = k.meta.key_spec;
    crypto::validate_imported(spec, &material).map_err(|e| match e {
        CryptoError::InvalidKey(m) => KmsError::IncorrectKeyMaterial(format!(
            "The key material is not valid for {}: {m}.",
            k.arn()
        )),
        other => crypto_error(other),
    })
}

/// ImportKeyMaterial.
pub async fn import_material(
    kms: &Kms,
    caller: &Caller,
    p: ImportKeyMaterialInput,
) -> KmsResult<ImportKeyMaterialOutput> {
    let id = required(&p.key_id, "keyId")?.to_string();
    let token = blob_param(&p.import_token, "importToken")?;
    let wrapped = blob_param(&p.encrypted_key_material, "encryptedKeyMaterial")?;
    let now = kms.now_ms();
    let (model, valid_to) = expiration(&p, now)?;
    let (kms2, caller2, root) = (kms.clone(), caller.clone(), kms.root.clone());
    let (k, mid) = kms
        .write(move |c| {
            let mut k = resolve(c, &kms2, &caller2, &id, false)?;
            check_importable(&k)?;
            let params = import_model::get(c, &hex::encode(&token))?
                .filter(|t| t.key_id == k.key_id)
                .ok_or_else(|| {
                    KmsError::InvalidImportToken(format!(
                        "The import token is not valid for {}.",
                        k.arn()
                    ))
                })?;
            if params.valid_to_ms <= now {
                return Err(KmsError::ExpiredImportToken(
                    "The import token has expired; call GetParametersForImport again.".into(),
                ));
            }
            let material = unwrap_material(&kms2, &k, &params, &wrapped)?;
            let mid = material_id(&k.key_id, &material)?;
            if k.meta.material_id.as_ref().is_some_and(|old| *old != mid) {
                return Err(KmsError::IncorrectKeyMaterial(format!(
                    "The key material is not the key material previously imported into {}.",
                    k.arn()
                )));
            }
            store_material(c, &root, &k.key_id, IMPORTED_VERSION, now, &material)?;
            k.meta.material_id = Some(mid.clone());
            k.meta.current_version = IMPORTED_VERSION;
            k.meta.expiration_model = Some(model);
            k.meta.valid_to_ms = valid_to;
            if k.meta.key_state == KeyState::PendingImport {
                k.meta.key_state = KeyState::Enabled;
            }
            key_model::update(c, &k)?;
            Ok((k, mid))
        })
        .await?;
    Ok(ImportKeyMaterialOutput {
        key_id: k.arn(),
        key_material_id: mid,
    })
}

/// Removes a key's imported material: the key becomes PendingImport (unless it is pending
/// deletion) and its ciphertexts stop decrypting until the same material is imported again.
pub fn remove_material(c: &Conn, k: &mut KeyRecord) -> KmsResult<()> {
    key_model::delete_material(c, &k.key_id)?;
    k.meta.current_version = 0;
    k.meta.valid_to_ms = None;
    k.meta.expiration_model = None;
    if k.meta.key_state != KeyState::PendingDeletion {
        k.meta.key_state = KeyState::PendingImport;
    }
    key_model::update(c, k)
}

/// DeleteImportedKeyMaterial.
pub async fn delete_material(
    kms: &Kms,
    caller: &Caller,
    p: DeleteImportedKeyMaterialInput,
) -> KmsResult<DeleteImportedKeyMaterialOutput> {
    let id = required(&p.key_id, "keyId")?.to_string();
    let (kms2, caller2) = (kms.clone(), caller.clone());
    let k = kms
        .write(move |c| {
            let mut k = resolve(c, &kms2, &caller2, &id, false)?;
            check_external(&k)?;
            remove_material(c, &mut k)?;
            Ok(k)
        })
        .await?;
    Ok(DeleteImportedKeyMaterialOutput {
        key_id: k.arn(),
        key_material_id: k.meta.material_id.clone(),
    })
}

/// Removes the material of keys whose ValidTo has passed (called by `housekeeping`).
pub fn expire_due(c: &Conn, now_ms: i64) -> KmsResult<()> {
    for id in key_model::due_for_expiry(c, now_ms)? {
        if let Some(mut k) = key_model::get(c, &id)? {
            remove_material(c, &mut k)?;
        }
    }
    Ok(())
}
