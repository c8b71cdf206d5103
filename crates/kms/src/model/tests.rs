//! The KMS queries run against a real database, on whichever engine the tests run on (SQLite,
//! or PostgreSQL when `TRAILSTACK_TEST_DATABASE` names one): keys and their material, aliases,
//! grants and import parameters, with paging, upserts and deletion's cascade.

use super::aliases::{self, Alias};
use super::grants::{self, Grant, GrantMeta, GrantOperation};
use super::imports::{self, ImportParams};
use super::keys::{self, KeyMeta, KeyRecord, KeyState};
use super::MIGRATIONS;
use crate::crypto::{KeySpec, WrappingAlgorithm};
use crate::error::KmsResult;
use trailstack_store::{Conn, Db};

fn test_db() -> (tempfile::TempDir, Db) {
    trailstack_store::testing::open(MIGRATIONS)
}

fn key(id: &str, account: &str) -> KeyRecord {
    KeyRecord {
        key_id: id.into(),
        account: account.into(),
        region: "us-east-1".into(),
        created_ms: 1,
        meta: KeyMeta {
            description: format!("key {id}"),
            policy: "{}".into(),
            current_version: 1,
            ..Default::default()
        },
    }
}

fn alias(name: &str, key_id: &str, at: i64) -> Alias {
    Alias {
        account: "111122223333".into(),
        region: "us-east-1".into(),
        name: name.into(),
        key_id: key_id.into(),
        created_ms: at,
        updated_ms: at,
    }
}

fn grant(id: &str, key_id: &str, created_ms: i64) -> Grant {
    Grant {
        grant_id: id.into(),
        key_id: key_id.into(),
        created_ms,
        meta: GrantMeta {
            issuing_account: "111122223333".into(),
            grantee_principal: "arn:aws:iam::111122223333:user/u".into(),
            operations: vec![GrantOperation::Decrypt],
            ..Default::default()
        },
    }
}

async fn write<T: Send + 'static>(
    db: &Db,
    f: impl FnOnce(&Conn) -> KmsResult<T> + Send + 'static,
) -> T {
    db.write(f).await.unwrap()
}

#[tokio::test]
async fn keys_round_trip_page_and_fall_due() {
    let (_d, db) = test_db();
    write(&db, |c| {
        for id in ["k3", "k1", "k2"] {
            keys::insert(c, &key(id, "111122223333"))?;
        }
        keys::insert(c, &key("k0", "444455556666"))
    })
    .await;
    let (one, page, rest, none) = db
        .read(|c| {
            Ok::<_, crate::KmsError>((
                keys::get(c, "k1")?.unwrap(),
                keys::list(c, "111122223333", "us-east-1", "", 2)?,
                keys::list(c, "111122223333", "us-east-1", "k2", 10)?,
                keys::get(c, "nope")?,
            ))
        })
        .unwrap();
    assert_eq!(one.meta.description, "key k1");
    assert_eq!(one.arn(), "arn:aws:kms:us-east-1:111122223333:key/k1");
    let ids = |v: &[KeyRecord]| v.iter().map(|k| k.key_id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&page), ["k1", "k2"]);
    assert_eq!(ids(&rest), ["k3"]);
    assert!(none.is_none());
    assert_eq!(db.read(keys::next_due).unwrap(), None);

    write(&db, |c| {
        let mut k = keys::get(c, "k1")?.unwrap();
        k.meta.key_state = KeyState::PendingDeletion;
        k.meta.deletion_ms = Some(50);
        keys::update(c, &k)?;
        let mut k = keys::get(c, "k2")?.unwrap();
        k.meta.next_rotation_ms = Some(30);
        keys::update(c, &k)?;
        let mut k = keys::get(c, "k3")?.unwrap();
        k.meta.valid_to_ms = Some(40);
        keys::update(c, &k)
    })
    .await;
    let due = db
        .read(|c| {
            Ok::<_, crate::KmsError>((
                keys::next_due(c)?,
                keys::due_for_deletion(c, 49)?,
                keys::due_for_deletion(c, 50)?,
                keys::due_for_rotation(c, 30)?,
                keys::due_for_expiry(c, 100)?,
                keys::get(c, "k1")?.unwrap().meta.key_state,
            ))
        })
        .unwrap();
    assert_eq!(due.0, Some(30));
    assert!(due.1.is_empty());
    assert_eq!(due.2, ["k1"]);
    assert_eq!(due.3, ["k2"]);
    assert_eq!(due.4, ["k3"]);
    assert_eq!(due.5, KeyState::PendingDeletion);
}

