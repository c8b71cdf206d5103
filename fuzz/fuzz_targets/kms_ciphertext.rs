//! The KMS ciphertext blob (version, key id, material version, nonce, AES-GCM ciphertext and
//! tag), as Decrypt and ReEncrypt read it from any client: through the real KMS service, with
//! and without a KeyId, under an encryption context from the input.
//!
//! Input: `control \0 encryption context lines (k=v) \0 blob`. Control bit 0 set: the last
//! field is not a blob but mutations (3 bytes: position, operation) of a genuine ciphertext of
//! `alias/fuzz-sym` made at start; bit 1: use the genuine encryption context instead; bit 2:
//! name the key. Whatever the blob, Decrypt succeeds only for the genuine ciphertext under its
//! genuine context, and gives back the genuine plaintext.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use trailstack_fuzz::harness::Harness;
use trailstack_fuzz::Fields;
use trailstack_kms::shapes::{DecryptInput, EncryptInput, ReEncryptInput, Secret};

const PLAINTEXT: &[u8] = b"the genuine plaintext";

struct Genuine {
    blob: Vec<u8>,
    context: BTreeMap<String, String>,
}

fn genuine() -> &'static Genuine {
    static G: OnceLock<Genuine> = OnceLock::new();
    G.get_or_init(|| {
        let h = Harness::get();
        h.key("{}", "alias/fuzz-sym");
        let context: BTreeMap<String, String> =
            [("purpose".to_string(), "fuzz".to_string())].into();
        let input = EncryptInput {
            key_id: Some("alias/fuzz-sym".into()),
            plaintext: Some(Secret::new(PLAINTEXT.to_vec())),
            encryption_context: Some(context.clone()),
            ..EncryptInput::default()
        };
        let blob = h
            .block_on(h.app.kms.invoke(&h.root, input))
            .unwrap_or_else(|e| panic!("setup: Encrypt: {e:?}"))
            .ciphertext_blob;
        Genuine { blob, context }
    })
}

fn mutate(mut v: Vec<u8>, mutations: &[u8]) -> Vec<u8> {
    for m in mutations.chunks_exact(3) {
        if v.is_empty() {
            break;
        }
        let at = usize::from(m[0]) % v.len();
        match m[1] % 3 {
            0 => v[at] ^= m[2] | 1,
            1 => v.truncate(at),
            _ => v.insert(at, m[2]),
        }
    }
    v
}

fuzz_target!(|data: &[u8]| {
    let g = genuine();
    let h = Harness::get();
    let mut f = Fields::new(data);
    let control = f.bytes().first().copied().unwrap_or(0);
    let context: BTreeMap<String, String> = f
        .text()
        .lines()
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap_or((l, ""));
            (k.to_string(), v.to_string())
        })
        .collect();
    let context = if control & 2 != 0 {
        Some(g.context.clone())
    } else {
        (!context.is_empty()).then_some(context)
    };
    let blob = if control & 1 != 0 {
        mutate(g.blob.clone(), f.rest())
    } else {
        f.rest().to_vec()
    };
    let key_id = (control & 4 != 0).then(|| "alias/fuzz-sym".to_string());
    let genuine_request = blob == g.blob && context.as_ref() == Some(&g.context);
    let decrypt = DecryptInput {
        ciphertext_blob: Some(blob.clone()),
        encryption_context: context.clone(),
        key_id: key_id.clone(),
        ..DecryptInput::default()
    };
    if let Ok(out) = h.block_on(h.app.kms.invoke(&h.root, decrypt)) {
        assert!(
            genuine_request,
            "Decrypt accepted a forged ciphertext or context"
        );
        assert_eq!(
            out.plaintext.as_bytes(),
            PLAINTEXT,
            "Decrypt gave back other bytes"
        );
    }
    let reencrypt = ReEncryptInput {
        ciphertext_blob: Some(blob),
        source_encryption_context: context,
        source_key_id: key_id,
        destination_key_id: Some("alias/fuzz-sym".into()),
        ..ReEncryptInput::default()
    };
    if h.block_on(h.app.kms.invoke(&h.root, reencrypt)).is_ok() {
        assert!(
            genuine_request,
            "ReEncrypt accepted a forged ciphertext or context"
        );
    }
});
