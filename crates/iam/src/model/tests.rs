//! The IAM queries run against a real database, on whichever engine the tests run on (SQLite,
//! or PostgreSQL when `TRAILSTACK_TEST_DATABASE` names one): users, roles and groups with their
//! case-blind names, path prefixes and paging; access keys; inline and managed policies with
//! versions, attachments and boundaries; tags keyed by their folded key; STS sessions.

use super::{boundaries, entities, groups, keys, policies, sessions, tags, MIGRATIONS};
use crate::op::{AccessKey, Group, LastUsed, ManagedPolicy, Owner, OwnerKind, Role, Tag, User};
use trailstack_core::{Principal, Session};
use trailstack_store::sql::Result;
use trailstack_store::{Conn, Db};

const ACCOUNT: &str = "111122223333";

fn test_db() -> (tempfile::TempDir, Db) {
    trailstack_store::testing::open(MIGRATIONS)
}

async fn write<T: Send + 'static>(
    db: &Db,
    f: impl FnOnce(&Conn) -> Result<T> + Send + 'static,
) -> T {
    db.write(f).await.unwrap()
}

fn user(path: &str, name: &str) -> User {
    User {
        arn: entities::user_arn(ACCOUNT, path, name),
        path: path.into(),
        name: name.into(),
        id: format!("AIDA{}", name.to_uppercase()),
        created_ms: 1,
        tags: Vec::new(),
        boundary: None,
    }
}

fn role(path: &str, name: &str) -> Role {
    Role {
        arn: entities::role_arn(ACCOUNT, path, name),
        path: path.into(),
        name: name.into(),
        id: format!("AROA{}", name.to_uppercase()),
        created_ms: 2,
        trust_policy: "{}".into(),
        description: String::new(),
        max_session: 3600,
        tags: Vec::new(),
        boundary: None,
    }
}

fn group(path: &str, name: &str) -> Group {
    Group {
        arn: groups::group_arn(ACCOUNT, path, name),
        path: path.into(),
        name: name.into(),
        id: format!("AGPA{}", name.to_uppercase()),
        created_ms: 3,
    }
}

fn policy(path: &str, name: &str) -> ManagedPolicy {
    ManagedPolicy {
        arn: policies::policy_arn(ACCOUNT, path, name),
        path: path.into(),
        name: name.into(),
        id: format!("ANPA{}", name.to_uppercase()),
        default_version: 1,
        attachments: 0,
        boundary_uses: 0,
        description: "d".into(),
        created_ms: 4,
        updated_ms: 4,
    }
}

fn names<T>(v: &[T], name: impl Fn(&T) -> &str) -> Vec<String> {
    v.iter().map(|x| name(x).to_string()).collect()
}

#[tokio::test]
async fn users_and_roles_are_unique_case_aside_and_list_by_path() {
    let (_d, db) = test_db();
    let taken = write(&db, |c| {
        let mut created = Vec::new();
        for u in [
            user("/", "bob"),
            user("/team/", "amy"),
            user("/team/x/", "cy"),
        ] {
            created.push(entities::insert_user(c, ACCOUNT, &u)?);
        }
        created.push(entities::insert_user(c, ACCOUNT, &user("/", "BOB"))?);
        created.push(entities::insert_role(c, ACCOUNT, &role("/", "r1"))?);
        created.push(entities::insert_role(c, ACCOUNT, &role("/svc/", "r2"))?);
        created.push(entities::insert_role(c, ACCOUNT, &role("/", "R1"))?);
        let mut r2 = role("/svc/", "r2");
        r2.description = "changed".into();
        r2.max_session = 7200;
        entities::update_role(c, ACCOUNT, &r2)?;
        Ok(created)
    })
    .await;
    assert_eq!(taken, [true, true, true, false, true, true, false]);
    let (team, page, after, roles, svc, r2, all_users, all_roles) = db
        .read(|c| {
            Ok::<_, trailstack_store::StoreError>((
                entities::list_users(c, ACCOUNT, "/team/", "", 10)?,
                entities::list_users(c, ACCOUNT, "/", "", 2)?,
                entities::list_users(c, ACCOUNT, "/", "amy", 10)?,
                entities::list_roles(c, ACCOUNT, "/", "", 10)?,
                entities::list_roles(c, ACCOUNT, "/svc/", "", 10)?,
                entities::get_role(c, ACCOUNT, "r2")?.unwrap(),
                entities::all_users(c)?,
                entities::all_roles(c)?,
            ))
        })
        .unwrap();
    assert_eq!(names(&team, |u| &u.name), ["amy", "cy"]);
    assert_eq!(names(&page, |u| &u.name), ["amy", "bob"]);
    assert_eq!(names(&after, |u| &u.name), ["bob", "cy"]);
    assert_eq!(names(&roles, |r| &r.name), ["r1", "r2"]);
    assert_eq!(names(&svc, |r| &r.name), ["r2"]);
    assert_eq!((r2.description.as_str(), r2.max_session), ("changed", 7200));
    assert_eq!(r2.arn, "arn:aws:iam::111122223333:role/svc/r2");
    assert_eq!(all_users.len(), 3);
    assert_eq!(all_users[1], (ACCOUNT.to_string(), user("/", "bob")));
    assert_eq!(all_roles[0], (ACCOUNT.to_string(), role("/", "r1")));

    let gone = write(&db, |c| {
        Ok((
            entities::delete_user(c, ACCOUNT, "bob")?,
            entities::delete_user(c, ACCOUNT, "bob")?,
            entities::delete_role(c, ACCOUNT, "r1")?,
            entities::get_user(c, ACCOUNT, "bob")?,
            entities::get_role(c, ACCOUNT, "r1")?,
        ))
    })
    .await;
    assert_eq!(gone, (true, false, true, None, None));
}

