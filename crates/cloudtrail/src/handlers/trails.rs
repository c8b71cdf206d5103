//! CreateTrail, UpdateTrail, DeleteTrail, GetTrail, DescribeTrails, ListTrails: the trail
//! rules — names, the 5-trails-per-region quota (a multi-region trail counts in every region),
//! shadows, the home-region rule — and the bucket and key checks made before a destination is
//! accepted.

use super::{checks, find, names, not_found, view, Access, Scope};
use crate::error::{CloudTrailError, CtResult};
use crate::model::trails::{self as model, TrailConfig, TrailRecord, TrailStatus};
use crate::op::{
    CreateTrailInput, DescribeTrailsInput, NameInput, Output, PageInput, TrailInfo, TrailSettings,
    UpdateTrailInput,
};
use crate::selectors::TrailSelectors;
use crate::CloudTrail;
use base64::Engine;
use trailstack_core::{Caller, KeyRef, KeyState};
use trailstack_store::Conn;

/// Most trails visible in one region of one account.
pub const MAX_TRAILS_PER_REGION: usize = 5;
/// ListTrails page size.
const PAGE: usize = 50;

/// Refuses a trail named `name` where another of that name would be visible: in `region`,
/// or anywhere when either trail spans every region.
fn check_unique(
    trails: &[TrailRecord],
    scope: &Scope,
    name: &str,
    multi: bool,
    except: Option<&str>,
) -> CtResult<()> {
    let clash = trails.iter().any(|t| {
        Some(t.arn.as_str()) != except && t.name == name && (multi || t.visible_in(&scope.region))
    });
    if clash {
        return Err(CloudTrailError::TrailAlreadyExists(format!(
            "Trail {name} already exists for customer: {}",
            scope.account
        )));
    }
    Ok(())
}

/// Refuses one more trail in `scope.region` (or, for a multi-region trail, in any region that
/// has trails) when that region already sees 5.
fn check_room(
    trails: &[TrailRecord],
    scope: &Scope,
    multi: bool,
    except: Option<&str>,
) -> CtResult<()> {
    let others: Vec<&TrailRecord> = trails
        .iter()
        .filter(|t| Some(t.arn.as_str()) != except)
        .collect();
    let mut regions = vec![scope.region.as_str()];
    if multi {
        regions.extend(others.iter().map(|t| t.home_region.as_str()));
    }
    for r in regions {
        if others.iter().filter(|t| t.visible_in(r)).count() >= MAX_TRAILS_PER_REGION {
            return Err(CloudTrailError::MaximumNumberOfTrailsExceeded(format!(
                "User: {} already has {MAX_TRAILS_PER_REGION} trails in {r}.",
                scope.account
            )));
        }
    }
    Ok(())
}

/// Features trailstack does not serve or the account cannot have, refused before anything
/// else is looked at.
fn check_unserved(
    sns: Option<&str>,
    cw_group: Option<&str>,
    cw_role: Option<&str>,
    org: Option<bool>,
) -> CtResult<()> {
    let set = |v: Option<&str>| v.is_some_and(|s| !s.is_empty());
    if set(cw_group) != set(cw_role) {
        return Err(CloudTrailError::InvalidParameterCombination(
            "You must specify a log group and a role ARN together for CloudWatch Logs delivery."
                .into(),
        ));
    }
    if set(cw_group) {
        return Err(CloudTrailError::NotImplemented(
            "trailstack does not deliver trails to CloudWatch Logs.".into(),
        ));
    }
    if set(sns) {
        return Err(CloudTrailError::NotImplemented(
            "trailstack does not send SNS notifications for trails.".into(),
        ));
    }
    if org == Some(true) {
        return Err(CloudTrailError::OrganizationsNotInUse(
            "This account is not a member of an organization.".into(),
        ));
    }
    Ok(())
}

