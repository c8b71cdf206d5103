//! AddTags, RemoveTags, ListTags on trails. Other taggable CloudTrail resources (event data
//! stores, channels, dashboards) do not exist here, so their ARNs are not found.

use super::{find, names, Access, Scope};
use crate::error::{CloudTrailError, CtResult};
use crate::model::trails as model;
use crate::op::{ListTagsInput, Output, ResourceTag, Tag, TagsInput};
use crate::CloudTrail;
use trailstack_core::Caller;
use trailstack_store::Conn;

/// Most tags on one resource.
pub const MAX_TAGS: usize = 50;
/// Most resources one ListTags names.
const MAX_LIST: usize = 20;

fn check_tag(t: &Tag) -> CtResult<()> {
    let bad = |m: String| Err(CloudTrailError::InvalidTagParameter(m));
    let klen = t.key.chars().count();
    if !(1..=128).contains(&klen) {
        return bad(format!("Tag key must be 1 to 128 characters: {}", t.key));
    }
    if t.key.starts_with("aws:") {
        return bad(format!(
            "Tag keys starting with aws: are reserved: {}",
            t.key
        ));
    }
    if t.value.as_ref().is_some_and(|v| v.chars().count() > 256) {
        return bad(format!(
            "Tag value for key {} must be at most 256 characters.",
            t.key
        ));
    }
    Ok(())
}

/// `existing` with `added` put over it (same key: new value), checked for AWS's tag rules.
pub fn merged(existing: &[Tag], added: &[Tag]) -> CtResult<Vec<Tag>> {
    for (i, t) in added.iter().enumerate() {
        check_tag(t)?;
        if added[..i].iter().any(|o| o.key == t.key) {
            return Err(CloudTrailError::InvalidTagParameter(format!(
                "Duplicate tag key: {}",
                t.key
            )));
        }
    }
    let mut out = existing.to_vec();
    for t in added {
        match out.iter_mut().find(|o| o.key == t.key) {
            Some(o) => o.value = t.value.clone(),
            None => out.push(t.clone()),
        }
    }
    if out.len() > MAX_TAGS {
        return Err(CloudTrailError::TagsLimitExceeded(format!(
            "The number of tags on the resource would be {}, more than the limit of {MAX_TAGS}.",
            out.len()
        )));
    }
    Ok(out)
}

/// The trail a tagging ResourceId names: a trail ARN of the caller's account.
fn trail_for(c: &Conn, scope: &Scope, id: &str, access: Access) -> CtResult<model::TrailRecord> {
    let cloudtrail_arn = id.starts_with("arn:aws:cloudtrail:");
    if !cloudtrail_arn {
        return Err(CloudTrailError::ArnInvalid(format!(
            "{id} is not a valid CloudTrail resource ARN."
        )));
    }
    let resource_missing =
        || CloudTrailError::ResourceNotFound(format!("Resource {id} not found."));
    if names::parse_trail_arn(id).is_err() {
        // An event data store, channel or dashboard ARN: none exist here.
        return Err(resource_missing());
    }
    find(c, scope, id, access).map_err(|e| match e {
        CloudTrailError::TrailNotFound(_) => resource_missing(),
        other => other,
    })
}

/// AddTags.
pub async fn add(ct: &CloudTrail, caller: &Caller, i: TagsInput) -> CtResult<Output> {
    let scope = Scope::of(ct, caller);
    ct.write_trails(move |c| {
        let mut t = trail_for(c, &scope, &i.resource_id, Access::Mutate)?;
        t.tags = merged(&t.tags, i.tags_list.as_deref().unwrap_or_default())?;
        model::update(c, &t)?;
        Ok(())
    })
    .await?;
    Ok(Output::Empty {})
}

/// RemoveTags: by key.
pub async fn remove(ct: &CloudTrail, caller: &Caller, i: TagsInput) -> CtResult<Output> {
    let scope = Scope::of(ct, caller);
    ct.write_trails(move |c| {
        let mut t = trail_for(c, &scope, &i.resource_id, Access::Mutate)?;
        let gone = i.tags_list.unwrap_or_default();
        t.tags.retain(|x| !gone.iter().any(|g| g.key == x.key));
        model::update(c, &t)?;
        Ok(())
    })
    .await?;
    Ok(Output::Empty {})
}

/// ListTags.
pub async fn list(ct: &CloudTrail, caller: &Caller, i: ListTagsInput) -> CtResult<Output> {
    if i.resource_id_list.len() > MAX_LIST {
        return Err(CloudTrailError::InvalidParameter(format!(
            "ResourceIdList can name at most {MAX_LIST} resources."
        )));
    }
    let scope = Scope::of(ct, caller);
    let list = ct
        .read(move |c| {
            i.resource_id_list
                .iter()
                .map(|id| {
                    let t = trail_for(c, &scope, id, Access::Read)?;
                    Ok(ResourceTag {
                        resource_id: t.arn,
                        tags_list: t.tags,
                    })
                })
                .collect::<CtResult<Vec<_>>>()
        })
        .await?;
    Ok(Output::Tags {
        resource_tag_list: list,
    })
}