#[tokio::test]
async fn groups_hold_members() {
    let (_d, db) = test_db();
    let created = write(&db, |c| {
        let made = [
            groups::insert(c, ACCOUNT, &group("/", "devs"))?,
            groups::insert(c, ACCOUNT, &group("/ops/", "ops"))?,
            groups::insert(c, ACCOUNT, &group("/", "DEVS"))?,
        ];
        groups::add_member(c, ACCOUNT, "devs", "amy")?;
        groups::add_member(c, ACCOUNT, "devs", "bob")?;
        groups::add_member(c, ACCOUNT, "devs", "amy")?;
        groups::add_member(c, ACCOUNT, "ops", "amy")?;
        Ok(made)
    })
    .await;
    assert_eq!(created, [true, true, false]);
    let (devs, ops, members, after, of_amy, all) = db
        .read(|c| {
            Ok::<_, trailstack_store::StoreError>((
                groups::get(c, ACCOUNT, "devs")?.unwrap(),
                groups::list(c, ACCOUNT, "/ops/", "", 10)?,
                groups::members(c, ACCOUNT, "devs", "", 10)?,
                groups::members(c, ACCOUNT, "devs", "amy", 10)?,
                groups::of_user(c, ACCOUNT, "amy", "", 10)?,
                groups::all_members(c)?,
            ))
        })
        .unwrap();
    assert_eq!(devs, group("/", "devs"));
    assert_eq!(names(&ops, |g| &g.name), ["ops"]);
    assert_eq!(members, ["amy", "bob"]);
    assert_eq!(after, ["bob"]);
    assert_eq!(names(&of_amy, |g| &g.name), ["devs", "ops"]);
    assert_eq!(all.len(), 3);
    let removed = write(&db, |c| {
        let r = (
            groups::remove_member(c, ACCOUNT, "devs", "amy")?,
            groups::remove_member(c, ACCOUNT, "devs", "amy")?,
        );
        groups::delete(c, ACCOUNT, "ops")?;
        Ok((r, groups::get(c, ACCOUNT, "ops")?))
    })
    .await;
    assert_eq!(removed, ((true, false), None));
}

