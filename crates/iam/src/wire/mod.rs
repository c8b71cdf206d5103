//! The AWS query protocol that IAM and STS speak: a form of parameters (`Action`, `Version`,
//! then the operation's own, lists as `Name.member.N`) in a POST body or the query string,
//! answered with `<{Action}Response>` XML and errors as `<ErrorResponse>`. The only code of the
//! crate that sees the wire format; [`sts`] and [`iam`] map each service's operations onto it.
//!
//! AWS facts: docs/aws/iam-sts.md §1.

pub mod iam;
mod iam_tags;
pub mod sts;

mod xml;

use crate::error::IamError;
pub use xml::Xml;

/// The parameters of one request, in the order sent (the query string's first, then the
/// body's).
#[derive(Debug, Clone, Default)]
pub struct Form {
    pairs: Vec<(String, String)>,
}

impl Form {
    /// Decodes the query string and a form-encoded body (`+` is a space in both).
    pub fn decode(query: &str, body: &[u8]) -> Form {
        let pairs = form_urlencoded::parse(query.as_bytes())
            .chain(form_urlencoded::parse(body))
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Form { pairs }
    }

    /// The first value of `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The operation the form names, checked against the service's API `version`: AWS answers
    /// an unknown pair of action and version with InvalidAction.
    pub fn action(&self, version: &str) -> Result<&str, IamError> {
        let action = self.get("Action").ok_or(IamError::MissingAction)?;
        match self.get("Version") {
            Some(v) if v != version => Err(unknown_action(action, v)),
            _ => Ok(action),
        }
    }
}

/// A time in milliseconds as the query protocol writes it: `2024-05-01T12:34:56Z`.
pub fn iso_date(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    trailstack_core::clock::iso_seconds(t)
}

/// InvalidAction for `action`, as AWS words it.
pub fn unknown_action(action: &str, version: &str) -> IamError {
    IamError::InvalidAction(format!(
        "Could not find operation {action} for version {version}"
    ))
}

/// The `<ErrorResponse>` document of an error, in `namespace` (the service's XML namespace).
pub fn encode_error(
    namespace: &str,
    code: &str,
    fault: &str,
    message: &str,
    request_id: &str,
) -> Vec<u8> {
    let mut x = Xml::document("ErrorResponse", namespace);
    x.open("Error");
    x.text("Type", fault);
    x.text("Code", code);
    x.text("Message", message);
    x.close("Error");
    x.text("RequestId", request_id);
    x.finish("ErrorResponse")
}

/// The `(status, body)` of a service error.
pub fn error_response(namespace: &str, e: &IamError, request_id: &str) -> (u16, Vec<u8>) {
    (
        e.status(),
        encode_error(namespace, e.code(), e.fault(), &e.message(), request_id),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_decode_body_and_query_and_check_the_version() {
        let f = Form::decode("Action=GetCallerIdentity", b"Version=2011-06-15&X=a+b%2Bc");
        assert_eq!(f.action("2011-06-15").unwrap(), "GetCallerIdentity");
        assert_eq!(f.get("X"), Some("a b+c"));
        let e = f.action("2010-05-08").unwrap_err();
        assert_eq!(e.code(), "InvalidAction");
        assert_eq!(
            e.message(),
            "Could not find operation GetCallerIdentity for version 2011-06-15"
        );
        assert_eq!(
            Form::decode("", b"").action("2011-06-15").unwrap_err(),
            IamError::MissingAction
        );
    }

    #[test]
    fn errors_render_as_error_responses() {
        let body = encode_error(
            "https://sts.amazonaws.com/doc/2011-06-15/",
            "InvalidClientTokenId",
            "Sender",
            "a <b>",
            "R1",
        );
        assert_eq!(
            String::from_utf8(body).unwrap(),
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>a &lt;b&gt;</Message></Error><RequestId>R1</RequestId></ErrorResponse>"
        );
    }
}
