//! Key tags: TagResource, UntagResource, ListResourceTags, and the tag rules CreateKey applies
//! too.

use super::{edit_key, read_key, required};
use crate::error::{KmsError, KmsResult};
use crate::shapes::{
    Empty, ListResourceTagsInput, ListResourceTagsOutput, Tag, TagResourceInput, UntagResourceInput,
};
use crate::Kms;
use trailstack_core::Caller;

/// The tags a request sets, as a key keeps them, validated as KMS does.
pub fn request_tags(tags: &Option<Vec<Tag>>) -> KmsResult<Vec<(String, String)>> {
    let tags: Vec<(String, String)> = tags
        .iter()
        .flatten()
        .map(|t| (t.tag_key.clone(), t.tag_value.clone()))
        .collect();
    check_tags(&tags)?;
    Ok(tags)
}

/// Validates tags as KMS does.
pub fn check_tags(tags: &[(String, String)]) -> KmsResult<()> {
    if tags.len() > 50 {
        return Err(KmsError::Tag("A key can have at most 50 tags.".into()));
    }
    for (k, v) in tags {
        if k.is_empty() || k.chars().count() > 128 || v.chars().count() > 256 {
            return Err(KmsError::Tag(format!("Tag {k} is not valid.")));
        }
        if k.starts_with("aws:") {
            return Err(KmsError::Tag(
                "Tag keys beginning with aws: are reserved.".into(),
            ));
        }
    }
    Ok(())
}

/// TagResource: adds tags, replacing values of existing keys.
pub async fn tag(kms: &Kms, caller: &Caller, p: TagResourceInput) -> KmsResult<Empty> {
    let id = required(&p.key_id, "keyId")?.to_string();
    let new = request_tags(&p.tags)?;
    edit_key(kms, caller, id, move |k| {
        super::check_not_pending_deletion(k)?;
        for (key, value) in new {
            match k.meta.tags.iter_mut().find(|(t, _)| *t == key) {
                Some(slot) => slot.1 = value,
                None => k.meta.tags.push((key, value)),
            }
        }
        check_tags(&k.meta.tags)
    })
    .await?;
    Ok(Empty {})
}

/// UntagResource.
pub async fn untag(kms: &Kms, caller: &Caller, p: UntagResourceInput) -> KmsResult<Empty> {
    let id = required(&p.key_id, "keyId")?.to_string();
    let keys = p.tag_keys.clone().unwrap_or_default();
    edit_key(kms, caller, id, move |k| {
        super::check_not_pending_deletion(k)?;
        k.meta.tags.retain(|(t, _)| !keys.contains(t));
        Ok(())
    })
    .await?;
    Ok(Empty {})
}

/// ListResourceTags.
pub async fn list(
    kms: &Kms,
    caller: &Caller,
    p: ListResourceTagsInput,
) -> KmsResult<ListResourceTagsOutput> {
    let id = required(&p.key_id, "keyId")?.to_string();
    let n = super::limit(p.limit, 50, 50)?;
    let k = read_key(kms, caller, id).await?;
    let page = super::index_page(&k.meta.tags, p.marker.as_deref(), n, |(t, v)| Tag {
        tag_key: t.clone(),
        tag_value: v.clone(),
    })?;
    Ok(page.into())
}