#[tokio::test]
async fn access_keys_keep_status_and_last_use() {
    let (_d, db) = test_db();
    let stored = |id: &str, user: &str, sealed: u8| keys::StoredKey {
        key: AccessKey {
            user: user.into(),
            id: id.into(),
            active: true,
            created_ms: 5,
        },
        account: ACCOUNT.into(),
        sealed: vec![sealed; 3],
    };
    let (k1, k2, k3, again) = (
        stored("AKIA1", "amy", 1),
        stored("AKIA2", "amy", 2),
        stored("AKIA3", "bob", 3),
        stored("AKIA1", "amy", 9),
    );
    write(&db, move |c| {
        keys::upsert(c, &k1)?;
        keys::upsert(c, &k2)?;
        keys::upsert(c, &k3)?;
        keys::set_active(c, "AKIA1", false)?;
        // Seeding again replaces the secret and keeps the status.
        keys::upsert(c, &again)?;
        keys::record_use(
            c,
            "AKIA2",
            &LastUsed {
                used_ms: 99,
                service: "s3".into(),
                region: "us-east-1".into(),
            },
        )
    })
    .await;
    let (one, amy, after, used, unused, all) = db
        .read(|c| {
            Ok::<_, trailstack_store::StoreError>((
                keys::get(c, ACCOUNT, "amy", "AKIA1")?.unwrap(),
                keys::of_user(c, ACCOUNT, "amy", "", 10)?,
                keys::of_user(c, ACCOUNT, "amy", "AKIA1", 10)?,
                keys::last_used(c, "AKIA2")?.unwrap(),
                keys::last_used(c, "AKIA3")?.unwrap(),
                keys::all(c)?,
            ))
        })
        .unwrap();
    assert!(!one.active);
    assert_eq!(names(&amy, |k| &k.id), ["AKIA1", "AKIA2"]);
    assert_eq!(names(&after, |k| &k.id), ["AKIA2"]);
    assert_eq!(used.2.unwrap().service, "s3");
    assert_eq!(
        (unused.0.as_str(), unused.1.as_str(), unused.2),
        (ACCOUNT, "bob", None)
    );
    let first = all.iter().find(|k| k.key.id == "AKIA1").unwrap();
    assert_eq!(first.sealed, [9, 9, 9]);
    write(&db, |c| keys::delete(c, "AKIA1")).await;
    assert_eq!(db.read(|c| keys::last_used(c, "AKIA1")).unwrap(), None);
}

#[tokio::test]
async fn inline_policies_are_replaced_listed_and_cleared() {
    let (_d, db) = test_db();
    let user = OwnerKind::User;
    write(&db, move |c| {
        policies::put_inline(c, ACCOUNT, &Owner::new(user, "amy"), "b", "{1}")?;
        policies::put_inline(c, ACCOUNT, &Owner::new(user, "amy"), "a", "{2}")?;
        policies::put_inline(c, ACCOUNT, &Owner::new(user, "amy"), "b", "{3}")?;
        policies::put_inline(
            c,
            ACCOUNT,
            &Owner::new(user, "amy"),
            "trailstack-config-0",
            "{4}",
        )?;
        policies::put_inline(
            c,
            ACCOUNT,
            &Owner::new(OwnerKind::Role, "amy"),
            "trailstack-config-0",
            "{5}",
        )?;
        policies::clear_config_policies(c, ACCOUNT, "amy")
    })
    .await;
    let (b, listed, after, all, counts) = db
        .read(|c| {
            Ok::<_, trailstack_store::StoreError>((
                policies::get_inline(c, ACCOUNT, &Owner::new(user, "amy"), "b")?,
                policies::list_inline(c, ACCOUNT, &Owner::new(user, "amy"), "", 10)?,
                policies::list_inline(c, ACCOUNT, &Owner::new(user, "amy"), "a", 10)?,
                policies::all_inline(c)?,
                policies::owned_counts(c, ACCOUNT, &Owner::new(user, "amy"))?,
            ))
        })
        .unwrap();
    assert_eq!(b.as_deref(), Some("{3}"));
    assert_eq!(listed, ["a", "b"]);
    assert_eq!(after, ["b"]);
    assert_eq!(all.len(), 3, "the role's policy of that name stays");
    assert_eq!(counts, (2, 0));
    let deleted = write(&db, move |c| {
        Ok((
            policies::delete_inline(c, ACCOUNT, &Owner::new(user, "amy"), "a")?,
            policies::delete_inline(c, ACCOUNT, &Owner::new(user, "amy"), "a")?,
        ))
    })
    .await;
    assert_eq!(deleted, (true, false));
}

