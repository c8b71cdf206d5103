//! Signatures and MACs: Sign, Verify, GetPublicKey, GenerateMac, VerifyMac.

use super::symmetric::crypto_error;
use super::{check_usable, load_material, required, resolve};
use crate::crypto::{
    self, KeyMaterial, KeySpec, KeyUsage, MacAlgorithm, MessageType, SigningAlgorithm, WireName,
};
use crate::error::{KmsError, KmsResult};
use crate::model::keys::KeyRecord;
use crate::shapes::{
    GenerateMacInput, GenerateMacOutput, GetPublicKeyInput, GetPublicKeyOutput, Named, SignInput,
    SignOutput, VerifyInput, VerifyMacInput, VerifyMacOutput, VerifyOutput,
};
use crate::Kms;
use trailstack_core::Caller;

/// Largest message of Sign, Verify, GenerateMac and VerifyMac.
const MAX_MESSAGE: usize = 4096;

fn message(m: &Option<Vec<u8>>) -> KmsResult<Vec<u8>> {
    let m = m
        .clone()
        .ok_or_else(|| KmsError::Validation("Message is required.".into()))?;
    if m.is_empty() || m.len() > MAX_MESSAGE {
        return Err(KmsError::Validation(format!(
            "1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length between 1 and {MAX_MESSAGE}"
        )));
    }
    Ok(m)
}

fn usage_error(k: &KeyRecord, op: &str) -> KmsError {
    KmsError::InvalidKeyUsage(format!(
        "{} key usage is {} which is not valid for {op}.",
        k.arn(),
        k.meta.key_usage
    ))
}

/// The spec of key `k`, which must be usable and have `usage` for `op`.
fn usable_for(k: &KeyRecord, usage: KeyUsage, op: &str) -> KmsResult<KeySpec> {
    check_usable(k)?;
    if k.meta.key_usage != usage {
        return Err(usage_error(k, op));
    }
    Ok(k.meta.key_spec)
}

/// The algorithm the request member `member` names, which must be one of the key spec's
/// `supported` algorithms.
fn algorithm_of<A: WireName + PartialEq + std::fmt::Display>(
    spec: KeySpec,
    name: &Option<Named<A>>,
    member: &str,
    supported: &[A],
) -> KmsResult<A> {
    let alg = required(name, member)?.known().map_err(|name| {
        KmsError::Validation(format!(
            "1 validation error detected: Value '{name}' at '{member}' failed to satisfy constraint: Member must satisfy enum value set"
        ))
    })?;
    if !supported.contains(&alg) {
        return Err(KmsError::InvalidKeyUsage(format!(
            "Algorithm {alg} is incompatible with key spec {}.",
            spec.name()
        )));
    }
    Ok(alg)
}

/// The key (usable, SIGN_VERIFY), the algorithm and message type of a Sign or Verify.
fn signing_setup(
    k: &KeyRecord,
    signing_algorithm: &Option<Named<SigningAlgorithm>>,
    message_type: Option<&Named<MessageType>>,
    op: &str,
) -> KmsResult<(KeySpec, SigningAlgorithm, MessageType)> {
    let spec = usable_for(k, KeyUsage::SignVerify, op)?;
    let alg = algorithm_of(
        spec,
        signing_algorithm,
        "signingAlgorithm",
        spec.signing_algorithms(),
    )?;
    let msg_type = match message_type.map(Named::known) {
        None => MessageType::Raw,
        Some(Ok(t)) => t,
        Some(Err(other)) => {
            return Err(KmsError::Validation(format!(
                "1 validation error detected: Value '{other}' at 'messageType' failed to satisfy constraint: Member must satisfy enum value set: [RAW, DIGEST]"
            )))
        }
    };
    Ok((spec, alg, msg_type))
}

/// Reads the key `id` names (an alias too) and, once `check` accepts it, has `run` use its
/// current material: the key, and what `run` answers.
async fn with_current_material<S, T: Send + 'static>(
    kms: &Kms,
    caller: &Caller,
    id: String,
    check: impl FnOnce(&KeyRecord) -> KmsResult<S> + Send + 'static,
    run: impl FnOnce(S, &KeyMaterial) -> KmsResult<T> + Send + 'static,
) -> KmsResult<(KeyRecord, T)> {
    let (kms2, caller2) = (kms.clone(), caller.clone());
    kms.read(move |c| {
        let k = resolve(c, &kms2, &caller2, &id, true)?;
        let checked = check(&k)?;
        let material = load_material(c, &kms2, &k, k.meta.current_version)?;
        Ok((k, run(checked, &material)?))
    })
    .await
}

/// Sign.
pub async fn sign(kms: &Kms, caller: &Caller, p: SignInput) -> KmsResult<SignOutput> {
    let id = required(&p.key_id, "keyId")?.to_string();
    let msg = message(&p.message)?;
    let (k, (alg, sig)) = with_current_material(
        kms,
        caller,
        id,
        move |k| signing_setup(k, &p.signing_algorithm, p.message_type.as_ref(), "Sign"),
        move |(spec, alg, t), material| {
            Ok((
                alg,
                crypto::sign(spec, material, alg, t, &msg).map_err(crypto_error)?,
            ))
        },
    )
    .await?;
    Ok(SignOutput {
        key_id: k.arn(),
        signature: sig,
        signing_algorithm: alg,
    })
}

