//! STS on the query protocol (API version 2011-06-15, XML namespace
//! `https://sts.amazonaws.com/doc/2011-06-15/`): the form → [`StsOp`] with STS's length and
//! pattern constraints, and [`StsOutput`] → `<{Action}Response>`.
//!
//! AWS facts: docs/aws/iam-sts.md §9.

use super::iam::{number, optional, required};
use super::{iso_date, unknown_action, Form, Xml};
use crate::error::{IamError, IamResult};
use crate::op::{AssumeRole, Credentials, StsOp, StsOutput};

/// STS's API version.
pub const VERSION: &str = "2011-06-15";
/// STS's XML namespace.
pub const NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// AWS's `ValidationError` sentence for one constraint.
fn invalid(value: &str, field: &str, constraint: &str) -> IamError {
    IamError::Validation(format!(
        "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {constraint}"
    ))
}

/// A string parameter of `min..=max` characters, each allowed by `ok` (the pattern `pattern`).
fn text(
    value: &str,
    field: &str,
    min: usize,
    max: usize,
    ok: impl Fn(char) -> bool,
    pattern: &str,
) -> IamResult<()> {
    let n = value.chars().count();
    if n < min {
        return Err(invalid(
            value,
            field,
            &format!("Member must have length greater than or equal to {min}"),
        ));
    }
    if n > max {
        return Err(invalid(
            value,
            field,
            &format!("Member must have length less than or equal to {max}"),
        ));
    }
    if !value.chars().all(ok) {
        return Err(invalid(
            value,
            field,
            &format!("Member must satisfy regular expression pattern: {pattern}"),
        ));
    }
    Ok(())
}

/// `[\w+=,.@-]`: session names and source identities.
fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+=,.@-".contains(c)
}

/// A value within `min..=max` (`field` as AWS names it).
fn within(value: u32, field: &str, min: u32, max: u32) -> IamResult<u32> {
    if value < min {
        return Err(invalid(
            &value.to_string(),
            field,
            &format!("Member must have value greater than or equal to {min}"),
        ));
    }
    if value > max {
        return Err(invalid(
            &value.to_string(),
            field,
            &format!("Member must have value less than or equal to {max}"),
        ));
    }
    Ok(value)
}

/// The values of the list `name.member.N[.field]`, N from 1 while present.
fn members(form: &Form, name: &str, field: Option<&str>) -> Vec<String> {
    (1..)
        .map_while(|n| {
            let key = match field {
                Some(f) => format!("{name}.member.{n}.{f}"),
                None => format!("{name}.member.{n}"),
            };
            form.get(&key).map(str::to_string)
        })
        .collect()
}

/// At most `max` items in a list (`field` as AWS names it).
fn at_most<T>(items: Vec<T>, field: &str, max: usize) -> IamResult<Vec<T>> {
    if items.len() > max {
        return Err(IamError::Validation(format!(
            "1 validation error detected: Value at '{field}' failed to satisfy constraint: Member must have length less than or equal to {max}"
        )));
    }
    Ok(items)
}

fn mfa(form: &Form) -> IamResult<Option<String>> {
    let serial = optional(form, "SerialNumber");
    if let Some(s) = &serial {
        text(
            s,
            "serialNumber",
            9,
            256,
            |c| c.is_ascii_alphanumeric() || "_+=/:,.@-".contains(c),
            "[\\w+=/:,.@-]*",
        )?;
    }
    if let Some(t) = form.get("TokenCode") {
        text(t, "tokenCode", 6, 6, |c| c.is_ascii_digit(), "[\\d]*")?;
    }
    Ok(serial)
}

