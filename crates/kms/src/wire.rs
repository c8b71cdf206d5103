//! The KMS JSON 1.1 wire protocol: `X-Amz-Target: TrentService.<Op>` and a JSON body in, a JSON
//! object or `{"__type","message"}` error out. The only KMS code that sees the wire format: it
//! parses the body into the operation's typed input and serializes its typed output.

use crate::error::{KmsError, KmsResult};
use crate::op::{Op, OpKind, Output};

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
    // An empty body is an input with no members.
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        &b"{}"[..]
    } else {
        body
    };
    Op::from_json(kind, body)
        .map_err(|e| KmsError::Serialization(format!("Could not parse request body: {e}")))
}

/// The JSON body of a successful response, its members in the order the output type declares
/// them (JSON objects are unordered; SDKs read members by name).
pub fn encode(out: &Output) -> Vec<u8> {
    out.to_body().unwrap_or_else(|_| b"{}".to_vec())
}

/// The status and JSON body of an error.
pub fn encode_error(e: &KmsError) -> (u16, Vec<u8>) {
    let body = serde_json::json!({ "__type": e.code(), "message": e.message() });
    (e.status(), body.to_string().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::KeySpec;
    use crate::shapes::Named;

    #[test]
    fn parses_targets_and_bodies() {
        let op = parse(
            "TrentService.Encrypt",
            br#"{"KeyId":"alias/x","Plaintext":"aGk=","EncryptionContext":{"a":"b"}}"#,
        )
        .unwrap();
        let Op::Encrypt(input) = op else {
            panic!("{op:?}")
        };
        assert_eq!(
            input.plaintext.as_ref().map(|p| p.as_bytes()),
            Some(&b"hi"[..])
        );
        // Closed sets parse to their value; other names are kept for the handler to report.
        let op = parse(
            "TrentService.CreateKey",
            br#"{"KeySpec":"RSA_2048","KeyUsage":"SIGN"}"#,
        )
        .unwrap();
        let Op::CreateKey(input) = op else {
            panic!("{op:?}")
        };
        assert_eq!(input.key_spec, Some(Named::Known(KeySpec::Rsa2048)));
        assert_eq!(input.key_usage, Some(Named::Unknown("SIGN".into())));
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

    #[test]
    fn bodies_hold_the_outputs_members() {
        use crate::model::keys::{KeyMeta, KeyRecord, KeyState};
        use crate::shapes::{DescribeKeyOutput, Empty, GenerateRandomOutput, Secret};
        let k = KeyRecord {
            key_id: "mrk-1".into(),
            account: "111122223333".into(),
            region: "us-east-1".into(),
            created_ms: 1_593_484_447_500,
            meta: KeyMeta {
                description: "d".into(),
                key_state: KeyState::PendingDeletion,
                multi_region: true,
                deletion_ms: Some(1_600_000_000_000),
                pending_window_days: Some(7),
                ..Default::default()
            },
        };
        let out = Output::DescribeKey(DescribeKeyOutput {
            key_metadata: crate::handlers::key_metadata(&k),
        });
        let arn = "arn:aws:kms:us-east-1:111122223333:key/mrk-1";
        let body: serde_json::Value = serde_json::from_slice(&encode(&out)).unwrap();
        let expected: serde_json::Value = serde_json::from_str(&format!(
            concat!(
                r#"{{"KeyMetadata":{{"AWSAccountId":"111122223333","Arn":"{arn}","#,
                r#""CreationDate":1593484447.5,"CustomerMasterKeySpec":"SYMMETRIC_DEFAULT","#,
                r#""DeletionDate":1600000000.0,"Description":"d","Enabled":false,"#,
                r#""EncryptionAlgorithms":["SYMMETRIC_DEFAULT"],"KeyId":"mrk-1","#,
                r#""KeyManager":"CUSTOMER","KeySpec":"SYMMETRIC_DEFAULT","#,
                r#""KeyState":"PendingDeletion","KeyUsage":"ENCRYPT_DECRYPT","#,
                r#""MultiRegion":true,"MultiRegionConfiguration":{{"#,
                r#""MultiRegionKeyType":"PRIMARY","PrimaryKey":{{"Arn":"{arn}","#,
                r#""Region":"us-east-1"}},"ReplicaKeys":[]}},"Origin":"AWS_KMS","#,
                r#""PendingDeletionWindowInDays":7}}}}"#
            ),
            arn = arn
        ))
        .unwrap();
        assert_eq!(body, expected);
        assert_eq!(encode(&Output::EnableKey(Empty {})), b"{}");
        let random = Output::GenerateRandom(GenerateRandomOutput {
            plaintext: Secret::new(b"hi".to_vec()),
        });
        assert_eq!(encode(&random), br#"{"Plaintext":"aGk="}"#);
    }
}