#[tokio::test]
async fn material_versions_are_replaced_and_removed() {
    let (_d, db) = test_db();
    write(&db, |c| {
        keys::insert(c, &key("k", "111122223333"))?;
        keys::put_material(c, "k", 1, 1, &[1, 2, 3])?;
        keys::put_material(c, "k", 2, 2, &[4])?;
        // Importing the same material again replaces the version.
        keys::put_material(c, "k", 1, 3, &[0, 255])
    })
    .await;
    let (v1, v2, v3) = db
        .read(|c| {
            Ok::<_, crate::KmsError>((
                keys::material(c, "k", 1)?,
                keys::material(c, "k", 2)?,
                keys::material(c, "k", 3)?,
            ))
        })
        .unwrap();
    assert_eq!(v1, Some(vec![0, 255]));
    assert_eq!(v2, Some(vec![4]));
    assert_eq!(v3, None);
    write(&db, |c| keys::delete_material(c, "k")).await;
    assert_eq!(db.read(|c| keys::material(c, "k", 2)).unwrap(), None);
}

#[tokio::test]
async fn aliases_retarget_list_and_count() {
    let (_d, db) = test_db();
    write(&db, |c| {
        keys::insert(c, &key("k1", "111122223333"))?;
        keys::insert(c, &key("k2", "111122223333"))?;
        aliases::put(c, &alias("alias/b", "k1", 1))?;
        aliases::put(c, &alias("alias/a", "k1", 2))?;
        aliases::put(c, &alias("alias/c", "k2", 3))?;
        // UpdateAlias: the same name now points at another key.
        aliases::put(c, &alias("alias/b", "k2", 4))
    })
    .await;
    let names = |v: Vec<Alias>| v.into_iter().map(|a| a.name).collect::<Vec<_>>();
    let (b, all, of_k2, after_a, counts) = db
        .read(|c| {
            Ok::<_, crate::KmsError>((
                aliases::get(c, "111122223333", "us-east-1", "alias/b")?.unwrap(),
                aliases::list(c, "111122223333", "us-east-1", None, "", 10)?,
                aliases::list(c, "111122223333", "us-east-1", Some("k2"), "", 10)?,
                aliases::list(c, "111122223333", "us-east-1", None, "alias/a", 1)?,
                (
                    aliases::count_for_key(c, "k1")?,
                    aliases::count_for_key(c, "k2")?,
                ),
            ))
        })
        .unwrap();
    assert_eq!((b.key_id.as_str(), b.updated_ms), ("k2", 4));
    assert_eq!(names(all), ["alias/a", "alias/b", "alias/c"]);
    assert_eq!(names(of_k2), ["alias/b", "alias/c"]);
    assert_eq!(names(after_a), ["alias/b"]);
    assert_eq!(counts, (1, 2));
    write(&db, |c| {
        aliases::delete(c, "111122223333", "us-east-1", "alias/a")
    })
    .await;
    let gone = db
        .read(|c| aliases::get(c, "111122223333", "us-east-1", "alias/a"))
        .unwrap();
    assert!(gone.is_none());
}