fn assume_role(form: &Form) -> IamResult<AssumeRole> {
    let role_arn = required(form, "RoleArn")?;
    text(&role_arn, "roleArn", 20, 2048, |_| true, "")?;
    let session_name = required(form, "RoleSessionName")?;
    text(
        &session_name,
        "roleSessionName",
        2,
        64,
        name_char,
        "[\\w+=,.@-]*",
    )?;
    let duration = number(form, "DurationSeconds")?
        .map(|d| within(d, "durationSeconds", 900, 43200))
        .transpose()?;
    let policy = optional(form, "Policy");
    if let Some(p) = &policy {
        let printable = |c: char| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{ff}');
        text(
            p,
            "policy",
            1,
            2048,
            printable,
            "[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+",
        )?;
    }
    let policy_arns = at_most(members(form, "PolicyArns", Some("arn")), "policyArns", 10)?;
    for arn in &policy_arns {
        text(arn, "policyArns.member.arn", 20, 2048, |_| true, "")?;
    }
    let keys = members(form, "Tags", Some("Key"));
    let mut tags = Vec::with_capacity(keys.len());
    for (i, key) in keys.into_iter().enumerate() {
        let tag_char = |c: char| c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c);
        text(
            &key,
            "tags.member.key",
            1,
            128,
            tag_char,
            "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+",
        )?;
        let value = form
            .get(&format!("Tags.member.{}.Value", i + 1))
            .unwrap_or("")
            .to_string();
        text(
            &value,
            "tags.member.value",
            0,
            256,
            tag_char,
            "[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*",
        )?;
        tags.push((key, value));
    }
    let tags = at_most(tags, "tags", 50)?;
    let transitive_tag_keys = at_most(
        members(form, "TransitiveTagKeys", None),
        "transitiveTagKeys",
        50,
    )?;
    let external_id = optional(form, "ExternalId");
    if let Some(e) = &external_id {
        text(
            e,
            "externalId",
            2,
            1224,
            |c| c.is_ascii_alphanumeric() || "_+=,.@:/-".contains(c),
            "[\\w+=,.@:\\/-]*",
        )?;
    }
    let source_identity = optional(form, "SourceIdentity");
    if let Some(s) = &source_identity {
        text(s, "sourceIdentity", 2, 64, name_char, "[\\w+=,.@-]*")?;
    }
    Ok(AssumeRole {
        role_arn,
        session_name,
        duration,
        policy,
        policy_arns,
        tags,
        transitive_tag_keys,
        external_id,
        source_identity,
        serial_number: mfa(form)?,
    })
}

/// The operation a form asks for.
pub fn parse(form: &Form) -> IamResult<StsOp> {
    let action = form.action(VERSION)?;
    match action {
        "GetCallerIdentity" => Ok(StsOp::GetCallerIdentity),
        "AssumeRole" => Ok(StsOp::AssumeRole(assume_role(form)?)),
        "GetSessionToken" => Ok(StsOp::GetSessionToken {
            duration: number(form, "DurationSeconds")?
                .map(|d| within(d, "durationSeconds", 900, 129_600))
                .transpose()?,
            serial_number: mfa(form)?,
            token_code: optional(form, "TokenCode"),
        }),
        "GetAccessKeyInfo" => {
            let access_key = required(form, "AccessKeyId")?;
            text(
                &access_key,
                "accessKeyId",
                16,
                128,
                |c| c.is_ascii_alphanumeric() || c == '_',
                "[\\w]*",
            )?;
            Ok(StsOp::GetAccessKeyInfo { access_key })
        }
        other => Err(unknown_action(
            other,
            form.get("Version").unwrap_or(VERSION),
        )),
    }
}

fn credentials(x: &mut Xml, c: &Credentials) {
    x.open("Credentials");
    x.text("AccessKeyId", &c.access_key);
    x.text("SecretAccessKey", &c.secret);
    x.text("SessionToken", &c.token);
    x.text("Expiration", &iso_date(c.expires_ms));
    x.close("Credentials");
}