#[tokio::test]
async fn managed_policies_keep_versions_attachments_and_boundaries() {
    let (_d, db) = test_db();
    let aws = "arn:aws:iam::aws:policy/AdministratorAccess";
    let (made, v2, v3) = write(&db, move |c| {
        let made = [
            policies::insert_policy(c, ACCOUNT, &policy("/", "p"), "{v1}")?,
            policies::insert_policy(c, ACCOUNT, &policy("/team/", "q"), "{q1}")?,
            policies::insert_policy(c, ACCOUNT, &policy("/", "P"), "{}")?,
        ];
        let v2 = policies::add_version(c, ACCOUNT, "p", "{v2}", 10, true)?;
        let v3 = policies::add_version(c, ACCOUNT, "p", "{v3}", 11, false)?;
        let attached = [
            policies::attach(c, ACCOUNT, &Owner::new(OwnerKind::User, "amy"), "p")?,
            policies::attach(c, ACCOUNT, &Owner::new(OwnerKind::User, "amy"), "p")?,
            policies::attach(c, ACCOUNT, &Owner::new(OwnerKind::Group, "devs"), "p")?,
            policies::attach(c, ACCOUNT, &Owner::new(OwnerKind::User, "amy"), aws)?,
        ];
        assert_eq!(attached, [true, false, true, true]);
        boundaries::put(c, ACCOUNT, &Owner::new(OwnerKind::Role, "r"), "q")?;
        boundaries::put(c, ACCOUNT, &Owner::new(OwnerKind::User, "amy"), "q")?;
        boundaries::put(c, ACCOUNT, &Owner::new(OwnerKind::User, "amy"), "p")?;
        boundaries::put(c, ACCOUNT, &Owner::new(OwnerKind::User, "bob"), aws)?;
        Ok((made, v2, v3))
    })
    .await;
    assert_eq!((made, v2, v3), ([true, true, false], 2, 3));
    let read = db
        .read(move |c| {
            Ok::<_, trailstack_store::StoreError>((
                policies::get_policy(c, ACCOUNT, "p")?.unwrap(),
                policies::list_policies(c, ACCOUNT, "/team/", false, "", 10)?,
                policies::list_policies(c, ACCOUNT, "/", true, "", 10)?,
                policies::versions(c, ACCOUNT, "p", 2)?,
                policies::attached(c, ACCOUNT, &Owner::new(OwnerKind::User, "amy"), "", 10)?,
                policies::all_attached_documents(c)?,
                policies::all_aws_attachments(c)?,
                (
                    policies::boundary_count(c, ACCOUNT, "q")?,
                    policies::attachment_count(c, ACCOUNT, "p")?,
                    policies::owned_counts(c, ACCOUNT, &Owner::new(OwnerKind::User, "amy"))?,
                ),
            ))
        })
        .unwrap();
    let (p, team, in_use, versions, amy, documents, aws_attached, counts) = read;
    assert_eq!(
        (p.default_version, p.attachments, p.boundary_uses),
        (2, 2, 1)
    );
    assert_eq!(
        (p.updated_ms, p.arn.as_str()),
        (11, "arn:aws:iam::111122223333:policy/p")
    );
    assert_eq!(names(&team, |p| &p.name), ["q"]);
    assert_eq!(names(&in_use, |p| &p.name), ["p"]);
    let defaults: Vec<(u32, bool)> = versions.iter().map(|v| (v.version, v.default)).collect();
    assert_eq!(defaults, [(1, false), (2, true), (3, false)]);
    assert_eq!(versions[2].document.as_deref(), Some("{v3}"));
    assert_eq!(
        amy,
        [
            (aws.to_string(), None),
            ("p".to_string(), Some("/".to_string()))
        ]
    );
    assert_eq!(documents.len(), 2);
    assert!(documents.iter().all(|d| d.3 == "{v2}"));
    assert_eq!(
        aws_attached,
        [(ACCOUNT.into(), "User".into(), "amy".into(), aws.into())]
    );
    assert_eq!(counts, (1, 2, (0, 2)));

    let bounds = db
        .read(move |c| {
            Ok::<_, trailstack_store::StoreError>((
                boundaries::get(c, ACCOUNT, &Owner::new(OwnerKind::User, "amy"))?,
                boundaries::get(c, ACCOUNT, &Owner::new(OwnerKind::Role, "r"))?,
                boundaries::get(c, ACCOUNT, &Owner::new(OwnerKind::User, "bob"))?,
                boundaries::all_aws(c)?,
                boundaries::all_documents(c)?,
            ))
        })
        .unwrap();
    assert_eq!(
        bounds.0.as_deref(),
        Some("arn:aws:iam::111122223333:policy/p")
    );
    assert_eq!(
        bounds.1.as_deref(),
        Some("arn:aws:iam::111122223333:policy/team/q")
    );
    assert_eq!(bounds.2.as_deref(), Some(aws));
    assert_eq!(bounds.3.len(), 1);
    let mut docs: Vec<(String, String)> = bounds.4.into_iter().map(|b| (b.2, b.4)).collect();
    docs.sort();
    assert_eq!(
        docs,
        [("amy".into(), "{v2}".into()), ("r".into(), "{q1}".into())]
    );

    let after = write(&db, move |c| {
        let detached = [
            policies::detach(c, ACCOUNT, &Owner::new(OwnerKind::User, "amy"), "p")?,
            policies::detach(c, ACCOUNT, &Owner::new(OwnerKind::User, "amy"), "p")?,
        ];
        let deleted = policies::delete_version(c, ACCOUNT, "p", 1)?;
        policies::set_default(c, ACCOUNT, "p", 3, 12)?;
        boundaries::delete(c, ACCOUNT, &Owner::new(OwnerKind::User, "amy"))?;
        policies::delete_policy(c, ACCOUNT, "q")?;
        Ok((
            detached,
            deleted,
            policies::get_policy(c, ACCOUNT, "p")?.unwrap(),
            policies::versions(c, ACCOUNT, "q", 1)?.len(),
            policies::get_policy(c, ACCOUNT, "q")?,
            boundaries::get(c, ACCOUNT, &Owner::new(OwnerKind::User, "amy"))?,
        ))
    })
    .await;
    assert_eq!(after.0, [true, false]);
    assert!(after.1);
    assert_eq!((after.2.default_version, after.2.attachments), (3, 1));
    assert_eq!((after.3, after.4, after.5), (0, None, None));
}