#[tokio::test]
async fn grants_page_by_creation_then_id_and_filter() {
    let (_d, db) = test_db();
    write(&db, |c| {
        keys::insert(c, &key("k1", "111122223333"))?;
        keys::insert(c, &key("k2", "111122223333"))?;
        keys::insert(c, &key("k3", "444455556666"))?;
        grants::insert(c, &grant("g2", "k1", 10))?;
        grants::insert(c, &grant("g1", "k1", 10))?;
        grants::insert(c, &grant("g0", "k1", 20))?;
        grants::insert(c, &grant("g3", "k2", 5))?;
        grants::insert(c, &grant("g4", "k3", 1))
    })
    .await;
    let ids = |v: Vec<Grant>| v.into_iter().map(|g| g.grant_id).collect::<Vec<_>>();
    let start = (i64::MIN, String::new());
    let (first, next, skipping, account, one, count) = db
        .read(|c| {
            Ok::<_, crate::KmsError>((
                grants::list_for_key(c, "k1", &start, 2, |_| true)?,
                grants::list_for_key(c, "k1", &(10, "g2".into()), 2, |_| true)?,
                grants::list_for_key(c, "k1", &start, 1, |g| g.grant_id != "g1")?,
                grants::list_for_account(c, "111122223333", "us-east-1", &start, 10, |_| true)?,
                grants::get(c, "g3")?.unwrap(),
                grants::count_for_key(c, "k1")?,
            ))
        })
        .unwrap();
    assert_eq!(ids(first), ["g1", "g2"]);
    assert_eq!(ids(next), ["g0"]);
    assert_eq!(ids(skipping), ["g2"]);
    assert_eq!(ids(account), ["g3", "g1", "g2", "g0"]);
    assert_eq!(one, grant("g3", "k2", 5));
    assert_eq!(count, 3);
    write(&db, |c| grants::delete(c, "g1")).await;
    assert!(db.read(|c| grants::get(c, "g1")).unwrap().is_none());
}

#[tokio::test]
async fn import_parameters_round_trip_and_expire() {
    let (_d, db) = test_db();
    let params = |token: &str, valid_to_ms: i64| ImportParams {
        token: token.into(),
        key_id: "k".into(),
        created_ms: 1,
        valid_to_ms,
        wrapping_spec: KeySpec::Rsa2048,
        wrapping_algorithm: WrappingAlgorithm::RsaesOaepSha256,
        sealed: vec![9, 0, 9],
    };
    let (early, late) = (params("t1", 10), params("t2", 20));
    let (e, l) = (early.clone(), late.clone());
    write(&db, move |c| {
        keys::insert(c, &key("k", "111122223333"))?;
        imports::insert(c, &e)?;
        imports::insert(c, &l)
    })
    .await;
    assert_eq!(db.read(|c| imports::get(c, "t1")).unwrap(), Some(early));
    write(&db, |c| imports::prune(c, 15)).await;
    let (t1, t2) = db
        .read(|c| Ok::<_, crate::KmsError>((imports::get(c, "t1")?, imports::get(c, "t2")?)))
        .unwrap();
    assert_eq!((t1, t2), (None, Some(late)));
}

#[tokio::test]
async fn deleting_a_key_takes_its_material_grants_aliases_and_imports() {
    let (_d, db) = test_db();
    write(&db, |c| {
        keys::insert(c, &key("k", "111122223333"))?;
        keys::insert(c, &key("other", "111122223333"))?;
        keys::put_material(c, "k", 1, 1, &[1])?;
        grants::insert(c, &grant("g", "k", 1))?;
        aliases::put(c, &alias("alias/k", "k", 1))?;
        aliases::put(c, &alias("alias/other", "other", 1))?;
        imports::insert(
            c,
            &ImportParams {
                token: "t".into(),
                key_id: "k".into(),
                created_ms: 1,
                valid_to_ms: 2,
                wrapping_spec: KeySpec::Rsa2048,
                wrapping_algorithm: WrappingAlgorithm::RsaesOaepSha1,
                sealed: vec![1],
            },
        )?;
        keys::delete(c, "k")
    })
    .await;
    let left = db
        .read(|c| {
            Ok::<_, crate::KmsError>((
                keys::get(c, "k")?.is_none(),
                keys::material(c, "k", 1)?.is_none(),
                grants::get(c, "g")?.is_none(),
                aliases::count_for_key(c, "k")?,
                imports::get(c, "t")?.is_none(),
                aliases::count_for_key(c, "other")?,
            ))
        })
        .unwrap();
    assert_eq!(left, (true, true, true, 0, true, 1));
}
