//! The KMS JSON 1.1 wire protocol: `X-Amz-Target: TrentService.<Op>` and a JSON body in, a JSON
//! object or `{"__type","message"}` error out. The only KMS code that sees the wire format.

use crate::error::{KmsError, KmsResult};
use crate::op::{Op, OpKind, Output, Params};

/// The target prefix of KMS requests.
pub const TARGET_PREFIX: &str = "TrentService.";
/// The response content type.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";

/// Parses a request into an operation.
pub fn parse(target: &str, body: &[u8]) -> KmsResult<Op> {
    let name = target.strip_prefix(TARGET_PREFIX).unwrap_or(target);
    let kind = OpKind::parse(name).ok_or_else(|| {
        KmsError::UnknownOperation(format!("trailstack does not serve KMS {name} yet"))
    })?;
    let params: Params = if body.iter().all(u8::is_ascii_whitespace) {
        Params::default()
    } else {
        serde_json::from_slice(body)
            .map_err(|e| KmsError::Serialization(format!("Could not parse request body: {e}")))?
    };
    Ok(Op { kind, params })
}

/// The JSON body of a successful response.
pub fn encode(out: &Output) -> Vec<u8> {
    serde_json::to_vec(out).unwrap_or_else(|_| b"{}".to_vec())
}

/// The status and JSON body of an error.
pub fn encode_error(e: &KmsError) -> (u16, Vec<u8>) {
    let body = serde_json::json!({ "__type": e.code(), "message": e.message() });
    (e.status(), body.to_string().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_targets_and_bodies() {
        let op = parse(
            "TrentService.Encrypt",
            br#"{"KeyId":"alias/x","Plaintext":"aGk=","EncryptionContext":{"a":"b"}}"#,
        )
        .unwrap();
        assert_eq!(op.kind, OpKind::Encrypt);
        assert_eq!(op.params.plaintext.as_deref(), Some(&b"hi"[..]));
        assert_eq!(
            parse("TrentService.Nope", b"{}").unwrap_err().code(),
            "UnknownOperationException"
        );
        assert_eq!(
            parse("TrentService.Encrypt", b"{nope").unwrap_err().code(),
            "SerializationException"
        );
        assert_eq!(
            parse("TrentService.Encrypt", br#"{"Plaintext":"***"}"#)
                .unwrap_err()
                .code(),
            "SerializationException"
        );
    }
}