/// Checks a destination (bucket, prefix, key) as CloudTrail does before accepting it; returns
/// the key's full ARN.
async fn check_destination(
    ct: &CloudTrail,
    caller: &Caller,
    trail_arn: &str,
    bucket: &str,
    prefix: Option<&str>,
    kms_key_id: Option<&str>,
) -> CtResult<Option<String>> {
    let info = ct
        .objects
        .bucket_info(bucket)
        .await
        .map_err(|e| CloudTrailError::Internal(format!("bucket_info: {e}")))?
        .ok_or_else(|| {
            CloudTrailError::S3BucketDoesNotExist(format!("S3 bucket {bucket} does not exist."))
        })?;
    let account = caller.account.to_string();
    if !checks::bucket_policy_sufficient(&info, trail_arn, bucket, prefix, &account).await {
        return Err(CloudTrailError::InsufficientS3BucketPolicy(format!(
            "Incorrect S3 bucket policy is detected for bucket: {bucket}"
        )));
    }
    let Some(key_id) = kms_key_id else {
        return Ok(None);
    };
    // CloudTrail looks the key up as itself, so the key policy must let it describe the key.
    let as_cloudtrail = caller.on_behalf_of("cloudtrail.amazonaws.com");
    let key = ct
        .keys
        .describe_key(&as_cloudtrail, &KeyRef::Named(key_id.to_string()))
        .await
        .map_err(|e| match e.code.as_str() {
            "NotFoundException" => {
                CloudTrailError::KmsKeyNotFound(format!("KMS key {key_id} does not exist."))
            }
            _ => CloudTrailError::Kms(e.message),
        })?;
    if key.state != KeyState::Enabled {
        return Err(CloudTrailError::Kms(format!(
            "{} is {}. Use a KMS key that is enabled.",
            key.arn,
            if key.state == KeyState::PendingDeletion {
                "pending deletion"
            } else {
                "disabled"
            }
        )));
    }
    if !key.symmetric_encryption {
        return Err(CloudTrailError::InvalidKmsKeyId(format!(
            "{} is not a symmetric encryption KMS key.",
            key.arn
        )));
    }
    if !checks::key_policy_sufficient(&*ct.keys, caller, &key, trail_arn, bucket, prefix).await {
        return Err(CloudTrailError::InsufficientEncryptionPolicy(format!(
            "Insufficient permissions to access S3 bucket {bucket} or KMS key {}.",
            key.arn
        )));
    }
    Ok(Some(key.arn))
}

/// The checks of CreateTrail's and UpdateTrail's members before any is applied: their formats,
/// then the settings trailstack does not serve.
fn check_settings(bucket: Option<&str>, s: &TrailSettings) -> CtResult<()> {
    check_formats(bucket, s.s3_key_prefix.as_deref(), s.kms_key_id.as_deref())?;
    check_unserved(
        s.sns_topic_name.as_deref(),
        s.cloud_watch_logs_log_group_arn.as_deref(),
        s.cloud_watch_logs_role_arn.as_deref(),
        s.is_organization_trail,
    )
}

fn check_formats(bucket: Option<&str>, prefix: Option<&str>, kms: Option<&str>) -> CtResult<()> {
    if let Some(b) = bucket {
        names::check_bucket_name(b)?;
    }
    if let Some(p) = prefix {
        names::check_prefix(p)?;
    }
    match kms {
        Some(k) if !k.is_empty() => names::check_kms_key_id(k),
        _ => Ok(()),
    }
}

fn check_global(multi: bool, global: bool) -> CtResult<()> {
    if multi && !global {
        return Err(CloudTrailError::InvalidParameterCombination(
            "Multi-Region trail must include global service events.".into(),
        ));
    }
    Ok(())
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.is_empty())
}

