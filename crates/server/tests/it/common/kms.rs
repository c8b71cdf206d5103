//! KMS set-up many tests share: a server and its KMS client, keys created with the defaults or
//! of a spec and usage, and plaintext encrypted and decrypted.

use super::{ok, Server};
use aws_sdk_kms::operation::decrypt::DecryptOutput;
use aws_sdk_kms::primitives::Blob;
use aws_sdk_kms::types::{KeyMetadata, KeySpec, KeyUsageType};
use aws_sdk_kms::Client;

/// Starts a server (as [`Server::start`]); the server and a KMS client of the default
/// credentials.
pub async fn start_kms() -> (Server, Client) {
    let s = Server::start().await;
    let k = s.kms();
    (s, k)
}

/// Creates a symmetric encryption key with the defaults; returns its metadata.
pub async fn new_key(k: &Client) -> KeyMetadata {
    k.create_key().send().await.unwrap().key_metadata.unwrap()
}

/// Creates a symmetric encryption key with the defaults; returns its id.
pub async fn new_key_id(k: &Client) -> String {
    new_key(k).await.key_id
}

/// Creates a key of `spec` for `usage`; returns its id.
pub async fn new_key_of(k: &Client, spec: KeySpec, usage: KeyUsageType) -> String {
    ok!(k.create_key().key_spec(spec).key_usage(usage))
        .key_metadata
        .unwrap()
        .key_id
}

/// Encrypts `plaintext` under `key_id`; returns the ciphertext blob.
pub async fn encrypt(k: &Client, key_id: &str, plaintext: &[u8]) -> Blob {
    ok!(k.encrypt().key_id(key_id).plaintext(Blob::new(plaintext)))
        .ciphertext_blob
        .unwrap()
}

/// Decrypts `blob` (the key is the one the ciphertext names).
pub async fn decrypt(k: &Client, blob: Blob) -> DecryptOutput {
    k.decrypt().ciphertext_blob(blob).send().await.unwrap()
}
