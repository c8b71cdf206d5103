//! IAM over its wire protocol (signed query-protocol POSTs, as every SDK sends them, read back
//! as IAM's XML): users, access keys, roles, inline and managed policies, paging, AWS's errors,
//! durability, and what IAM changes do at once to the other services: a key created through IAM
//! signs S3 calls (through the AWS SDK for Rust), its user's policies decide them, and a
//! deactivated or deleted key stops working. The aws CLI and boto3 drive the same in e2e/.

use crate::common::{
    code, iam_call, put_req, query_post, xml_value, xml_values, RawResponse, Server,
};

/// An IAM call by the default root: `params` are `(name, value)` pairs after the action.
async fn iam(s: &Server, action: &str, params: &[(&str, &str)]) -> RawResponse {
    iam_call(s, ("test", "test"), action, params).await
}

/// Asserts a 200 and returns the body.
fn ok(r: RawResponse) -> String {
    assert_eq!(r.status, 200, "{}", r.text());
    r.text()
}

/// Asserts an IAM error: status and code.
fn err(r: &RawResponse, status: u16, code: &str) {
    assert_eq!(
        (r.status, r.xml("Code").as_deref()),
        (status, Some(code)),
        "{}",
        r.text()
    );
    assert!(r
        .text()
        .starts_with("<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"));
    assert_eq!(r.xml("Type").as_deref(), Some("Sender"));
}

/// Asserts an IAM error (as [`err`]) and its message.
fn err_saying(r: &RawResponse, status: u16, code: &str, message: &str) {
    err(r, status, code);
    assert_eq!(r.xml("Message").as_deref(), Some(message));
}

