//! CloudTrail set-up: trail ARNs, the bucket and key policies CloudTrail requires, object-level
//! logging selectors and a trail started with them, the records waiting in a trail's outbox and those LookupEvents finds.

use super::{ok, Server, ACCOUNT};
use aws_sdk_cloudtrail::types::{
    DataResource, EventSelector, LookupAttribute, LookupAttributeKey, ReadWriteType,
};
use serde_json::Value;

/// The ARN of trail `name` homed in us-east-1 of the default account.
pub fn trail_arn(name: &str) -> String {
    trailstack_fixtures::trail_arn("us-east-1", ACCOUNT, name)
}

/// The bucket policy CloudTrail requires (docs/aws/cloudtrail-delivery.md §C.2) for the trails
/// `trails` delivering to `bucket` under any prefix.
pub fn cloudtrail_bucket_policy(bucket: &str, trails: &[&str]) -> String {
    let arns: Vec<String> = trails.iter().map(|t| trail_arn(t)).collect();
    trailstack_fixtures::cloudtrail_bucket_policy(bucket, "*", ACCOUNT, &arns).to_string()
}

/// A key policy with the account's root statement and the statements CloudTrail requires
/// (docs/aws/cloudtrail-delivery.md §C.3) for the trails `trails`.
pub fn cloudtrail_key_policy(trails: &[&str]) -> String {
    let arns: Vec<String> = trails.iter().map(|t| trail_arn(t)).collect();
    trailstack_fixtures::cloudtrail_key_policy(ACCOUNT, &arns).to_string()
}

/// Creates `bucket` with the bucket policy CloudTrail requires for `trails`.
pub async fn trail_bucket(s: &Server, bucket: &str, trails: &[&str]) {
    let c = s.with_bucket(bucket).await;
    ok!(c
        .put_bucket_policy()
        .bucket(bucket)
        .policy(cloudtrail_bucket_policy(bucket, trails)));
}

/// Creates trail `name`, called by `ct`, into the existing bucket `logs` (with `key` and digests
/// if `validation`), logging only the object writes of bucket `data`, and starts it.
pub async fn start_data_trail(
    ct: &aws_sdk_cloudtrail::Client,
    name: &str,
    logs: &str,
    data: &str,
    key: Option<&str>,
    validation: bool,
) {
    ok!(ct
        .create_trail()
        .name(name)
        .s3_bucket_name(logs)
        .set_kms_key_id(key.map(str::to_string))
        .enable_log_file_validation(validation));
    ok!(ct
        .put_event_selectors()
        .trail_name(name)
        .event_selectors(object_logging(data, ReadWriteType::WriteOnly)));
    ok!(ct.start_logging().name(name));
}

/// The records waiting in `trail`'s outbox for us-east-1, oldest first.
pub fn outbox(s: &Server, trail: &str) -> Vec<serde_json::Value> {
    let arn = trail_arn(trail);
    s.app
        .db
        .read(|c| trailstack_cloudtrail::model::outbox::pending(c, &arn, "us-east-1", 10_000))
        .unwrap()
        .into_iter()
        .map(|p| serde_json::from_str(&p.record_json).unwrap())
        .collect()
}

/// Object-level logging for `bucket`: its objects' data events, no management events.
pub fn object_logging(bucket: &str, rw: ReadWriteType) -> EventSelector {
    EventSelector::builder()
        .read_write_type(rw)
        .include_management_events(false)
        .data_resources(
            DataResource::builder()
                .r#type("AWS::S3::Object")
                .values(format!("arn:aws:s3:::{bucket}/"))
                .build(),
        )
        .build()
}

/// A LookupEvents attribute `key` = `value`.
pub fn attribute(key: LookupAttributeKey, value: &str) -> LookupAttribute {
    LookupAttribute::builder()
        .attribute_key(key)
        .attribute_value(value)
        .build()
        .unwrap()
}

/// The full records LookupEvents, called by `ct`, returns for `key` = `value`, newest first.
pub async fn lookup_by(
    ct: &aws_sdk_cloudtrail::Client,
    key: LookupAttributeKey,
    value: &str,
) -> Vec<Value> {
    let out = ok!(ct.lookup_events().lookup_attributes(attribute(key, value)));
    out.events()
        .iter()
        .map(|e| serde_json::from_str(e.cloud_trail_event().unwrap()).unwrap())
        .collect()
}

/// The full records LookupEvents returns for `key` = `value`, newest first.
pub async fn lookup(s: &Server, key: LookupAttributeKey, value: &str) -> Vec<Value> {
    lookup_by(&s.cloudtrail(), key, value).await
}

/// The full records of the calls named `name`, newest first.
pub async fn records_named(s: &Server, name: &str) -> Vec<Value> {
    lookup(s, LookupAttributeKey::EventName, name).await
}
