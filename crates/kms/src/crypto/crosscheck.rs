//! Cross-checks this module against an independent implementation: Python `cryptography`
//! (OpenSSL) run by `crates/kms/tests/crosscheck.py`. Rust writes keys, signatures and
//! ciphertexts to a temporary directory; Python verifies them and produces ciphertexts,
//! wrapped material and ECDH halves that Rust must then decrypt, unwrap and agree with.
//! Test-only.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use super::*;

/// Hex for the exchange file, `-` for empty.
fn h(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        "-".into()
    } else {
        hex::encode(bytes)
    }
}

fn unh(field: &str) -> Vec<u8> {
    if field == "-" {
        Vec::new()
    } else {
        hex::decode(field).expect("hex from crosscheck.py")
    }
}

fn python_cryptography_available() -> bool {
    Command::new("python3")
        .args(["-c", "import cryptography.hazmat.primitives.keywrap"])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Builds the input records; returns the keys the output records refer to by name.
fn write_input(input: &mut String) -> HashMap<String, (KeySpec, KeyMaterial)> {
    let mut named = HashMap::new();
    let message = b"trailstack crosscheck message";
    for &spec in KeySpec::ALL.iter().filter(|s| s.is_asymmetric()) {
        let key = test_key(spec);
        let spki = public_key_der(spec, &key).unwrap();
        writeln!(input, "pair {spec} {} {}", h(key.as_bytes()), h(&spki)).unwrap();
        let (pair_private, pair_public) = generate_data_key_pair(spec).unwrap();
        writeln!(
            input,
            "pair {spec} {} {}",
            h(pair_private.as_bytes()),
            h(&pair_public)
        )
        .unwrap();
        for &alg in spec.signing_algorithms() {
            let raw = sign(spec, &key, alg, MessageType::Raw, message).unwrap();
            writeln!(
                input,
                "sig {spec} {alg} RAW {} {} {}",
                h(&spki),
                h(message),
                h(&raw)
            )
            .unwrap();
            // A signature over the digest verifies as a signature of the raw message.
            let digest = aws_lc_rs::digest::digest(
                match alg.digest_len() {
                    32 => &aws_lc_rs::digest::SHA256,
                    48 => &aws_lc_rs::digest::SHA384,
                    _ => &aws_lc_rs::digest::SHA512,
                },
                message,
            );
            let sig = sign(spec, &key, alg, MessageType::Digest, digest.as_ref()).unwrap();
            writeln!(
                input,
                "sig {spec} {alg} RAW {} {} {}",
                h(&spki),
                h(message),
                h(&sig)
            )
            .unwrap();
            writeln!(
                input,
                "sig {spec} {alg} DIGEST {} {} {}",
                h(&spki),
                h(digest.as_ref()),
                h(&raw)
            )
            .unwrap();
        }
        for &alg in spec.encryption_algorithms() {
            let max = rsa_max_plaintext(spec, alg).unwrap();
            for len in [1, max] {
                let name = format!("oaep-{spec}-{alg}-{len}");
                writeln!(input, "oaep {name} {spec} {alg} {} {len}", h(&spki)).unwrap();
                let plain = random_bytes(len).unwrap();
                let ct = rsa_encrypt(spec, &key, alg, &plain).unwrap();
                writeln!(
                    input,
                    "oaep-dec {alg} {} {} {}",
                    h(key.as_bytes()),
                    h(&plain),
                    h(&ct)
                )
                .unwrap();
                named.insert(name, (spec, key.clone()));
            }
        }
        if !spec.key_agreement_algorithms().is_empty() {
            let name = format!("ecdh-{spec}");
            writeln!(input, "ecdh {name} {spec} {}", h(&spki)).unwrap();
            named.insert(name, (spec, key.clone()));
        }
        if spec.is_wrapping_key_spec() {
            // A fresh wrapping key for RSA_2048; the (slow to generate) larger sizes reuse `key`.
            let (wrapping, wrapping_public) = if spec == KeySpec::Rsa2048 {
                generate_wrapping_key(spec).unwrap()
            } else {
                (key.clone(), spki.clone())
            };
            for &alg in WrappingAlgorithm::ALL {
                for len in [32, 64] {
                    let name = format!("wrap-{spec}-{alg}-{len}");
                    writeln!(
                        input,
                        "wrap {name} {spec} {alg} {} {len}",
                        h(&wrapping_public)
                    )
                    .unwrap();
                    named.insert(name, (spec, wrapping.clone()));
                }
            }
            // An RSA private key (PKCS#8, too long for OAEP alone) through RSA_AES_KEY_WRAP.
            let name = format!("wrap-{spec}-RSA_AES_KEY_WRAP_SHA_256-1300");
            writeln!(
                input,
                "wrap {name} {spec} RSA_AES_KEY_WRAP_SHA_256 {} 1300",
                h(&wrapping_public)
            )
            .unwrap();
            named.insert(name, (spec, wrapping));
        }
    }
    for &spec in KeySpec::ALL.iter().filter(|s| s.is_hmac()) {
        let key = generate(spec).unwrap();
        for message in [&b""[..], message] {
            let alg = spec.mac_algorithms()[0];
            let tag = mac(spec, &key, alg, message).unwrap();
            writeln!(
                input,
                "mac {alg} {} {} {}",
                h(key.as_bytes()),
                h(message),
                h(&tag)
            )
            .unwrap();
        }
    }
    let key = generate(KeySpec::SymmetricDefault).unwrap();
    let ctx = [(
        "aws:s3:arn".to_string(),
        "arn:aws:s3:::bucket/key".to_string(),
    )]
    .into();
    for aad in [Vec::new(), context_aad(&ctx)] {
        let (nonce, ct) = aes_gcm_encrypt(key.as_bytes(), &aad, message).unwrap();
        writeln!(
            input,
            "gcm {} {} {} {} {}",
            h(key.as_bytes()),
            h(&nonce),
            h(&aad),
            h(&ct),
            h(message)
        )
        .unwrap();
    }
    named
}

/// Checks Python's output records with our keys; returns how many were checked.
fn check_output(output: &str, named: &HashMap<String, (KeySpec, KeyMaterial)>) -> usize {
    let mut checked = 0;
    for line in output.lines().filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split(' ').collect();
        let (spec, key) = &named[f[1]];
        let alg_of = |name: &str| name.split('-').nth(2).unwrap().to_string();
        match f[0] {
            "oaep" => {
                let alg = EncryptionAlgorithm::parse(&alg_of(f[1])).unwrap();
                let plain = rsa_decrypt(*spec, key, alg, &unh(f[3])).unwrap();
                assert_eq!(plain, unh(f[2]), "{line}");
            }
            "wrap" => {
                let alg = WrappingAlgorithm::parse(&alg_of(f[1])).unwrap();
                let material = unwrap_imported(key, *spec, alg, &unh(f[3])).unwrap();
                assert_eq!(material.as_bytes(), &unh(f[2])[..], "{}", f[1]);
            }
            "ecdh" => {
                let secret = derive_shared_secret(*spec, key, &unh(f[2])).unwrap();
                assert_eq!(secret, unh(f[3]), "{}", f[1]);
            }
            other => panic!("unknown output record {other}"),
        }
        checked += 1;
    }
    checked
}

#[test]
fn python_cryptography_agrees() {
    if !python_cryptography_available() {
        eprintln!("note: python3 with `cryptography` not found; skipping the crosscheck");
        return;
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("crosscheck.py");
    let dir = tempfile::tempdir().unwrap();
    let mut input = String::new();
    let named = write_input(&mut input);
    std::fs::write(dir.path().join("input.txt"), &input).unwrap();

    let run = Command::new("python3")
        .arg(&script)
        .arg(dir.path())
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&run.stdout);
    if run.status.code() == Some(77) {
        eprintln!("note: {report}; skipping the crosscheck");
        return;
    }
    assert!(
        run.status.success(),
        "crosscheck.py failed:\n{report}\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let records = input.lines().count();
    assert!(
        report.contains(&format!("{records} checks passed, 0 failed")),
        "{report}"
    );

    let output = std::fs::read_to_string(dir.path().join("output.txt")).unwrap();
    let checked = check_output(&output, &named);
    assert_eq!(checked, named.len(), "every named record came back");
    eprintln!(
        "{}; {checked} Python-made records checked in Rust",
        report.trim()
    );
}
