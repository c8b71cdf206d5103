//! IAM groups through the AWS SDK for Rust: CreateGroup, GetGroup, ListGroups, DeleteGroup,
//! AddUserToGroup, RemoveUserFromGroup, ListGroupsForUser, group inline and attached policies,
//! paging, AWS's errors and quotas, CloudTrail's records, and a group's policies deciding its
//! users' S3 calls from the next request on.

use crate::common::{
    assert_fails, get_out, get_req, managed_policy, ok, put_group_policy, put_req, records_named,
    start_with_user, Server,
};

const GET: &str = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#;
const PUT: &str = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:PutObject","Resource":"*"}}"#;

#[tokio::test]
async fn group_policies_decide_their_users_calls() {
    let (s, member) = start_with_user("group-bucket", "member").await;
    let iam = s.iam();

    let made = ok!(iam.create_group().group_name("readers"));
    let g = made.group().unwrap();
    assert!(g.group_id().starts_with("AGPA"), "{}", g.group_id());
    assert_eq!(g.arn(), "arn:aws:iam::000000000000:group/readers");
    assert_fails!(
        iam.create_group().group_name("READERS"),
        "EntityAlreadyExists"
    );
    put_group_policy(&iam, "readers", "get", GET).await;
    assert_fails!(get_req(&member, "group-bucket", "a"), "AccessDenied");
    ok!(iam
        .add_user_to_group()
        .group_name("readers")
        .user_name("member"));
    get_out(&member, "group-bucket", "a").await;

    let put_arn = managed_policy(&iam, "put", PUT).await;
    ok!(iam
        .attach_group_policy()
        .group_name("readers")
        .policy_arn(&put_arn));
    ok!(put_req(&member, "group-bucket", "b", b""));
    let attached = ok!(iam.list_attached_group_policies().group_name("readers"));
    assert_eq!(attached.attached_policies().len(), 1);
    let inline = ok!(iam.list_group_policies().group_name("readers"));
    assert_eq!(inline.policy_names(), ["get"]);
    let doc = ok!(iam
        .get_group_policy()
        .group_name("readers")
        .policy_name("get"));
    assert_eq!(doc.group_name(), "readers");

    let got = ok!(iam.get_group().group_name("readers"));
    let users: Vec<&str> = got.users().iter().map(|u| u.user_name()).collect();
    assert_eq!(users, ["member"]);
    let mine = ok!(iam.list_groups_for_user().user_name("member"));
    let names: Vec<&str> = mine.groups().iter().map(|g| g.group_name()).collect();
    assert_eq!(names, ["readers"]);

    // Nothing that still holds a member or a policy can be deleted.
    assert_fails!(iam.delete_group().group_name("readers"), "DeleteConflict");
    ok!(iam.create_user().user_name("plain"));
    ok!(iam
        .add_user_to_group()
        .group_name("readers")
        .user_name("plain"));
    assert_fails!(iam.delete_user().user_name("plain"), "DeleteConflict");
    for u in ["plain", "member"] {
        ok!(iam
            .remove_user_from_group()
            .group_name("readers")
            .user_name(u));
    }
    assert_fails!(get_req(&member, "group-bucket", "a"), "AccessDenied");
    ok!(iam.delete_user().user_name("plain"));
    assert_fails!(iam.delete_group().group_name("readers"), "DeleteConflict");
    ok!(iam
        .delete_group_policy()
        .group_name("readers")
        .policy_name("get"));
    ok!(iam
        .detach_group_policy()
        .group_name("readers")
        .policy_arn(&put_arn));
    ok!(iam.delete_group().group_name("readers"));
    assert_fails!(iam.get_group().group_name("readers"), "NoSuchEntity");

    let records = records_named(&s, "AddUserToGroup").await;
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["eventSource"], "iam.amazonaws.com");
    assert_eq!(
        records[0]["requestParameters"],
        serde_json::json!({"groupName": "readers", "userName": "plain"})
    );
}

#[tokio::test]
async fn groups_page_and_keep_their_quotas() {
    let s = Server::start().await;
    let iam = s.iam();
    ok!(iam.create_user().user_name("joiner"));
    for n in 0..11 {
        ok!(iam
            .create_group()
            .group_name(format!("g{n:02}"))
            .path("/team/"));
    }
    for n in 0..10 {
        ok!(iam
            .add_user_to_group()
            .group_name(format!("g{n:02}"))
            .user_name("joiner"));
    }
    // Adding again is no change; an eleventh group is over the quota.
    ok!(iam
        .add_user_to_group()
        .group_name("g00")
        .user_name("joiner"));
    assert_fails!(
        iam.add_user_to_group()
            .group_name("g10")
            .user_name("joiner"),
        "LimitExceeded"
    );
    let page = ok!(iam.list_groups().path_prefix("/team/").max_items(4));
    assert!(page.is_truncated());
    assert_eq!(page.groups().len(), 4);
    let rest = ok!(iam.list_groups().marker(page.marker().unwrap()));
    assert_eq!(rest.groups().len(), 7);
    assert_eq!(rest.groups()[0].path(), "/team/");
    let mine = ok!(iam.list_groups_for_user().user_name("joiner").max_items(9));
    assert!(mine.is_truncated());
    assert_fails!(
        iam.add_user_to_group()
            .group_name("g10")
            .user_name("nobody"),
        "NoSuchEntity"
    );
    assert_fails!(
        iam.add_user_to_group()
            .group_name("absent")
            .user_name("joiner"),
        "NoSuchEntity"
    );
    assert_fails!(
        iam.list_groups_for_user().user_name("nobody"),
        "NoSuchEntity"
    );
    assert_fails!(iam.create_group().group_name("bad name"), "ValidationError");
    assert_fails!(
        iam.put_group_policy()
            .group_name("absent")
            .policy_name("p")
            .policy_document(GET),
        "NoSuchEntity"
    );
}
