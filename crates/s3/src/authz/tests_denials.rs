//! Tests of the denial messages and of the resource ARN each target is authorized on.

use super::*;

fn req<'a>(
    arn: &'a str,
    kind: PrincipalKind,
    action: &'a str,
    res: &'a str,
    c: &'a Conditions,
) -> RequestContext<'a> {
    RequestContext::new(arn, kind, action, res, c)
}

#[test]
fn denial_messages() {
    let c = Conditions::new();
    let alice = "arn:aws:iam::111122223333:user/alice";
    let r = req(
        alice,
        PrincipalKind::User,
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        &c,
    );
    let msg = |e: S3Error| match e {
        S3Error::AccessDenied(m) => m,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        msg(denied(&r, Decision::ImplicitDeny, true, false)),
        "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::b/k\" because no identity-based policy allows the s3:GetObject action"
    );
    assert!(msg(denied(&r, Decision::ExplicitDeny, true, true))
        .ends_with("with an explicit deny in a resource-based policy"));
    assert!(msg(denied(&r, Decision::ExplicitDeny, true, false))
        .ends_with("with an explicit deny in an identity-based policy"));
    // Other accounts, services and anonymous callers learn nothing.
    assert_eq!(
        msg(denied(&r, Decision::ImplicitDeny, false, false)),
        "Access Denied"
    );
    let ct = req(
        "cloudtrail.amazonaws.com",
        PrincipalKind::Service,
        "s3:PutObject",
        "arn:aws:s3:::b/k",
        &c,
    );
    assert_eq!(
        msg(denied(&ct, Decision::ImplicitDeny, false, false)),
        "Access Denied"
    );
    let list = req(alice, PrincipalKind::User, "s3:ListAllMyBuckets", "*", &c);
    assert_eq!(
        msg(denied(&list, Decision::ImplicitDeny, true, false)),
        "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: s3:ListAllMyBuckets because no identity-based policy allows the s3:ListAllMyBuckets action"
    );
}

#[test]
fn resources() {
    let head = Op::HeadBucket { bucket: "b".into() };
    assert_eq!(resource_of(&targets(&head)[0]), "arn:aws:s3:::b");
    let list = Op::ListBuckets {
        prefix: String::new(),
        max_buckets: None,
        continuation: None,
        region: None,
    };
    assert_eq!(resource_of(&targets(&list)[0]), "*");
}
