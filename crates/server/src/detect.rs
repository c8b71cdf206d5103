//! Which service a request is for — one pure function, table-tested, so routing never depends on
//! anything but the request's own headers (ARCHITECTURE.md §2).

/// The services served on the one port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// Amazon S3 (REST/XML).
    S3,
    /// AWS KMS (JSON 1.1, `TrentService.*`).
    Kms,
    /// AWS CloudTrail (JSON 1.1).
    CloudTrail,
    /// AWS STS (query protocol), by its SigV4 credential scope `sts`.
    Sts,
    /// AWS IAM (query protocol), by its SigV4 credential scope `iam`.
    Iam,
    /// trailstack's own operations (`Trailstack.Flush`), authenticated like every request.
    Admin,
    /// A JSON-protocol request for a service trailstack does not serve.
    Other,
}

const KMS_PREFIX: &str = "TrentService.";
/// The `X-Amz-Target` prefix of CloudTrail operations.
pub const CLOUDTRAIL_TARGET_PREFIX: &str =
    "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.";
/// The short form of that prefix, which the AWS SDKs other than botocore send.
pub const CLOUDTRAIL_SHORT_TARGET_PREFIX: &str = "CloudTrail_20131101.";

/// The `X-Amz-Target` prefix of trailstack's own operations.
pub const ADMIN_TARGET_PREFIX: &str = "Trailstack.";

/// Detects the service from `X-Amz-Target`, else from the service named in the SigV4 credential
/// scope (header or presigned query: `kms`, `cloudtrail`, `sts`, `iam`), else S3.
pub fn detect(target: Option<&str>, scope_service: Option<&str>) -> Service {
    if let Some(t) = target {
        if t.starts_with(KMS_PREFIX) {
            return Service::Kms;
        }
        if t.starts_with(CLOUDTRAIL_TARGET_PREFIX) || t.starts_with(CLOUDTRAIL_SHORT_TARGET_PREFIX)
        {
            return Service::CloudTrail;
        }
        if t.starts_with(ADMIN_TARGET_PREFIX) {
            return Service::Admin;
        }
        return Service::Other;
    }
    match scope_service {
        Some("kms") => Service::Kms,
        Some("cloudtrail") => Service::CloudTrail,
        Some("sts") => Service::Sts,
        Some("iam") => Service::Iam,
        _ => Service::S3,
    }
}

/// The service named in a credential scope: the fourth `/`-separated field of
/// `Credential=AKID/20130524/us-east-1/s3/aws4_request` (header) or of the `X-Amz-Credential`
/// query parameter (presigned).
pub fn scope_service<'a>(
    authorization: Option<&'a str>,
    credential_query: Option<&'a str>,
) -> Option<&'a str> {
    let cred = match authorization {
        Some(a) => a.split("Credential=").nth(1)?.split([',', ' ']).next()?,
        None => credential_query?,
    };
    cred.split('/').nth(3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detection_table() {
        let auth_kms = "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=00";
        let auth_s3 = "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00";
        type Case<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>, Service);
        let auth_sts = "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00";
        let cases: [Case; 14] = [
            (
                None,
                None,
                Some("test/20250101/us-east-1/iam/aws4_request"),
                Service::Iam,
            ),
            (None, Some(auth_sts), None, Service::Sts),
            (
                None,
                None,
                Some("test/20250101/us-east-1/sts/aws4_request"),
                Service::Sts,
            ),
            (
                Some("TrentService.Encrypt"),
                Some(auth_kms),
                None,
                Service::Kms,
            ),
            (
                Some("TrentService.Encrypt"),
                Some(auth_s3),
                None,
                Service::Kms,
            ),
            (
                Some("com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.CreateTrail"),
                None,
                None,
                Service::CloudTrail,
            ),
            (Some("Trailstack.Flush"), None, None, Service::Admin),
            (
                Some("CloudTrail_20131101.CreateTrail"),
                None,
                None,
                Service::CloudTrail,
            ),
            (
                Some("DynamoDB_20120810.PutItem"),
                None,
                None,
                Service::Other,
            ),
            (None, Some(auth_kms), None, Service::Kms),
            (None, Some(auth_s3), None, Service::S3),
            (
                None,
                None,
                Some("test/20250101/us-east-1/s3/aws4_request"),
                Service::S3,
            ),
            (
                None,
                None,
                Some("test/20250101/us-east-1/cloudtrail/aws4_request"),
                Service::CloudTrail,
            ),
            (None, None, None, Service::S3),
        ];
        for (target, auth, cred, want) in cases {
            assert_eq!(
                detect(target, scope_service(auth, cred)),
                want,
                "{target:?} {auth:?} {cred:?}"
            );
        }
    }
}
