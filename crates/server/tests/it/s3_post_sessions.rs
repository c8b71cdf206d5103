//! Browser form uploads (POST Object) signed with temporary credentials, as boto3's
//! `generate_presigned_post` prepares them (py/post_form.py): the session token travels as the
//! `x-amz-security-token` field (and a policy condition), and the server checks it as it checks a
//! header's — accepted while the session lasts, refused with S3's InvalidToken for another
//! token, InvalidAccessKeyId without one, ExpiredToken once the session is over.

use crate::common::{access_key, put_role_policy, py, xml_value, Clocked};
use serde_json::json;

const A: &str = "000000000000";

#[tokio::test]
async fn form_uploads_with_session_credentials() {
    let t0 = time::OffsetDateTime::now_utc().unix_timestamp();
    let c = Clocked::start_at(t0, None).await;
    let s = &c.s;
    s.with_bucket("uploads").await;
    let iam = c.via().iam();
    iam.create_user()
        .user_name("uploader")
        .send()
        .await
        .unwrap();
    let key = access_key(&iam, "uploader").await;
    iam.create_role()
        .role_name("form-writer")
        .assume_role_policy_document(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{A}:user/uploader"}},"Action":"sts:AssumeRole"}}]}}"#
        ))
        .send()
        .await
        .unwrap();
    let may_put = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::uploads/*"}]}"#;
    put_role_policy(&iam, "form-writer", "put", may_put).await;
    let out = c
        .via()
        .signing_with(&key)
        .sts()
        .assume_role()
        .role_arn(format!("arn:aws:iam::{A}:role/form-writer"))
        .role_session_name("browser")
        .duration_seconds(900)
        .send()
        .await
        .unwrap();
    let creds = out.credentials().unwrap();
    // boto3 runs beside the in-process server, so it is waited for off the runtime's thread.
    let post = |object: &str, token_field: Option<Option<&str>>| {
        let mut input = json!({
            "endpoint": s.endpoint, "bucket": "uploads", "key": object,
            "access_key": creds.access_key_id(), "secret": creds.secret_access_key(),
            "token": creds.session_token(), "body": format!("posted {object}"),
        });
        if let Some(t) = token_field {
            input["token_field"] = json!(t);
        }
        async move {
            tokio::task::spawn_blocking(move || py("post_form.py", input))
                .await
                .unwrap()
        }
    };

    let ok = post("valid.txt", None).await;
    assert_eq!(ok["status"], 204, "{ok}");
    assert!(
        ok["fields"]
            .as_array()
            .unwrap()
            .contains(&json!("x-amz-security-token")),
        "boto3 sends the token: {ok}"
    );
    let got = crate::common::get_bytes(&c.via().s3(), "uploads", "valid.txt").await;
    assert_eq!(got, b"posted valid.txt");

    let other = post("other.txt", Some(Some("not-the-session-token"))).await;
    assert_eq!(other["status"], 400, "{other}");
    assert_eq!(
        xml_value(other["body"].as_str().unwrap(), "Code").as_deref(),
        Some("InvalidToken")
    );
    let none = post("none.txt", Some(None)).await;
    assert_eq!(none["status"], 403, "{none}");
    assert_eq!(
        xml_value(none["body"].as_str().unwrap(), "Code").as_deref(),
        Some("InvalidAccessKeyId")
    );

    // Fifteen minutes on, the same session's form is refused as expired.
    c.clock.advance(time::Duration::seconds(900));
    let late = post("late.txt", None).await;
    assert_eq!(late["status"], 400, "{late}");
    let body = late["body"].as_str().unwrap();
    assert_eq!(xml_value(body, "Code").as_deref(), Some("ExpiredToken"));
    assert_eq!(
        xml_value(body, "Message").as_deref(),
        Some("The provided token has expired.")
    );
    for refused in ["other.txt", "none.txt", "late.txt"] {
        let r = c
            .via()
            .s3()
            .head_object()
            .bucket("uploads")
            .key(refused)
            .send()
            .await;
        assert!(r.is_err(), "{refused} was written");
    }
}