/// CreateTrail.
pub async fn create(ct: &CloudTrail, caller: &Caller, i: CreateTrailInput) -> CtResult<Output> {
    let scope = Scope::of(ct, caller);
    names::check_trail_name(&i.name)?;
    check_settings(Some(&i.s3_bucket_name), &i.settings)?;
    let multi = i.settings.is_multi_region_trail.unwrap_or(false);
    let global = i.settings.include_global_service_events.unwrap_or(true);
    check_global(multi, global)?;
    let tags = super::tags::merged(&[], i.tags_list.as_deref().unwrap_or_default())?;
    let (s, name) = (scope.clone(), i.name.clone());
    let existing = ct
        .read(move |c| Ok(model::of_account(c, &s.account)?))
        .await?;
    check_unique(&existing, &scope, &name, multi, None)?;
    check_room(&existing, &scope, multi, None)?;
    let arn = names::trail_arn(&scope.region, &scope.account, &i.name);
    let prefix = non_empty(i.settings.s3_key_prefix);
    let kms = non_empty(i.settings.kms_key_id);
    let key_arn = check_destination(
        ct,
        caller,
        &arn,
        &i.s3_bucket_name,
        prefix.as_deref(),
        kms.as_deref(),
    )
    .await?;
    let trail = TrailRecord {
        arn,
        account: scope.account.clone(),
        home_region: scope.region.clone(),
        name: i.name,
        multi_region: multi,
        logging: false,
        created_ms: ct.now_ms(),
        config: TrailConfig {
            bucket: i.s3_bucket_name,
            prefix,
            include_global: global,
            log_file_validation: i.settings.enable_log_file_validation.unwrap_or(false),
            kms_key_arn: key_arn,
            organization: false,
        },
        selectors: TrailSelectors::default(),
        custom_selectors: false,
        insights: None,
        status: TrailStatus::default(),
        tags,
    };
    let out = view(&trail, false);
    ct.write_trails(move |c| {
        // Checked again where no other write can interleave.
        let existing = model::of_account(c, &scope.account)?;
        check_unique(&existing, &scope, &trail.name, multi, None)?;
        check_room(&existing, &scope, multi, None)?;
        model::insert(c, &trail)?;
        Ok(())
    })
    .await?;
    Ok(Output::Trail(out))
}

/// UpdateTrail: absent members keep their value; `S3KeyPrefix` and `KmsKeyId` set to "" clear.
pub async fn update(ct: &CloudTrail, caller: &Caller, i: UpdateTrailInput) -> CtResult<Output> {
    let scope = Scope::of(ct, caller);
    check_settings(i.s3_bucket_name.as_deref(), &i.settings)?;
    let (s, n) = (scope.clone(), i.name.clone());
    let (current, existing) = ct
        .read(move |c| {
            Ok((
                find(c, &s, &n, Access::Mutate)?,
                model::of_account(c, &s.account)?,
            ))
        })
        .await?;
    let multi = i
        .settings
        .is_multi_region_trail
        .unwrap_or(current.multi_region);
    let global = i
        .settings
        .include_global_service_events
        .unwrap_or(current.config.include_global);
    check_global(multi, global)?;
    if multi && !current.multi_region {
        check_unique(&existing, &scope, &current.name, true, Some(&current.arn))?;
        check_room(&existing, &scope, true, Some(&current.arn))?;
    }
    let mut config = current.config.clone();
    let destination_changed = i.s3_bucket_name.is_some()
        || i.settings.s3_key_prefix.is_some()
        || i.settings.kms_key_id.is_some();
    if let Some(b) = i.s3_bucket_name {
        config.bucket = b;
    }
    if let Some(p) = i.settings.s3_key_prefix {
        config.prefix = non_empty(Some(p));
    }
    config.include_global = global;
    if let Some(v) = i.settings.enable_log_file_validation {
        config.log_file_validation = v;
    }
    let kms_given = i.settings.kms_key_id.map(|k| non_empty(Some(k)));
    if destination_changed {
        let key = match &kms_given {
            Some(k) => k.clone(),
            None => config.kms_key_arn.clone(),
        };
        config.kms_key_arn = check_destination(
            ct,
            caller,
            &current.arn,
            &config.bucket,
            config.prefix.as_deref(),
            key.as_deref(),
        )
        .await?;
    }
    let arn = current.arn.clone();
    let updated = ct
        .write_trails(move |c| {
            let mut t = model::get(c, &arn)?.ok_or_else(|| not_found(&arn, &scope.account))?;
            if multi && !t.multi_region {
                let existing = model::of_account(c, &scope.account)?;
                check_unique(&existing, &scope, &t.name, true, Some(&t.arn))?;
                check_room(&existing, &scope, true, Some(&t.arn))?;
            }
            t.multi_region = multi;
            t.config = config;
            model::update(c, &t)?;
            Ok(t)
        })
        .await?;
    Ok(Output::Trail(view(&updated, false)))
}