#[tokio::test]
async fn tags_are_keyed_by_their_folded_key() {
    let (_d, db) = test_db();
    let tag = |k: &str, v: &str| Tag {
        key: k.into(),
        value: v.into(),
    };
    let (first, second) = (
        vec![tag("Team", "blue"), tag("env", "dev"), tag("Cost", "1")],
        vec![tag("TEAM", "red")],
    );
    write(&db, move |c| {
        tags::put(c, ACCOUNT, &Owner::new(OwnerKind::User, "amy"), &first)?;
        tags::put(c, ACCOUNT, &Owner::new(OwnerKind::User, "amy"), &second)?;
        tags::put(c, ACCOUNT, &Owner::new(OwnerKind::Role, "r"), &second)?;
        tags::remove(
            c,
            ACCOUNT,
            &Owner::new(OwnerKind::User, "amy"),
            &["ENV".into(), "none".into()],
        )
    })
    .await;
    let (listed, after, count, all) = db
        .read(|c| {
            Ok::<_, trailstack_store::StoreError>((
                tags::list(c, ACCOUNT, &Owner::new(OwnerKind::User, "amy"), "", 10)?,
                tags::list(c, ACCOUNT, &Owner::new(OwnerKind::User, "amy"), "COST", 10)?,
                tags::count(c, ACCOUNT, &Owner::new(OwnerKind::User, "amy"))?,
                tags::all(c)?,
            ))
        })
        .unwrap();
    assert_eq!(listed, [tag("Cost", "1"), tag("TEAM", "red")]);
    assert_eq!(after, [tag("TEAM", "red")]);
    assert_eq!(count, 2);
    assert_eq!(all.len(), 3);
    assert_eq!(all[2].1, "User");
    write(&db, |c| {
        tags::clear(c, ACCOUNT, &Owner::new(OwnerKind::User, "amy"))
    })
    .await;
    let left = db
        .read(|c| tags::count(c, ACCOUNT, &Owner::new(OwnerKind::User, "amy")))
        .unwrap();
    assert_eq!(left, 0);
}

#[tokio::test]
async fn sessions_are_kept_a_day_past_expiry() {
    let (_d, db) = test_db();
    let day = sessions::KEEP_AFTER_EXPIRY_MS;
    let session = |key: &str, expires_ms: i64| sessions::StoredSession {
        access_key: key.into(),
        account: ACCOUNT.into(),
        sealed: vec![7; 4],
        token_sha256: "00".into(),
        principal: Principal::User { name: "amy".into() },
        session: Session::plain(
            time::OffsetDateTime::UNIX_EPOCH,
            time::OffsetDateTime::UNIX_EPOCH + time::Duration::milliseconds(expires_ms),
        ),
        policies: Vec::new(),
        chained: false,
    };
    let (old, kept, new) = (
        session("ASIA1", 1_000),
        session("ASIA2", 5_000),
        session("ASIA3", 9_000),
    );
    let expected = [kept.clone(), new.clone()];
    write(&db, move |c| {
        sessions::insert(c, &old, 0)?;
        sessions::insert(c, &kept, 0)?;
        // A day and a bit after the first expired: it goes, the second stays.
        sessions::insert(c, &new, 1_001 + day)
    })
    .await;
    let mut all = db.read(sessions::all).unwrap();
    all.sort_by(|a, b| a.access_key.cmp(&b.access_key));
    assert_eq!(all, expected);
}
