//! Identifier rules: trail names (`InvalidTrailNameException` with AWS's messages), trail ARNs
//! (`CloudTrailARNInvalidException`), and the formats CreateTrail checks before looking
//! anything up (bucket names, key prefixes, KMS key ids).

use crate::error::{CloudTrailError, CtResult};

/// Longest `S3KeyPrefix`.
pub const MAX_PREFIX: usize = 200;

/// Checks a trail name: 3–128 ASCII letters, digits, `.`, `_`, `-`; starting and ending with a
/// letter or digit; no two adjacent separators; not in IP address form.
pub fn check_trail_name(name: &str) -> CtResult<()> {
    let bad = |m: String| Err(CloudTrailError::InvalidTrailName(m));
    let len = name.chars().count();
    if len < 3 {
        return bad(format!("Trail name too short. Minimum allowed length: 3 characters. Specified name length: {len} characters."));
    }
    if len > 128 {
        return bad(format!("Trail name too long. Maximum allowed length: 128 characters. Specified name length: {len} characters."));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
    {
        return bad("Trail name or ARN can only contain uppercase letters, lowercase letters, numbers, periods (.), hyphens (-), and underscores (_).".into());
    }
    let bytes = name.as_bytes();
    if !bytes[0].is_ascii_alphanumeric() {
        return bad("Trail name must starts with a letter or number.".into());
    }
    if !bytes[bytes.len() - 1].is_ascii_alphanumeric() {
        return bad("Trail name must ends with a letter or number.".into());
    }
    if bytes
        .windows(2)
        .any(|w| !w[0].is_ascii_alphanumeric() && !w[1].is_ascii_alphanumeric())
    {
        return bad("Trail name cannot have adjacent periods (.), hyphens (-), or underscores (_), like my-_namespace or my--namespace.".into());
    }
    if name.parse::<std::net::Ipv4Addr>().is_ok() {
        return bad("Trail name cannot be formatted as an IP address.".into());
    }
    Ok(())
}

/// A parsed trail ARN: `arn:aws:cloudtrail:<region>:<account>:trail/<name>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailArn<'a> {
    /// The home region.
    pub region: &'a str,
    /// The owning account.
    pub account: &'a str,
    /// The trail name.
    pub name: &'a str,
}

/// The ARN of trail `name` homed in `region` of `account`.
pub fn trail_arn(region: &str, account: &str, name: &str) -> String {
    format!("arn:aws:cloudtrail:{region}:{account}:trail/{name}")
}

/// Parses a trail ARN, refusing any other form with `CloudTrailARNInvalidException`.
pub fn parse_trail_arn(arn: &str) -> CtResult<TrailArn<'_>> {
    let invalid = || {
        CloudTrailError::ArnInvalid(format!(
            "{arn} is not a valid trail ARN. The format of a trail ARN is arn:aws:cloudtrail:us-east-2:123456789012:trail/MyTrail."
        ))
    };
    let rest = arn
        .strip_prefix("arn:aws:cloudtrail:")
        .ok_or_else(invalid)?;
    let mut parts = rest.splitn(3, ':');
    let region = parts.next().ok_or_else(invalid)?;
    let account = parts.next().ok_or_else(invalid)?;
    let resource = parts.next().ok_or_else(invalid)?;
    let name = resource.strip_prefix("trail/").ok_or_else(invalid)?;
    let region_ok = !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let account_ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    if !region_ok || !account_ok || check_trail_name(name).is_err() {
        return Err(invalid());
    }
    Ok(TrailArn {
        region,
        account,
        name,
    })
}

/// A `Name` parameter that takes a trail name or ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameOrArn<'a> {
    /// A bare name, resolved in the caller's region.
    Name(&'a str),
    /// A full ARN.
    Arn(TrailArn<'a>),
}

/// Parses a name-or-ARN parameter: anything starting with `arn:` must be a trail ARN.
pub fn name_or_arn(v: &str) -> CtResult<NameOrArn<'_>> {
    if v.starts_with("arn:") {
        Ok(NameOrArn::Arn(parse_trail_arn(v)?))
    } else {
        check_trail_name(v)?;
        Ok(NameOrArn::Name(v))
    }
}

