//! Users and their access keys: CreateUser, GetUser, ListUsers, DeleteUser, CreateAccessKey,
//! ListAccessKeys, UpdateAccessKey, DeleteAccessKey, GetAccessKeyLastUsed.
//!
//! AWS facts: docs/aws/iam-sts.md §5.

use super::changed;
use super::checks::{self, read_page};
use super::owners::{self, not_found, user_exists};
use super::tags;
use crate::error::{IamError, IamResult};
use crate::model::entities::{self, user_arn};
use crate::model::keys;
use crate::op::{AccessKey, IamOutput, Owner, OwnerKind, Page, Tag, User};
use crate::Iam;
use trailstack_core::{user_principal_id, Caller, Principal};
use trailstack_store::Conn;

/// Most access keys a user may have.
const KEYS_PER_USER: usize = 2;

fn no_user(name: &str) -> IamError {
    not_found(OwnerKind::User, name)
}

fn no_key(id: &str) -> IamError {
    IamError::NoSuchEntity(format!("The Access Key with id {id} cannot be found."))
}

pub async fn create(
    iam: &Iam,
    account: String,
    name: String,
    path: String,
    tags: Vec<Tag>,
    boundary: Option<String>,
) -> IamResult<IamOutput> {
    checks::name(&name, "userName", 64)?;
    checks::path(&path)?;
    tags::check(&tags)?;
    let user = User {
        arn: user_arn(&account, &path, &name),
        id: user_principal_id(&account, &name),
        created_ms: iam.now_ms(),
        name,
        path,
        tags,
        boundary,
    };
    let u = user.clone();
    iam.change(move |c| {
        let inserted = entities::insert_user(c, &account, &u)?;
        let owner = Owner {
            kind: OwnerKind::User,
            name: u.name.clone(),
        };
        owners::created(c, &account, owner, inserted, &u.tags, u.boundary.as_deref())
    })
    .await?;
    Ok(IamOutput::User(user))
}

/// The user a call names, or else the calling user.
fn user_named(caller: &Caller, name: Option<String>) -> IamResult<String> {
    match (name, &caller.principal) {
        (Some(n), _) => Ok(n),
        (None, Principal::User { name }) => Ok(name.clone()),
        (None, _) => Err(IamError::InvalidInput(
            "UserName is required: the account's root keys come from trailstack's configuration"
                .into(),
        )),
    }
}

pub async fn get(iam: &Iam, caller: &Caller, name: Option<String>) -> IamResult<IamOutput> {
    let account = caller.account.as_str().to_string();
    if name.is_none() && caller.principal == Principal::Root {
        // The root asking about itself: AWS answers the account as a user without a name.
        return Ok(IamOutput::User(User {
            path: String::new(),
            name: String::new(),
            id: account.clone(),
            arn: caller.arn(),
            created_ms: 0,
            tags: Vec::new(),
            boundary: None,
        }));
    }
    let name = user_named(caller, name)?;
    iam.read(|c| {
        let mut u = entities::get_user(c, &account, &name)?.ok_or_else(|| no_user(&name))?;
        (u.tags, u.boundary) = owners::tags_and_boundary(c, &account, OwnerKind::User, &name)?;
        Ok(u)
    })
    .map(IamOutput::User)
}

pub async fn list(iam: &Iam, account: String, prefix: String, page: Page) -> IamResult<IamOutput> {
    let (users, next) = read_page(
        iam,
        &page,
        |u: &User| u.name.clone(),
        |c, after, n| Ok(entities::list_users(c, &account, &prefix, after, n)?),
    )?;
    Ok(IamOutput::Users(users, next))
}

pub async fn delete(iam: &Iam, account: String, name: String) -> IamResult<IamOutput> {
    changed(iam, move |c| {
        user_exists(c, &account, &name)?;
        if !keys::of_user(c, &account, &name, "", 1)?.is_empty() {
            return Err(IamError::DeleteConflict(
                "Cannot delete entity, must delete access keys first.".into(),
            ));
        }
        if !crate::model::groups::of_user(c, &account, &name, "", 1)?.is_empty() {
            return Err(IamError::DeleteConflict(
                "Cannot delete entity, must remove user from all groups first.".into(),
            ));
        }
        owners::check_no_policies(c, &account, OwnerKind::User, &name)?;
        entities::delete_user(c, &account, &name)?;
        owners::deleted(c, &account, OwnerKind::User, &name)
    })
    .await
}