/// Verify: a bad signature is KMSInvalidSignatureException, never a 200 with false.
pub async fn verify(kms: &Kms, caller: &Caller, p: VerifyInput) -> KmsResult<VerifyOutput> {
    let id = required(&p.key_id, "keyId")?.to_string();
    let msg = message(&p.message)?;
    let sig = p
        .signature
        .clone()
        .ok_or_else(|| KmsError::Validation("Signature is required.".into()))?;
    let (k, (alg, ok)) = with_current_material(
        kms,
        caller,
        id,
        move |k| signing_setup(k, &p.signing_algorithm, p.message_type.as_ref(), "Verify"),
        move |(spec, alg, t), material| {
            let ok = crypto::verify(spec, material, alg, t, &msg, &sig).map_err(crypto_error)?;
            Ok((alg, ok))
        },
    )
    .await?;
    if !ok {
        return Err(KmsError::InvalidSignature(String::new()));
    }
    Ok(VerifyOutput {
        key_id: k.arn(),
        signature_valid: true,
        signing_algorithm: alg,
    })
}

/// GetPublicKey: the public key as X.509 SubjectPublicKeyInfo DER, with the key's usage and
/// algorithms.
pub async fn get_public_key(
    kms: &Kms,
    caller: &Caller,
    p: GetPublicKeyInput,
) -> KmsResult<GetPublicKeyOutput> {
    let id = required(&p.key_id, "keyId")?.to_string();
    let check = |k: &KeyRecord| {
        check_usable(k)?;
        if !k.meta.key_spec.is_asymmetric() {
            return Err(KmsError::UnsupportedOperation(format!(
                "{} is not an asymmetric key.",
                k.arn()
            )));
        }
        Ok(k.meta.key_spec)
    };
    let (k, der) = with_current_material(kms, caller, id, check, |spec, material| {
        crypto::public_key_der(spec, material).map_err(crypto_error)
    })
    .await?;
    let spec = k.meta.key_spec;
    let usage = k.meta.key_usage;
    Ok(GetPublicKeyOutput {
        key_id: k.arn(),
        public_key: der,
        customer_master_key_spec: spec,
        key_spec: spec,
        key_usage: usage,
        encryption_algorithms: (usage == KeyUsage::EncryptDecrypt)
            .then(|| spec.encryption_algorithms().to_vec()),
        signing_algorithms: (usage == KeyUsage::SignVerify)
            .then(|| spec.signing_algorithms().to_vec()),
        key_agreement_algorithms: (usage == KeyUsage::KeyAgreement).then(|| vec!["ECDH"]),
    })
}

fn mac_setup(
    k: &KeyRecord,
    mac_algorithm: &Option<Named<MacAlgorithm>>,
    op: &str,
) -> KmsResult<(KeySpec, MacAlgorithm)> {
    let spec = usable_for(k, KeyUsage::GenerateVerifyMac, op)?;
    let alg = algorithm_of(spec, mac_algorithm, "macAlgorithm", spec.mac_algorithms())?;
    Ok((spec, alg))
}

/// GenerateMac.
pub async fn generate_mac(
    kms: &Kms,
    caller: &Caller,
    p: GenerateMacInput,
) -> KmsResult<GenerateMacOutput> {
    let id = required(&p.key_id, "keyId")?.to_string();
    let msg = message(&p.message)?;
    let (k, (alg, mac)) = with_current_material(
        kms,
        caller,
        id,
        move |k| mac_setup(k, &p.mac_algorithm, "GenerateMac"),
        move |(spec, alg), material| {
            Ok((
                alg,
                crypto::mac(spec, material, alg, &msg).map_err(crypto_error)?,
            ))
        },
    )
    .await?;
    Ok(GenerateMacOutput {
        key_id: k.arn(),
        mac,
        mac_algorithm: alg,
    })
}

/// VerifyMac: a wrong MAC is KMSInvalidMacException.
pub async fn verify_mac(
    kms: &Kms,
    caller: &Caller,
    p: VerifyMacInput,
) -> KmsResult<VerifyMacOutput> {
    let id = required(&p.key_id, "keyId")?.to_string();
    let msg = message(&p.message)?;
    let mac = p
        .mac
        .clone()
        .ok_or_else(|| KmsError::Validation("Mac is required.".into()))?;
    let (k, (alg, ok)) = with_current_material(
        kms,
        caller,
        id,
        move |k| mac_setup(k, &p.mac_algorithm, "VerifyMac"),
        move |(spec, alg), material| {
            let ok = crypto::verify_mac(spec, material, alg, &msg, &mac).map_err(crypto_error)?;
            Ok((alg, ok))
        },
    )
    .await?;
    if !ok {
        return Err(KmsError::InvalidMac(String::new()));
    }
    Ok(VerifyMacOutput {
        key_id: k.arn(),
        mac_valid: true,
        mac_algorithm: alg,
    })
}