/// DeleteTrail. The trail's undelivered outbox records stay for the delivery worker.
pub async fn delete(ct: &CloudTrail, caller: &Caller, i: NameInput) -> CtResult<Output> {
    let scope = Scope::of(ct, caller);
    ct.write_trails(move |c: &Conn| {
        let t = find(c, &scope, &i.name, Access::Mutate)?;
        model::delete(c, &t.arn)?;
        Ok(())
    })
    .await?;
    Ok(Output::Empty {})
}

/// GetTrail (shadows included).
pub async fn get(ct: &CloudTrail, caller: &Caller, i: NameInput) -> CtResult<Output> {
    let scope = Scope::of(ct, caller);
    let t = ct
        .read(move |c| find(c, &scope, &i.name, Access::Read))
        .await?;
    Ok(Output::GetTrail {
        trail: view(&t, true),
    })
}

/// DescribeTrails: every trail visible in the region (shadows unless excluded), or those
/// named; unknown names are left out silently, as AWS does.
pub async fn describe(
    ct: &CloudTrail,
    caller: &Caller,
    i: DescribeTrailsInput,
) -> CtResult<Output> {
    let scope = Scope::of(ct, caller);
    let shadows = i.include_shadow_trails.unwrap_or(true);
    let wanted = i.trail_name_list.unwrap_or_default();
    for w in wanted.iter().filter(|w| w.starts_with("arn:")) {
        names::parse_trail_arn(w)?;
    }
    let s = scope.clone();
    let trails = ct
        .read(move |c| Ok(model::of_account(c, &s.account)?))
        .await?;
    let list = trails
        .iter()
        .filter(|t| {
            let here = t.home_region == scope.region || (shadows && t.multi_region);
            if wanted.is_empty() {
                return here;
            }
            wanted.iter().any(|w| {
                if w.starts_with("arn:") {
                    *w == t.arn && (shadows || t.home_region == scope.region)
                } else {
                    *w == t.name && here
                }
            })
        })
        .map(|t| view(t, true))
        .collect();
    Ok(Output::DescribeTrails { trail_list: list })
}

/// ListTrails: every trail of the account in every region, by ARN, 50 a page.
pub async fn list(ct: &CloudTrail, caller: &Caller, i: PageInput) -> CtResult<Output> {
    let scope = Scope::of(ct, caller);
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let after = match &i.next_token {
        Some(t) => Some(
            b64.decode(t)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .filter(|a| names::parse_trail_arn(a).is_ok())
                .ok_or_else(|| CloudTrailError::InvalidNextToken("Invalid NextToken.".into()))?,
        ),
        None => None,
    };
    let trails = ct
        .read(move |c| Ok(model::of_account(c, &scope.account)?))
        .await?;
    let mut page: Vec<TrailInfo> = trails
        .into_iter()
        .filter(|t| after.as_ref().is_none_or(|a| t.arn > *a))
        .take(PAGE + 1)
        .map(|t| TrailInfo {
            trail_arn: t.arn,
            name: t.name,
            home_region: t.home_region,
        })
        .collect();
    let next_token = if page.len() > PAGE {
        page.truncate(PAGE);
        page.last().map(|t| b64.encode(&t.trail_arn))
    } else {
        None
    };
    Ok(Output::ListTrails {
        trails: page,
        next_token,
    })
}