/// Whether `b` is a well-formed S3 bucket name (3–63 lowercase letters, digits, `.`, `-`,
/// starting and ending with a letter or digit).
pub fn valid_bucket_name(b: &str) -> bool {
    let bytes = b.as_bytes();
    (3..=63).contains(&bytes.len())
        && bytes.iter().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'_')
        })
        && bytes[0].is_ascii_alphanumeric()
        && bytes[bytes.len() - 1].is_ascii_alphanumeric()
}

/// Checks `S3BucketName`.
pub fn check_bucket_name(b: &str) -> CtResult<()> {
    if valid_bucket_name(b) {
        Ok(())
    } else {
        Err(CloudTrailError::InvalidS3BucketName(format!(
            "Bucket name is not valid: {b}"
        )))
    }
}

/// Checks `S3KeyPrefix`.
pub fn check_prefix(p: &str) -> CtResult<()> {
    if p.chars().count() > MAX_PREFIX {
        return Err(CloudTrailError::InvalidS3Prefix(format!(
            "Prefix is too long. Maximum allowed length: {MAX_PREFIX} characters."
        )));
    }
    Ok(())
}

/// Checks the form of `KmsKeyId`: a key id, key ARN, alias name or alias ARN.
pub fn check_kms_key_id(k: &str) -> CtResult<()> {
    let uuid_like = k.len() == 36
        && k.bytes().enumerate().all(|(i, b)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        });
    let ok = !k.is_empty()
        && k.len() <= 2048
        && (uuid_like
            || k.starts_with("mrk-")
            || k.strip_prefix("alias/").is_some_and(|a| !a.is_empty())
            || k.starts_with("arn:aws:kms:"));
    if ok {
        Ok(())
    } else {
        Err(CloudTrailError::InvalidKmsKeyId(format!(
            "Invalid KmsKeyId: {k}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trail_names_follow_aws_rules() {
        for ok in ["abc", "my-trail", "My.Trail_1", "a1b", &"a".repeat(128)] {
            assert!(check_trail_name(ok).is_ok(), "{ok}");
        }
        let cases = [
            ("ab", "too short"),
            ("-abc", "must starts"),
            ("abc-", "must ends"),
            ("my-_ns", "adjacent"),
            ("my--ns", "adjacent"),
            ("my trail", "can only contain"),
            ("tráil", "can only contain"),
            ("192.168.5.4", "IP address"),
        ];
        for (name, want) in cases {
            let e = check_trail_name(name).unwrap_err();
            assert_eq!(e.code(), "InvalidTrailNameException");
            assert!(e.message().contains(want), "{name}: {}", e.message());
        }
        assert!(check_trail_name(&"a".repeat(129))
            .unwrap_err()
            .message()
            .contains("too long"));
    }

    #[test]
    fn trail_arns_parse_or_fail_with_arn_invalid() {
        let a = parse_trail_arn("arn:aws:cloudtrail:us-east-1:123456789012:trail/tr1").unwrap();
        assert_eq!(
            (a.region, a.account, a.name),
            ("us-east-1", "123456789012", "tr1")
        );
        for bad in [
            "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/x",
            "arn:aws:cloudtrail:us-east-1:1234:trail/tr1",
            "arn:aws:s3:::bucket",
            "arn:aws:cloudtrail:us-east-1:123456789012:trail/",
        ] {
            assert_eq!(
                parse_trail_arn(bad).unwrap_err().code(),
                "CloudTrailARNInvalidException",
                "{bad}"
            );
        }
        assert!(matches!(
            name_or_arn("tr1").unwrap(),
            NameOrArn::Name("tr1")
        ));
        assert_eq!(
            name_or_arn("arn:nope").unwrap_err().code(),
            "CloudTrailARNInvalidException"
        );
        assert_eq!(
            name_or_arn("x").unwrap_err().code(),
            "InvalidTrailNameException"
        );
    }

    #[test]
    fn formats_checked_before_lookups() {
        assert!(check_bucket_name("my-bucket.logs").is_ok());
        assert!(check_bucket_name("My_Bucket").is_err());
        assert!(check_prefix(&"p".repeat(200)).is_ok());
        assert_eq!(
            check_prefix(&"p".repeat(201)).unwrap_err().code(),
            "InvalidS3PrefixException"
        );
        for ok in [
            "1234abcd-12ab-34cd-56ef-1234567890ab",
            "alias/trail",
            "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ] {
            assert!(check_kms_key_id(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            check_kms_key_id("not a key").unwrap_err().code(),
            "InvalidKmsKeyIdException"
        );
    }
}
