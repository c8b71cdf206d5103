//! STS on the query protocol (API version 2011-06-15, XML namespace
//! `https://sts.amazonaws.com/doc/2011-06-15/`): the form → [`StsOp`], and [`StsOutput`] →
//! `<{Action}Response>`.

use super::{unknown_action, Form, Xml};
use crate::error::IamResult;
use crate::op::{StsOp, StsOutput};

/// STS's API version.
pub const VERSION: &str = "2011-06-15";
/// STS's XML namespace.
pub const NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// The operation a form asks for.
pub fn parse(form: &Form) -> IamResult<StsOp> {
    let action = form.action(VERSION)?;
    match action {
        "GetCallerIdentity" => Ok(StsOp::GetCallerIdentity),
        other => Err(unknown_action(
            other,
            form.get("Version").unwrap_or(VERSION),
        )),
    }
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
}
