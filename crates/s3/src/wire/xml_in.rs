//! Request bodies in XML: the documents S3 operations accept, deserialised with quick-xml. Any
//! document that does not parse is `MalformedXML`, as in S3.

use crate::checksum::Algorithm;
use crate::error::{S3Error, S3Result};
use crate::model::buckets::{Grant, Owner, PublicAccessBlock};
use crate::op::CompletedPart;
use serde::Deserialize;

fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> S3Result<T> {
    let text = std::str::from_utf8(body).map_err(|_| S3Error::MalformedXml)?;
    quick_xml::de::from_str(text).map_err(|_| S3Error::MalformedXml)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateBucketConfiguration {
    location_constraint: Option<String>,
}

/// The LocationConstraint of a CreateBucket body (empty body: none).
pub fn location_constraint(body: &[u8]) -> S3Result<Option<String>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    Ok(parse::<CreateBucketConfiguration>(body)?.location_constraint)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Tag {
    key: String,
    #[serde(default)]
    value: String,
}

#[derive(Deserialize, Default)]
struct TagSet {
    #[serde(rename = "Tag", default)]
    tags: Vec<Tag>,
}

#[derive(Deserialize)]
struct Tagging {
    #[serde(rename = "TagSet")]
    tag_set: TagSet,
}

/// A Tagging document's tags.
pub fn tagging(body: &[u8]) -> S3Result<Vec<(String, String)>> {
    let t: Tagging = parse(body)?;
    Ok(t.tag_set
        .tags
        .into_iter()
        .map(|t| (t.key, t.value))
        .collect())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SseByDefault {
    #[serde(rename = "SSEAlgorithm")]
    sse_algorithm: String,
    #[serde(rename = "KMSMasterKeyID")]
    kms_master_key_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SseRule {
    apply_server_side_encryption_by_default: Option<SseByDefault>,
    bucket_key_enabled: Option<bool>,
}

#[derive(Deserialize)]
struct SseConfiguration {
    #[serde(rename = "Rule", default)]
    rules: Vec<SseRule>,
}

/// A ServerSideEncryptionConfiguration with its one rule.
pub fn encryption(body: &[u8]) -> S3Result<crate::sse::BucketEncryption> {
    let c: SseConfiguration = parse(body)?;
    let [rule] = <[SseRule; 1]>::try_from(c.rules).map_err(|_| S3Error::MalformedXml)?;
    let by_default = rule
        .apply_server_side_encryption_by_default
        .ok_or(S3Error::MalformedXml)?;
    Ok(crate::sse::BucketEncryption {
        algorithm: by_default.sse_algorithm.trim().to_string(),
        kms_key: by_default
            .kms_master_key_id
            .map(|k| k.trim().to_string())
            .filter(|k| !k.is_empty()),
        bucket_key: rule.bucket_key_enabled.unwrap_or(false),
    })
}

#[derive(Deserialize)]
struct CorsRuleXml {
    #[serde(rename = "ID")]
    id: Option<String>,
    #[serde(rename = "AllowedMethod", default)]
    allowed_methods: Vec<String>,
    #[serde(rename = "AllowedOrigin", default)]
    allowed_origins: Vec<String>,
    #[serde(rename = "AllowedHeader", default)]
    allowed_headers: Vec<String>,
    #[serde(rename = "ExposeHeader", default)]
    expose_headers: Vec<String>,
    #[serde(rename = "MaxAgeSeconds")]
    max_age_seconds: Option<i64>,
}

#[derive(Deserialize)]
struct CorsConfiguration {
    #[serde(rename = "CORSRule", default)]
    rules: Vec<CorsRuleXml>,
}

/// A CORSConfiguration's rules, as given (validated by the handler).
pub fn cors(body: &[u8]) -> S3Result<Vec<crate::cors::CorsRule>> {
    let c: CorsConfiguration = parse(body)?;
    Ok(c.rules
        .into_iter()
        .map(|r| crate::cors::CorsRule {
            id: r.id,
            allowed_methods: r.allowed_methods,
            allowed_origins: r.allowed_origins,
            allowed_headers: r.allowed_headers,
            expose_headers: r.expose_headers,
            max_age_seconds: r.max_age_seconds,
        })
        .collect())
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VersioningConfiguration {
    status: Option<String>,
}

/// A VersioningConfiguration's Status.
pub fn versioning(body: &[u8]) -> S3Result<String> {
    parse::<VersioningConfiguration>(body)?
        .status
        .ok_or(S3Error::MalformedXml)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PabXml {
    block_public_acls: Option<bool>,
    ignore_public_acls: Option<bool>,
    block_public_policy: Option<bool>,
    restrict_public_buckets: Option<bool>,
}

/// A PublicAccessBlockConfiguration (absent settings are false).
pub fn public_access_block(body: &[u8]) -> S3Result<PublicAccessBlock> {
    let p: PabXml = parse(body)?;
    Ok(PublicAccessBlock {
        block_public_acls: p.block_public_acls.unwrap_or(false),
        ignore_public_acls: p.ignore_public_acls.unwrap_or(false),
        block_public_policy: p.block_public_policy.unwrap_or(false),
        restrict_public_buckets: p.restrict_public_buckets.unwrap_or(false),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OwnershipRule {
    object_ownership: String,
}

#[derive(Deserialize)]
struct OwnershipControls {
    #[serde(rename = "Rule", default)]
    rules: Vec<OwnershipRule>,
}

/// The ObjectOwnership of an OwnershipControls document (exactly one rule).
pub fn ownership(body: &[u8]) -> S3Result<String> {
    let o: OwnershipControls = parse(body)?;
    match o.rules.as_slice() {
        [r] => Ok(r.object_ownership.clone()),
        _ => Err(S3Error::MalformedXml),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DeleteEntry {
    key: String,
    version_id: Option<String>,
}

#[derive(Deserialize)]
struct Delete {
    #[serde(rename = "Quiet")]
    quiet: Option<bool>,
    #[serde(rename = "Object", default)]
    objects: Vec<DeleteEntry>,
}

/// A Delete document: quiet flag and (key, version) entries.
pub fn delete(body: &[u8]) -> S3Result<(bool, crate::op::DeleteList)> {
    let d: Delete = parse(body)?;
    Ok((
        d.quiet.unwrap_or(false),
        d.objects
            .into_iter()
            .map(|o| (o.key, o.version_id))
            .collect(),
    ))
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct PartXml {
    part_number: u32,
    #[serde(rename = "ETag")]
    etag: String,
    #[serde(rename = "ChecksumCRC32")]
    crc32: Option<String>,
    #[serde(rename = "ChecksumCRC32C")]
    crc32c: Option<String>,
    #[serde(rename = "ChecksumSHA1")]
    sha1: Option<String>,
    #[serde(rename = "ChecksumSHA256")]
    sha256: Option<String>,
    #[serde(rename = "ChecksumCRC64NVME")]
    crc64: Option<String>,
}

#[derive(Deserialize)]
struct CompleteXml {
    #[serde(rename = "Part", default)]
    parts: Vec<PartXml>,
}

/// A CompleteMultipartUpload document's parts.
pub fn complete(body: &[u8]) -> S3Result<Vec<CompletedPart>> {
    let c: CompleteXml = parse(body)?;
    Ok(c.parts
        .into_iter()
        .map(|p| {
            let checksum = [
                (Algorithm::Crc32, p.crc32),
                (Algorithm::Crc32c, p.crc32c),
                (Algorithm::Sha1, p.sha1),
                (Algorithm::Sha256, p.sha256),
                (Algorithm::Crc64Nvme, p.crc64),
            ]
            .into_iter()
            .find_map(|(a, v)| v.map(|v| (a, v)));
            CompletedPart {
                part_number: p.part_number,
                etag: p.etag.trim().trim_matches('"').to_string(),
                checksum,
            }
        })
        .collect())
}

/// A grantee as AccessControlPolicy and logging's TargetGrants both write it.
#[derive(Deserialize)]
pub(super) struct GranteeXml {
    #[serde(rename = "@type", alias = "@xsi:type")]
    pub(super) kind: Option<String>,
    #[serde(rename = "ID")]
    pub(super) id: Option<String>,
    #[serde(rename = "DisplayName")]
    pub(super) display_name: Option<String>,
    #[serde(rename = "URI")]
    pub(super) uri: Option<String>,
    #[serde(rename = "EmailAddress")]
    pub(super) email: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GrantXml {
    pub(super) grantee: GranteeXml,
    pub(super) permission: String,
}

/// A list of `Grant` elements (AccessControlList, TargetGrants).
#[derive(Deserialize, Default)]
pub(super) struct AclListXml {
    #[serde(rename = "Grant", default)]
    pub(super) grants: Vec<GrantXml>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct OwnerXml {
    #[serde(rename = "ID")]
    id: String,
    display_name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct AccessControlPolicy {
    owner: Option<OwnerXml>,
    #[serde(default)]
    access_control_list: AclListXml,
}

/// An AccessControlPolicy document.
pub fn acl(body: &[u8]) -> S3Result<(Option<Owner>, Vec<Grant>)> {
    let p: AccessControlPolicy = parse(body).map_err(|_| S3Error::MalformedAcl)?;
    let mut grants = Vec::new();
    for g in p.access_control_list.grants {
        const PERMS: [&str; 5] = ["FULL_CONTROL", "READ", "WRITE", "READ_ACP", "WRITE_ACP"];
        if !PERMS.contains(&g.permission.as_str()) {
            return Err(S3Error::MalformedAcl);
        }
        let grant = match (g.grantee.id, g.grantee.uri) {
            (Some(id), _) => Grant {
                grantee_type: "CanonicalUser".into(),
                grantee: id,
                display_name: g.grantee.display_name,
                permission: g.permission,
            },
            (None, Some(uri)) => Grant {
                grantee_type: "Group".into(),
                grantee: uri,
                display_name: None,
                permission: g.permission,
            },
            // No e-mail address resolves to an account here (see `wire::grants`).
            _ if g.grantee.email.is_some() => return Err(S3Error::UnresolvableGrantByEmailAddress),
            _ => return Err(S3Error::MalformedAcl),
        };
        let _ = g.grantee.kind;
        grants.push(grant);
    }
    let owner = p.owner.map(|o| Owner {
        id: o.id,
        display_name: o.display_name.unwrap_or_default(),
    });
    Ok((owner, grants))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_documents() {
        let d = br#"<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet><Object><Key>a&amp;b</Key></Object><Object><Key>c</Key><VersionId>v</VersionId></Object></Delete>"#;
        assert_eq!(
            delete(d).unwrap(),
            (
                true,
                vec![("a&b".into(), None), ("c".into(), Some("v".into()))]
            )
        );
        let c = br#"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"abc"</ETag><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part></CompleteMultipartUpload>"#;
        let parts = complete(c).unwrap();
        assert_eq!(parts[0].etag, "abc");
        assert_eq!(
            parts[0].checksum,
            Some((Algorithm::Crc32, "AAAAAA==".into()))
        );
        assert_eq!(
            tagging(b"<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>")
                .unwrap(),
            vec![("k".into(), "v".into())]
        );
        assert_eq!(location_constraint(b"<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>").unwrap(), Some("eu-west-1".into()));
        assert!(delete(b"<Delete><Object>").is_err());
        let a = br#"<AccessControlPolicy><Owner><ID>o</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>o</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>"#;
        assert_eq!(acl(a).unwrap().1.len(), 1);
    }
}