/// The response document of `out`, the answer to `op`.
pub fn encode(op: &StsOp, out: &StsOutput, request_id: &str) -> Vec<u8> {
    let root = format!("{}Response", op.name());
    let result = format!("{}Result", op.name());
    let mut x = Xml::document(&root, NAMESPACE);
    x.open(&result);
    match out {
        StsOutput::CallerIdentity {
            user_id,
            account,
            arn,
        } => {
            x.text("Arn", arn);
            x.text("UserId", user_id);
            x.text("Account", account);
        }
        StsOutput::AssumedRole {
            credentials: c,
            arn,
            assumed_role_id,
            packed_policy_size,
            source_identity,
            ..
        } => {
            if let Some(s) = source_identity {
                x.text("SourceIdentity", s);
            }
            x.open("AssumedRoleUser");
            x.text("AssumedRoleId", assumed_role_id);
            x.text("Arn", arn);
            x.close("AssumedRoleUser");
            credentials(&mut x, c);
            if let Some(size) = packed_policy_size {
                x.text("PackedPolicySize", &size.to_string());
            }
        }
        StsOutput::SessionToken(c) => credentials(&mut x, c),
        StsOutput::AccessKeyInfo { account } => x.text("Account", account),
    }
    x.close(&result);
    x.metadata(request_id);
    x.finish(&root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn get_caller_identity_round_trip() {
        let op = parse(&Form::decode(
            "",
            b"Action=GetCallerIdentity&Version=2011-06-15",
        ))
        .unwrap();
        assert_eq!(op, StsOp::GetCallerIdentity);
        let body = encode(
            &op,
            &StsOutput::CallerIdentity {
                user_id: "111122223333".into(),
                account: "111122223333".into(),
                arn: "arn:aws:iam::111122223333:root".into(),
            },
            "R",
        );
        assert_eq!(
            String::from_utf8(body).unwrap(),
            "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult><Arn>arn:aws:iam::111122223333:root</Arn><UserId>111122223333</UserId><Account>111122223333</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>R</RequestId></ResponseMetadata></GetCallerIdentityResponse>"
        );
        let e = parse(&Form::decode("", b"Action=AssumeRoot&Version=2011-06-15")).unwrap_err();
        assert_eq!(e.code(), "InvalidAction");
    }

    #[test]
    fn assume_role_reads_lists_and_checks_constraints() {
        let form = Form::decode(
            "",
            b"Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr\
              &RoleSessionName=s1&DurationSeconds=900&PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3A111122223333%3Apolicy%2Fp\
              &Tags.member.1.Key=team&Tags.member.1.Value=blue&Tags.member.2.Key=cc&TransitiveTagKeys.member.1=team\
              &ExternalId=ext-1&SourceIdentity=alice",
        );
        let StsOp::AssumeRole(a) = parse(&form).unwrap() else {
            panic!("not AssumeRole");
        };
        assert_eq!(a.session_name, "s1");
        assert_eq!(a.duration, Some(900));
        assert_eq!(a.policy_arns, ["arn:aws:iam::111122223333:policy/p"]);
        assert_eq!(
            a.tags,
            [("team".into(), "blue".into()), ("cc".into(), String::new())]
        );
        assert_eq!(a.transitive_tag_keys, ["team"]);
        assert_eq!(a.external_id.as_deref(), Some("ext-1"));
        assert_eq!(a.source_identity.as_deref(), Some("alice"));

        let bad = |extra: &str| {
            let body = format!(
                "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fr{extra}"
            );
            parse(&Form::decode("", body.as_bytes()))
                .unwrap_err()
                .message()
        };
        assert_eq!(
            bad("&RoleSessionName=a"),
            "1 validation error detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"
        );
        assert_eq!(
            bad("&RoleSessionName=a%20b"),
            "1 validation error detected: Value 'a b' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"
        );
        assert_eq!(
            bad("&RoleSessionName=ab&DurationSeconds=899"),
            "1 validation error detected: Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"
        );
        assert_eq!(
            bad(""),
            "1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null"
        );
    }
}