const S3_ON_BUCKET: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:GetObject"],"Resource":"arn:aws:s3:::iam-shared/*"}]}"#;

#[tokio::test]
async fn keys_created_through_iam_sign_requests_and_policies_take_effect_at_once() {
    let s = Server::start().await;
    s.with_bucket("iam-shared").await;
    let user = ok(iam(&s, "CreateUser", &[("UserName", "writer")]).await);
    assert!(user.starts_with("<CreateUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><CreateUserResult><User><Path>/</Path><UserName>writer</UserName><UserId>AIDA"));
    assert_eq!(
        xml_value(&user, "Arn").unwrap(),
        "arn:aws:iam::000000000000:user/writer"
    );

    let key = ok(iam(&s, "CreateAccessKey", &[("UserName", "writer")]).await);
    let id = xml_value(&key, "AccessKeyId").unwrap();
    let secret = xml_value(&key, "SecretAccessKey").unwrap();
    assert!(id.starts_with("AKIA") && id.len() == 20, "{id}");
    assert_eq!(secret.len(), 40);
    assert_eq!(xml_value(&key, "Status").as_deref(), Some("Active"));
    let writer = s.s3_with(&id, &secret);
    let put = || put_req(&writer, "iam-shared", "a", b"x").send();
    // Authenticated, but no policy allows it yet.
    assert_eq!(code(&put().await.unwrap_err()), "AccessDenied");
    let put_policy = [
        ("UserName", "writer"),
        ("PolicyName", "shared"),
        ("PolicyDocument", S3_ON_BUCKET),
    ];
    ok(iam(&s, "PutUserPolicy", &put_policy).await);
    put().await.unwrap();
    let got = ok(iam(
        &s,
        "GetUserPolicy",
        &[("UserName", "writer"), ("PolicyName", "shared")],
    )
    .await);
    // Documents travel URL-encoded, as IAM sends them.
    assert!(xml_value(&got, "PolicyDocument")
        .unwrap()
        .starts_with("%7B%22Version%22%3A%222012-10-17%22"));

    // The same permission as a managed policy, with versions.
    ok(iam(
        &s,
        "DeleteUserPolicy",
        &[("UserName", "writer"), ("PolicyName", "shared")],
    )
    .await);
    assert_eq!(code(&put().await.unwrap_err()), "AccessDenied");
    let created = ok(iam(
        &s,
        "CreatePolicy",
        &[
            ("PolicyName", "shared-writer"),
            ("PolicyDocument", S3_ON_BUCKET),
        ],
    )
    .await);
    let arn = xml_value(&created, "Arn").unwrap();
    assert_eq!(arn, "arn:aws:iam::000000000000:policy/shared-writer");
    assert_eq!(
        xml_value(&created, "DefaultVersionId").as_deref(),
        Some("v1")
    );
    ok(iam(
        &s,
        "AttachUserPolicy",
        &[("UserName", "writer"), ("PolicyArn", arn.as_str())],
    )
    .await);
    put().await.unwrap();
    let attached = ok(iam(&s, "ListAttachedUserPolicies", &[("UserName", "writer")]).await);
    assert_eq!(
        xml_values(&attached, "PolicyArn"),
        std::slice::from_ref(&arn)
    );
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#;
    let v2 = ok(iam(
        &s,
        "CreatePolicyVersion",
        &[
            ("PolicyArn", arn.as_str()),
            ("PolicyDocument", deny),
            ("SetAsDefault", "true"),
        ],
    )
    .await);
    assert_eq!(xml_value(&v2, "VersionId").as_deref(), Some("v2"));
    assert_eq!(code(&put().await.unwrap_err()), "AccessDenied");
    ok(iam(
        &s,
        "SetDefaultPolicyVersion",
        &[("PolicyArn", arn.as_str()), ("VersionId", "v1")],
    )
    .await);
    put().await.unwrap();

    // The policy cannot go while attached; the user not while it has keys.
    err(
        &iam(&s, "DeletePolicy", &[("PolicyArn", arn.as_str())]).await,
        409,
        "DeleteConflict",
    );
    let r = iam(&s, "DeleteUser", &[("UserName", "writer")]).await;
    err_saying(
        &r,
        409,
        "DeleteConflict",
        "Cannot delete entity, must delete access keys first.",
    );

    // A deactivated key no longer authenticates; reactivated it does; deleted it never will.
    let status = |v: &'static str| {
        [
            ("UserName", "writer"),
            ("AccessKeyId", id.as_str()),
            ("Status", v),
        ]
    };
    ok(iam(&s, "UpdateAccessKey", &status("Inactive")).await);
    assert_eq!(code(&put().await.unwrap_err()), "InvalidAccessKeyId");
    ok(iam(&s, "UpdateAccessKey", &status("Active")).await);
    put().await.unwrap();
    let used = ok(iam(&s, "GetAccessKeyLastUsed", &[("AccessKeyId", id.as_str())]).await);
    assert_eq!(xml_value(&used, "UserName").as_deref(), Some("writer"));
    assert_eq!(xml_value(&used, "ServiceName").as_deref(), Some("s3"));
    assert_eq!(xml_value(&used, "Region").as_deref(), Some("us-east-1"));
    assert!(xml_value(&used, "LastUsedDate").is_some());
    ok(iam(
        &s,
        "DeleteAccessKey",
        &[("UserName", "writer"), ("AccessKeyId", id.as_str())],
    )
    .await);
    assert_eq!(code(&put().await.unwrap_err()), "InvalidAccessKeyId");

    // The key's user is known to STS too (while its key existed): GetCallerIdentity names it.
    let k2 = ok(iam(&s, "CreateAccessKey", &[("UserName", "writer")]).await);
    let (id2, secret2) = (
        xml_value(&k2, "AccessKeyId").unwrap(),
        xml_value(&k2, "SecretAccessKey").unwrap(),
    );
    let who = ok(query_post(
        &s,
        "sts",
        &id2,
        &secret2,
        "Action=GetCallerIdentity&Version=2011-06-15",
    )
    .await);
    assert_eq!(
        xml_value(&who, "Arn").as_deref(),
        Some("arn:aws:iam::000000000000:user/writer")
    );
}

#[tokio::test]
async fn users_need_iam_permissions_and_calls_are_recorded_in_us_east_1() {
    let s = Server::start().await;
    ok(iam(&s, "CreateUser", &[("UserName", "admin")]).await);
    let key = ok(iam(&s, "CreateAccessKey", &[("UserName", "admin")]).await);
    let admin = (
        xml_value(&key, "AccessKeyId").unwrap(),
        xml_value(&key, "SecretAccessKey").unwrap(),
    );
    let admin = (admin.0.as_str(), admin.1.as_str());
    let r = iam_call(&s, admin, "CreateUser", &[("UserName", "other")]).await;
    r.assert_code(403, "AccessDenied");
    assert!(r.xml("Message").unwrap().contains("is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::000000000000:user/other"));
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*User","Resource":"*"}]}"#;
    ok(iam(
        &s,
        "PutUserPolicy",
        &[
            ("UserName", "admin"),
            ("PolicyName", "users"),
            ("PolicyDocument", doc),
        ],
    )
    .await);
    ok(iam_call(&s, admin, "CreateUser", &[("UserName", "other")]).await);

    let events = s
        .cloudtrail()
        .lookup_events()
        .lookup_attributes(
            aws_sdk_cloudtrail::types::LookupAttribute::builder()
                .attribute_key(aws_sdk_cloudtrail::types::LookupAttributeKey::EventSource)
                .attribute_value("iam.amazonaws.com")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let records: Vec<serde_json::Value> = events
        .events()
        .iter()
        .map(|e| serde_json::from_str(e.cloud_trail_event().unwrap()).unwrap())
        .collect();
    let created: Vec<_> = records
        .iter()
        .filter(|r| r["eventName"] == "CreateUser" && r["requestParameters"]["userName"] == "other")
        .collect();
    assert_eq!(created.len(), 2, "the denied call and the allowed one");
    for r in &created {
        assert_eq!(r["awsRegion"], "us-east-1");
        assert_eq!(r["userIdentity"]["type"], "IAMUser");
        assert_eq!(r["userIdentity"]["userName"], "admin");
        assert_eq!(r["readOnly"], false);
    }
    assert!(created.iter().any(|r| r["errorCode"] == "AccessDenied"));
    let key_record = records
        .iter()
        .find(|r| r["eventName"] == "CreateAccessKey")
        .unwrap();
    assert_eq!(
        key_record["responseElements"]["accessKey"]["userName"],
        "admin"
    );
    assert!(key_record["responseElements"]["accessKey"]
        .get("secretAccessKey")
        .is_none());
    assert!(
        !key_record.to_string().contains(admin.1),
        "the secret is never recorded"
    );
}

#[tokio::test]
async fn iam_state_survives_a_restart() {
    let s = Server::start().await;
    ok(iam(&s, "CreateUser", &[("UserName", "durable")]).await);
    let key = ok(iam(&s, "CreateAccessKey", &[("UserName", "durable")]).await);
    let (id, secret) = (
        xml_value(&key, "AccessKeyId").unwrap(),
        xml_value(&key, "SecretAccessKey").unwrap(),
    );
    let dir = s.stop();
    let s = Server::start_in(dir).await;
    ok(iam(&s, "GetUser", &[("UserName", "durable")]).await);
    let keys = ok(iam(&s, "ListAccessKeys", &[("UserName", "durable")]).await);
    assert_eq!(xml_values(&keys, "AccessKeyId"), std::slice::from_ref(&id));
    // The key still authenticates: its sealed secret opened after the restart.
    let e = s
        .s3_with(&id, &secret)
        .list_buckets()
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&e), "AccessDenied");
}

#[tokio::test]
async fn roles_paging_and_errors_are_iams() {
    let s = Server::start().await;
    let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}"#;
    let create = [
        ("RoleName", "auditor"),
        ("Path", "/audit/"),
        ("AssumeRolePolicyDocument", trust),
        ("MaxSessionDuration", "7200"),
    ];
    let role = ok(iam(&s, "CreateRole", &create).await);
    assert_eq!(
        xml_value(&role, "Arn").as_deref(),
        Some("arn:aws:iam::000000000000:role/audit/auditor")
    );
    assert!(xml_value(&role, "RoleId").unwrap().starts_with("AROA"));
    assert_eq!(
        xml_value(&role, "MaxSessionDuration").as_deref(),
        Some("7200")
    );
    err(
        &iam(
            &s,
            "CreateRole",
            &[("RoleName", "AUDITOR"), ("AssumeRolePolicyDocument", trust)],
        )
        .await,
        409,
        "EntityAlreadyExists",
    );
    err(
        &iam(
            &s,
            "CreateRole",
            &[
                ("RoleName", "bad"),
                ("AssumeRolePolicyDocument", "{not json"),
            ],
        )
        .await,
        400,
        "MalformedPolicyDocument",
    );
    err(
        &iam(
            &s,
            "CreateRole",
            &[
                ("RoleName", "long"),
                ("AssumeRolePolicyDocument", trust),
                ("MaxSessionDuration", "60"),
            ],
        )
        .await,
        400,
        "ValidationError",
    );
    let r = iam(&s, "GetRole", &[("RoleName", "nobody")]).await;
    err_saying(
        &r,
        404,
        "NoSuchEntity",
        "The role with name nobody cannot be found.",
    );
    err(
        &iam(&s, "CreateUser", &[("UserName", "no spaces")]).await,
        400,
        "ValidationError",
    );
    // The root asking about itself: the account as a user without a name.
    let root = ok(iam(&s, "GetUser", &[]).await);
    assert_eq!(
        xml_value(&root, "Arn").as_deref(),
        Some("arn:aws:iam::000000000000:root")
    );

    for i in 0..5 {
        ok(iam(&s, "CreateUser", &[("UserName", format!("u{i}").as_str())]).await);
    }
    let first = ok(iam(&s, "ListUsers", &[("MaxItems", "2")]).await);
    assert_eq!(xml_values(&first, "UserName"), ["u0", "u1"]);
    assert_eq!(xml_value(&first, "IsTruncated").as_deref(), Some("true"));
    let marker = xml_value(&first, "Marker").unwrap();
    let rest = ok(iam(
        &s,
        "ListUsers",
        &[("MaxItems", "10"), ("Marker", marker.as_str())],
    )
    .await);
    assert_eq!(xml_values(&rest, "UserName"), ["u2", "u3", "u4"]);
    assert_eq!(xml_value(&rest, "IsTruncated").as_deref(), Some("false"));

    ok(iam(&s, "CreateAccessKey", &[("UserName", "u0")]).await);
    ok(iam(&s, "CreateAccessKey", &[("UserName", "u0")]).await);
    let r = iam(&s, "CreateAccessKey", &[("UserName", "u0")]).await;
    err_saying(
        &r,
        409,
        "LimitExceeded",
        "Cannot exceed quota for AccessKeysPerUser: 2",
    );

    // A role with an inline policy cannot be deleted until the policy is.
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}"#;
    ok(iam(
        &s,
        "PutRolePolicy",
        &[
            ("RoleName", "auditor"),
            ("PolicyName", "decrypt"),
            ("PolicyDocument", doc),
        ],
    )
    .await);
    err(
        &iam(&s, "DeleteRole", &[("RoleName", "auditor")]).await,
        409,
        "DeleteConflict",
    );
    ok(iam(
        &s,
        "DeleteRolePolicy",
        &[("RoleName", "auditor"), ("PolicyName", "decrypt")],
    )
    .await);
    ok(iam(&s, "DeleteRole", &[("RoleName", "auditor")]).await);
    let r = iam(&s, "GetUser", &[("UserName", "nobody")]).await;
    err(&r, 404, "NoSuchEntity");
    let r = iam(&s, "CreateLoginProfile", &[("UserName", "g")]).await;
    err(&r, 400, "InvalidAction");
}