/// `n` random characters of `alphabet`.
pub(super) fn random_text(n: usize, alphabet: &[u8]) -> IamResult<String> {
    let mut bytes = vec![0u8; n];
    aws_lc_rs::rand::fill(&mut bytes).map_err(|_| IamError::Internal("no randomness".into()))?;
    Ok(bytes
        .iter()
        .map(|b| alphabet[*b as usize % alphabet.len()] as char)
        .collect())
}

pub async fn create_key(iam: &Iam, caller: &Caller, user: Option<String>) -> IamResult<IamOutput> {
    let account = caller.account.as_str().to_string();
    let user = user_named(caller, user)?;
    let id = format!(
        "AKIA{}",
        random_text(16, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")?
    );
    let secret = random_text(
        40,
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
    )?;
    let key = AccessKey {
        user,
        id,
        active: true,
        created_ms: iam.now_ms(),
    };
    let sealed = iam.root.seal(&keys::purpose(&key.id), secret.as_bytes())?;
    let stored = keys::StoredKey {
        key: key.clone(),
        account: account.clone(),
        sealed,
    };
    iam.change(move |c| {
        let user = &stored.key.user;
        user_exists(c, &account, user)?;
        if keys::of_user(c, &account, user, "", KEYS_PER_USER)?.len() >= KEYS_PER_USER {
            return Err(IamError::LimitExceeded(format!(
                "Cannot exceed quota for AccessKeysPerUser: {KEYS_PER_USER}"
            )));
        }
        keys::upsert(c, &stored)?;
        Ok(())
    })
    .await?;
    Ok(IamOutput::NewAccessKey(key, secret))
}

pub async fn list_keys(
    iam: &Iam,
    caller: &Caller,
    user: Option<String>,
    page: Page,
) -> IamResult<IamOutput> {
    let account = caller.account.as_str().to_string();
    let user = user_named(caller, user)?;
    let (found, next) = read_page(
        iam,
        &page,
        |k: &AccessKey| k.id.clone(),
        |c, after, n| {
            user_exists(c, &account, &user)?;
            Ok(keys::of_user(c, &account, &user, after, n)?)
        },
    )?;
    Ok(IamOutput::AccessKeys(found, next))
}

pub async fn update_key(
    iam: &Iam,
    caller: &Caller,
    user: Option<String>,
    id: String,
    active: bool,
) -> IamResult<IamOutput> {
    change_key(iam, caller, user, id, move |c, id| {
        Ok(keys::set_active(c, id, active)?)
    })
    .await
}

pub async fn delete_key(
    iam: &Iam,
    caller: &Caller,
    user: Option<String>,
    id: String,
) -> IamResult<IamOutput> {
    change_key(iam, caller, user, id, |c, id| Ok(keys::delete(c, id)?)).await
}

/// Changes access key `id` of the user a call names (else the calling user) with `edit`, once
/// the user and the key are found.
async fn change_key(
    iam: &Iam,
    caller: &Caller,
    user: Option<String>,
    id: String,
    edit: impl FnOnce(&Conn, &str) -> IamResult<()> + Send + 'static,
) -> IamResult<IamOutput> {
    let account = caller.account.as_str().to_string();
    let user = user_named(caller, user)?;
    changed(iam, move |c| {
        user_exists(c, &account, &user)?;
        keys::get(c, &account, &user, &id)?.ok_or_else(|| no_key(&id))?;
        edit(c, &id)
    })
    .await
}

pub async fn key_last_used(iam: &Iam, caller: &Caller, id: String) -> IamResult<IamOutput> {
    let account = caller.account.as_str().to_string();
    let key = id.clone();
    let found = iam.read(|c| Ok(keys::last_used(c, &key)?))?;
    match found {
        Some((owner_account, user, stored)) if owner_account == account => {
            Ok(IamOutput::LastUsed(user, iam.last_use(&id).or(stored)))
        }
        _ => Err(no_key(&id)),
    }
}
