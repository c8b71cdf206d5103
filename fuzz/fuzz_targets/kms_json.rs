//! KMS JSON 1.1 requests (`X-Amz-Target: TrentService.<Op>` and a JSON body), parsed by the
//! service's wire layer and, when they parse, run by the real KMS service over a real store:
//! the handlers' own checks (lengths, specs, algorithms, encryption contexts, grant
//! constraints, key policies, tags) see every value libFuzzer comes up with.
//!
//! Fixture keys, named by alias in the seeds: `alias/fuzz-sym` (symmetric), `alias/fuzz-hmac`
//! (HMAC_256), `alias/fuzz-sign` (ECC_NIST_P256 signing), `alias/fuzz-ecdh` (ECC_NIST_P256 key
//! agreement), `alias/fuzz-rsa` (RSA_2048 encryption). Left out, to keep each run fast and the
//! fixtures usable: RSA key generation (CreateKey, GenerateDataKeyPair, GetParametersForImport
//! take seconds), and the operations that disable, delete, re-point or lock out a fixture.
//!
//! Input: `operation \0 JSON body`. Besides no panic: GenerateRandom never answers more than
//! 1024 bytes, and what Encrypt answers decrypts to its plaintext.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use trailstack_fuzz::harness::Harness;
use trailstack_fuzz::Fields;
use trailstack_kms::crypto::KeySpec;
use trailstack_kms::shapes::{DecryptInput, Named};
use trailstack_kms::{Op, OpKind, Output};

fn harness() -> &'static Harness {
    static READY: OnceLock<()> = OnceLock::new();
    let h = Harness::get();
    READY.get_or_init(|| {
        for (create_body, alias) in [
            ("{}", "alias/fuzz-sym"),
            (
                r#"{"KeySpec":"HMAC_256","KeyUsage":"GENERATE_VERIFY_MAC"}"#,
                "alias/fuzz-hmac",
            ),
            (
                r#"{"KeySpec":"ECC_NIST_P256","KeyUsage":"SIGN_VERIFY"}"#,
                "alias/fuzz-sign",
            ),
            (
                r#"{"KeySpec":"ECC_NIST_P256","KeyUsage":"KEY_AGREEMENT"}"#,
                "alias/fuzz-ecdh",
            ),
            (
                r#"{"KeySpec":"RSA_2048","KeyUsage":"ENCRYPT_DECRYPT"}"#,
                "alias/fuzz-rsa",
            ),
        ] {
            h.key(create_body, alias);
        }
    });
    h
}

/// Whether running `op` keeps a run fast and its fixtures intact.
fn runnable(op: &Op) -> bool {
    use OpKind::*;
    let rsa = |spec: Option<&Named<KeySpec>>| {
        spec.is_some_and(|s| s.name().to_ascii_uppercase().contains("RSA"))
    };
    let names_fixture = [op.key_id(), op.target_key_id(), op.alias_name()]
        .into_iter()
        .flatten()
        .any(|s| s.to_ascii_lowercase().contains("fuzz"));
    match op {
        Op::CreateKey(p) => !rsa(p.key_spec.as_ref()) && !rsa(p.customer_master_key_spec.as_ref()),
        Op::GenerateDataKeyPair(p) => !rsa(p.key_pair_spec.as_ref()),
        Op::GenerateDataKeyPairWithoutPlaintext(p) => !rsa(p.key_pair_spec.as_ref()),
        Op::GetParametersForImport(_) => false,
        _ => match op.kind() {
            DisableKey
            | ScheduleKeyDeletion
            | PutKeyPolicy
            | DeleteAlias
            | UpdateAlias
            | ImportKeyMaterial
            | DeleteImportedKeyMaterial
            | EnableKey
            | CancelKeyDeletion
            | EnableKeyRotation
            | DisableKeyRotation
            | RotateKeyOnDemand => !names_fixture,
            _ => true,
        },
    }
}

fuzz_target!(|data: &[u8]| {
    let (target, body) = Fields::operation(data);
    let Ok(op) = trailstack_kms::wire::parse(&target, body) else {
        return;
    };
    if !runnable(&op) {
        return;
    }
    let h = harness();
    let encrypt = match &op {
        Op::Encrypt(p) => Some(p.clone()),
        _ => None,
    };
    let Ok(out) = h.block_on(h.app.kms.call(&h.root, op)) else {
        return;
    };
    let _ = trailstack_kms::wire::encode(&out);
    match (out, encrypt) {
        (Output::GenerateRandom(o), _) => {
            let n = o.plaintext.as_bytes().len();
            assert!(n <= 1024, "GenerateRandom answered {n} bytes");
        }
        (Output::Encrypt(o), Some(p)) => {
            let decrypt = DecryptInput {
                ciphertext_blob: Some(o.ciphertext_blob),
                encryption_context: p.encryption_context.clone(),
                encryption_algorithm: p.encryption_algorithm.clone(),
                key_id: Some(o.key_id),
                ..DecryptInput::default()
            };
            let back = h
                .block_on(h.app.kms.invoke(&h.root, decrypt))
                .unwrap_or_else(|e| panic!("what Encrypt answered does not decrypt: {e:?}"));
            assert_eq!(
                Some(back.plaintext.as_bytes()),
                p.plaintext.as_ref().map(|s| s.as_bytes()),
                "Decrypt gave back other bytes"
            );
        }
        _ => {}
    }
});
