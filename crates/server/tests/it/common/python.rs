//! Acceptance cross-checks outside trailstack: the scripts in `py/` (Python `cryptography`,
//! boto3) run with JSON on stdin and answer JSON, and base64 as they speak it.

use base64::Engine;
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};

/// Base64 of bytes.
pub fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// The bytes of a base64 JSON string.
pub fn unb64(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str().unwrap_or_else(|| panic!("not a string: {v}")))
        .unwrap()
}

/// Runs `py/<script>` with `input` as JSON on stdin and returns its JSON answer. The
/// cross-checks are acceptance tests: a missing python3 or `cryptography` fails them.
pub fn py(script: &str, input: Value) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/py")
        .join(script);
    // -B: no __pycache__ in the source tree.
    let mut child = Command::new("python3")
        .arg("-B")
        .arg(&path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 is needed for the KMS cross-checks");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{script} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}
