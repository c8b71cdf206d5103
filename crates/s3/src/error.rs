//! The S3 error enum: every failure an S3 operation can return, each variant mapped once to its
//! AWS error code and HTTP status. Rendering as XML happens in `wire/`.
//! Codes and statuses: <https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html>.

use trailstack_store::StoreError;

/// An S3 error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum S3Error {
    /// 403 AccessDenied.
    AccessDenied(String),
    /// 403 InvalidAccessKeyId: no such access key.
    InvalidAccessKeyId(String),
    /// 400 InvalidToken: temporary credentials whose session token is not theirs.
    InvalidToken,
    /// 400 ExpiredToken: temporary credentials past their expiry.
    ExpiredToken,
    /// 403 SignatureDoesNotMatch, with the server's string to sign, its canonical request
    /// (SigV4; empty for SigV2 and POST forms) and the signature the client sent.
    SignatureDoesNotMatch {
        string_to_sign: String,
        canonical_request: String,
        access_key: String,
        signature_provided: String,
    },
    /// 403 SignatureDoesNotMatch for a chunk or trailer of an aws-chunked body.
    ChunkSignatureDoesNotMatch,
    /// 403 RequestTimeTooSkewed: the request time is more than 15 minutes from the server's.
    RequestTimeTooSkewed {
        request_time: String,
        server_time: String,
    },
    /// 400 AuthorizationHeaderMalformed.
    AuthorizationHeaderMalformed(String),
    /// 400 AuthorizationQueryParametersError.
    AuthorizationQueryParametersError(String),
    /// 400 XAmzContentSHA256Mismatch: the body does not hash to `x-amz-content-sha256`.
    ContentSha256Mismatch { client: String, computed: String },
    /// 400 InvalidArgument, naming the argument.
    InvalidArgument {
        message: String,
        name: String,
        value: String,
    },
    /// 400 InvalidRequest.
    InvalidRequest(String),
    /// 400 MalformedXML.
    MalformedXml,
    /// 400 InvalidBucketName.
    InvalidBucketName(String),
    /// 409 BucketAlreadyExists: the name is taken by another account.
    BucketAlreadyExists(String),
    /// 409 BucketAlreadyOwnedByYou.
    BucketAlreadyOwnedByYou(String),
    /// 409 BucketNotEmpty.
    BucketNotEmpty(String),
    /// 404 NoSuchBucket.
    NoSuchBucket(String),
    /// 404 NoSuchKey.
    NoSuchKey(String),
    /// 404 NoSuchKey for a key whose current version is a delete marker (adds
    /// `x-amz-delete-marker: true` and the marker's version id).
    DeleteMarker { key: String, version_id: String },
    /// 405 MethodNotAllowed for reading a delete marker by version id.
    DeleteMarkerVersion { version_id: String, method: String },
    /// 416 InvalidPartNumber: a `partNumber` past the object's parts (its count: 1 for an
    /// object not uploaded in parts).
    InvalidPartNumber { requested: u32, actual: u32 },
    /// 404 NoSuchVersion.
    NoSuchVersion { key: String, version_id: String },
    /// 404 NoSuchUpload.
    NoSuchUpload(String),
    /// 404 NoSuchTagSet.
    NoSuchTagSet,
    /// 404 NoSuchBucketPolicy.
    NoSuchBucketPolicy(String),
    /// 404 NoSuchPublicAccessBlockConfiguration.
    NoSuchPublicAccessBlockConfiguration(String),
    /// 404 OwnershipControlsNotFoundError.
    OwnershipControlsNotFound(String),
    /// 404 ServerSideEncryptionConfigurationNotFoundError (buckets with the legacy defaults).
    ServerSideEncryptionConfigurationNotFound(String),
    /// 404 NoSuchLifecycleConfiguration.
    NoSuchLifecycleConfiguration(String),
    /// 404 NoSuchCORSConfiguration.
    NoSuchCorsConfiguration(String),
    /// 403 AccessForbidden: a refused CORS preflight, naming the method asked for and whether
    /// the rules were evaluated for an `OBJECT` or the `BUCKET`.
    CorsForbidden {
        message: String,
        method: String,
        resource_type: &'static str,
    },
    /// 409 InvalidBucketState (Object Lock on a bucket whose versioning does not allow it).
    InvalidBucketState(String),
    /// 404 ObjectLockConfigurationNotFoundError.
    ObjectLockConfigurationNotFound(String),
    /// 404 NoSuchObjectLockConfiguration: the version has no retention (or legal hold).
    NoSuchObjectLockConfiguration,
    /// 400 MalformedPolicy.
    MalformedPolicy(String),
    /// 400 InvalidPolicyDocument: a POST form's policy document is not a well-formed policy.
    InvalidPolicyDocument(String),
    /// 400 InvalidTag.
    InvalidTag(String),
    /// 400 MalformedACLError.
    MalformedAcl,
    /// 400 InvalidBucketAclWithObjectOwnership: ACLs are disabled by BucketOwnerEnforced.
    InvalidBucketAclWithObjectOwnership,
    /// 400 AccessControlListNotSupported: an object ACL other than owner-only under BucketOwnerEnforced.
    AccessControlListNotSupported,
    /// 400 InvalidBucketAclWithBlockPublicAccessError: CreateBucket with a public ACL, which
    /// the Block Public Access every new bucket starts with refuses.
    InvalidBucketAclWithBlockPublicAccess,
    /// 400 UnresolvableGrantByEmailAddress: an ACL grant by e-mail address, which names no
    /// account trailstack knows.
    UnresolvableGrantByEmailAddress,
    /// 400 InvalidLocationConstraint.
    InvalidLocationConstraint(String),
    /// 400 IllegalLocationConstraintException: the constraint differs from the endpoint's region.
    IllegalLocationConstraint(String),
    /// 416 InvalidRange.
    InvalidRange { size: u64, range: String },
    /// 412 PreconditionFailed, naming the failed condition.
    PreconditionFailed(String),
    /// 304 Not Modified (no body); it carries the object's ETag and Last-Modified, which S3
    /// sends with it as RFC 7232 asks.
    NotModified { etag: String, last_modified_ms: i64 },
    /// 405 MethodNotAllowed (e.g. GET of a delete marker by version id).
    MethodNotAllowed {
        method: String,
        resource_type: String,
    },
    /// 400 InvalidPart.
    InvalidPart(String),
    /// 400 InvalidPart for a part CompleteMultipartUpload names that was not uploaded (or not
    /// with that ETag), with S3's `UploadId`, `PartNumber` and `ETag` details.
    PartNotFound {
        upload_id: String,
        part_number: u32,
        etag: String,
    },
    /// 400 InvalidPartOrder.
    InvalidPartOrder,
    /// 400 EntityTooSmall.
    EntityTooSmall { size: u64, min: u64 },
    /// 400 EntityTooLarge.
    EntityTooLarge { size: u64, max: u64 },
    /// 400 BadDigest: Content-MD5 or a checksum did not match the body.
    BadDigest(String),
    /// 400 InvalidDigest: Content-MD5 is not valid base64 of 16 bytes.
    InvalidDigest(String),
    /// 400 IncompleteBody.
    IncompleteBody(String),
    /// 411 MissingContentLength.
    MissingContentLength,
    /// 400 KeyTooLongError.
    KeyTooLong,
    /// 400 InvalidStorageClass.
    InvalidStorageClass,
    /// 400 MetadataTooLarge.
    MetadataTooLarge,
    /// 400 RequestHeaderSectionTooLarge: the request's headers exceed `max` bytes.
    RequestHeaderSectionTooLarge { max: u64 },
    /// 400 BadRequest, e.g. more tags than an object or a bucket may have.
    BadRequest(String),
    /// 400 InvalidURI: the request path does not decode to UTF-8.
    InvalidUri,
    /// 503 SlowDown: the server is at its connection limit; SDKs retry with backoff.
    SlowDown,
    /// 400 TooManyBuckets.
    TooManyBuckets,
    /// 400 InvalidObjectName-like errors for keys S3 refuses.
    InvalidObjectKey(String),
    /// 400 RequestTimeout: the client stopped sending the body.
    RequestTimeout,
    /// 400 `KMS.<code>`: a KMS failure while encrypting or decrypting (code with its `KMS.`
    /// prefix, message from KMS).
    Kms { code: String, message: String },
    /// 400 InvalidTargetBucketForLogging: PutBucketLogging's target bucket cannot take logs.
    InvalidTargetBucketForLogging { bucket: String, message: String },
    /// 403 CrossLocationLoggingProhibited: source and target bucket are in different regions.
    CrossLocationLoggingProhibited { source: String, target: String },
    /// 400 AccessControlListNotSupported: TargetGrants for a BucketOwnerEnforced target.
    TargetGrantsNotSupported,
    /// 501 NotImplemented: an operation trailstack does not serve (yet).
    NotImplemented(String),
    /// 501 NotImplemented for a header value S3 does not accept on this API (`If-None-Match`
    /// other than `*` on a write), with S3's `Header` and `additionalMessage`.
    HeaderNotImplemented(&'static str),
    /// 500 InternalError; the cause is logged once with the request id, never sent.
    Internal(String),
    /// 503 ServiceUnavailable (AWS's common error): the database cannot be reached; SDKs retry.
    /// The cause is logged once, never sent.
    Unavailable(String),
}

impl S3Error {
    /// The AWS error code.
    pub fn code(&self) -> &str {
        use S3Error::*;
        match self {
            AccessDenied(_) => "AccessDenied",
            InvalidAccessKeyId(_) => "InvalidAccessKeyId",
            InvalidToken => "InvalidToken",
            ExpiredToken => "ExpiredToken",
            SignatureDoesNotMatch { .. } | ChunkSignatureDoesNotMatch => "SignatureDoesNotMatch",
            RequestTimeTooSkewed { .. } => "RequestTimeTooSkewed",
            AuthorizationHeaderMalformed(_) => "AuthorizationHeaderMalformed",
            AuthorizationQueryParametersError(_) => "AuthorizationQueryParametersError",
            ContentSha256Mismatch { .. } => "XAmzContentSHA256Mismatch",
            InvalidArgument { .. } => "InvalidArgument",
            InvalidRequest(_) => "InvalidRequest",
            MalformedXml => "MalformedXML",
            InvalidBucketName(_) => "InvalidBucketName",
            BucketAlreadyExists(_) => "BucketAlreadyExists",
            BucketAlreadyOwnedByYou(_) => "BucketAlreadyOwnedByYou",
            BucketNotEmpty(_) => "BucketNotEmpty",
            NoSuchBucket(_) => "NoSuchBucket",
            NoSuchKey(_) | DeleteMarker { .. } => "NoSuchKey",
            DeleteMarkerVersion { .. } => "MethodNotAllowed",
            InvalidPartNumber { .. } => "InvalidPartNumber",
            NoSuchVersion { .. } => "NoSuchVersion",
            NoSuchUpload(_) => "NoSuchUpload",
            NoSuchTagSet => "NoSuchTagSet",
            NoSuchBucketPolicy(_) => "NoSuchBucketPolicy",
            NoSuchPublicAccessBlockConfiguration(_) => "NoSuchPublicAccessBlockConfiguration",
            OwnershipControlsNotFound(_) => "OwnershipControlsNotFoundError",
            ServerSideEncryptionConfigurationNotFound(_) => {
                "ServerSideEncryptionConfigurationNotFoundError"
            }
            NoSuchLifecycleConfiguration(_) => "NoSuchLifecycleConfiguration",
            NoSuchCorsConfiguration(_) => "NoSuchCORSConfiguration",
            CorsForbidden { .. } => "AccessForbidden",
            InvalidBucketState(_) => "InvalidBucketState",
            ObjectLockConfigurationNotFound(_) => "ObjectLockConfigurationNotFoundError",
            NoSuchObjectLockConfiguration => "NoSuchObjectLockConfiguration",
            MalformedPolicy(_) => "MalformedPolicy",
            InvalidPolicyDocument(_) => "InvalidPolicyDocument",
            InvalidTag(_) => "InvalidTag",
            MalformedAcl => "MalformedACLError",
            InvalidBucketAclWithObjectOwnership => "InvalidBucketAclWithObjectOwnership",
            AccessControlListNotSupported => "AccessControlListNotSupported",
            InvalidBucketAclWithBlockPublicAccess => "InvalidBucketAclWithBlockPublicAccessError",
            UnresolvableGrantByEmailAddress => "UnresolvableGrantByEmailAddress",
            InvalidLocationConstraint(_) => "InvalidLocationConstraint",
            IllegalLocationConstraint(_) => "IllegalLocationConstraintException",
            InvalidRange { .. } => "InvalidRange",
            PreconditionFailed(_) => "PreconditionFailed",
            NotModified { .. } => "NotModified",
            MethodNotAllowed { .. } => "MethodNotAllowed",
            InvalidPart(_) | PartNotFound { .. } => "InvalidPart",
            InvalidUri => "InvalidURI",
            InvalidPartOrder => "InvalidPartOrder",
            EntityTooSmall { .. } => "EntityTooSmall",
            EntityTooLarge { .. } => "EntityTooLarge",
            BadDigest(_) => "BadDigest",
            InvalidDigest(_) => "InvalidDigest",
            IncompleteBody(_) => "IncompleteBody",
            MissingContentLength => "MissingContentLength",
            KeyTooLong => "KeyTooLongError",
            InvalidStorageClass => "InvalidStorageClass",
            MetadataTooLarge => "MetadataTooLarge",
            RequestHeaderSectionTooLarge { .. } => "RequestHeaderSectionTooLarge",
            BadRequest(_) => "BadRequest",
            SlowDown => "SlowDown",
            TooManyBuckets => "TooManyBuckets",
            InvalidObjectKey(_) => "InvalidArgument",
            RequestTimeout => "RequestTimeout",
            InvalidTargetBucketForLogging { .. } => "InvalidTargetBucketForLogging",
            CrossLocationLoggingProhibited { .. } => "CrossLocationLoggingProhibited",
            TargetGrantsNotSupported => "AccessControlListNotSupported",
            NotImplemented(_) | HeaderNotImplemented(_) => "NotImplemented",
            Internal(_) => "InternalError",
            Unavailable(_) => "ServiceUnavailable",
            Kms { code, .. } => code,
        }
    }

    /// The HTTP status AWS answers with.
    pub fn status(&self) -> u16 {
        use S3Error::*;
        match self {
            AccessDenied(_)
            | InvalidAccessKeyId(_)
            | SignatureDoesNotMatch { .. }
            | ChunkSignatureDoesNotMatch
            | RequestTimeTooSkewed { .. }
            | CrossLocationLoggingProhibited { .. }
            | CorsForbidden { .. } => 403,
            NoSuchBucket(_)
            | NoSuchKey(_)
            | DeleteMarker { .. }
            | NoSuchVersion { .. }
            | NoSuchUpload(_)
            | NoSuchTagSet
            | NoSuchBucketPolicy(_)
            | NoSuchPublicAccessBlockConfiguration(_)
            | OwnershipControlsNotFound(_)
            | ServerSideEncryptionConfigurationNotFound(_)
            | NoSuchLifecycleConfiguration(_)
            | NoSuchCorsConfiguration(_)
            | ObjectLockConfigurationNotFound(_)
            | NoSuchObjectLockConfiguration => 404,
            BucketAlreadyExists(_)
            | BucketAlreadyOwnedByYou(_)
            | BucketNotEmpty(_)
            | InvalidBucketState(_) => 409,
            InvalidRange { .. } | InvalidPartNumber { .. } => 416,
            DeleteMarkerVersion { .. } => 405,
            PreconditionFailed(_) => 412,
            NotModified { .. } => 304,
            MethodNotAllowed { .. } => 405,
            MissingContentLength => 411,
            NotImplemented(_) | HeaderNotImplemented(_) => 501,
            Internal(_) => 500,
            SlowDown | Unavailable(_) => 503,
            _ => 400,
        }
    }

    /// The human-readable message, in AWS's words where AWS has fixed ones.
    pub fn message(&self) -> String {
        use S3Error::*;
        match self {
            AccessDenied(m) => m.clone(),
            InvalidAccessKeyId(_) => "The AWS Access Key Id you provided does not exist in our records.".into(),
            InvalidToken => "The provided token is malformed or otherwise invalid.".into(),
            ExpiredToken => "The provided token has expired.".into(),
            SignatureDoesNotMatch { .. } | ChunkSignatureDoesNotMatch => {
                "The request signature we calculated does not match the signature you provided. Check your key and signing method.".into()
            }
            RequestTimeTooSkewed { .. } => {
                "The difference between the request time and the current time is too large.".into()
            }
            AuthorizationHeaderMalformed(m) | AuthorizationQueryParametersError(m) => m.clone(),
            ContentSha256Mismatch { .. } => {
                "The provided 'x-amz-content-sha256' header does not match what was computed.".into()
            }
            InvalidArgument { message, .. } => message.clone(),
            InvalidRequest(m) | InvalidObjectKey(m) | InvalidPart(m) | BadDigest(m) | InvalidDigest(m) => m.clone(),
            PartNotFound { .. } => "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.".into(),
            IncompleteBody(m) => m.clone(),
            MalformedXml => {
                "The XML you provided was not well-formed or did not validate against our published schema".into()
            }
            InvalidBucketName(_) => "The specified bucket is not valid.".into(),
            BucketAlreadyExists(_) => {
                "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.".into()
            }
            BucketAlreadyOwnedByYou(_) => {
                "Your previous request to create the named bucket succeeded and you already own it.".into()
            }
            BucketNotEmpty(_) => "The bucket you tried to delete is not empty".into(),
            NoSuchBucket(_) => "The specified bucket does not exist".into(),
            NoSuchKey(_) | DeleteMarker { .. } => "The specified key does not exist.".into(),
            DeleteMarkerVersion { .. } => "The specified method is not allowed against this resource.".into(),
            InvalidPartNumber { .. } => "The requested partnumber is not satisfiable".into(),
            NoSuchVersion { .. } => {
                "The specified version does not exist.".into()
            }
            NoSuchUpload(_) => {
                "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.".into()
            }
            NoSuchTagSet => "The TagSet does not exist".into(),
            NoSuchBucketPolicy(_) => "The bucket policy does not exist".into(),
            NoSuchPublicAccessBlockConfiguration(_) => "The public access block configuration was not found".into(),
            OwnershipControlsNotFound(_) => "The bucket ownership controls were not found".into(),
            ServerSideEncryptionConfigurationNotFound(_) => {
                "The server side encryption configuration was not found".into()
            }
            NoSuchLifecycleConfiguration(_) => "The lifecycle configuration does not exist".into(),
            NoSuchCorsConfiguration(_) => "The CORS configuration does not exist".into(),
            CorsForbidden { message, .. } => message.clone(),
            InvalidBucketState(m) => m.clone(),
            ObjectLockConfigurationNotFound(_) => {
                "Object Lock configuration does not exist for this bucket".into()
            }
            NoSuchObjectLockConfiguration => {
                "The specified object does not have a ObjectLock configuration".into()
            }
            MalformedPolicy(m) | InvalidTag(m) | InvalidPolicyDocument(m) => m.clone(),
            MalformedAcl => "The XML you provided was not well-formed or did not validate against our published schema".into(),
            InvalidBucketAclWithObjectOwnership => {
                "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting".into()
            }
            AccessControlListNotSupported => "The bucket does not allow ACLs".into(),
            InvalidTargetBucketForLogging { message, .. } => message.clone(),
            CrossLocationLoggingProhibited { .. } => "Cross S3 location logging not allowed. ".into(),
            TargetGrantsNotSupported => {
                "Target grants not allowed for bucket owner enforced buckets".into()
            }
            InvalidBucketAclWithBlockPublicAccess => {
                "Bucket cannot have public ACLs set with BlockPublicAccess enabled".into()
            }
            UnresolvableGrantByEmailAddress => {
                "The e-mail address you provided does not match any account on record.".into()
            }
            InvalidLocationConstraint(_) => "The specified location-constraint is not valid".into(),
            IllegalLocationConstraint(c) => format!(
                "The {c} location constraint is incompatible for the region specific endpoint this request was sent to."
            ),
            InvalidRange { .. } => "The requested range is not satisfiable".into(),
            PreconditionFailed(_) => "At least one of the pre-conditions you specified did not hold".into(),
            NotModified { .. } => "Not Modified".into(),
            MethodNotAllowed { .. } => "The specified method is not allowed against this resource.".into(),
            InvalidPartOrder => "The list of parts was not in ascending order. Parts must be ordered by part number.".into(),
            EntityTooSmall { .. } => "Your proposed upload is smaller than the minimum allowed object size.".into(),
            EntityTooLarge { .. } => "Your proposed upload exceeds the maximum allowed object size.".into(),
            MissingContentLength => "You must provide the Content-Length HTTP header.".into(),
            KeyTooLong => "Your key is too long".into(),
            InvalidStorageClass => "The storage class you specified is not valid".into(),
            MetadataTooLarge => "Your metadata headers exceed the maximum allowed metadata size".into(),
            RequestHeaderSectionTooLarge { .. } => {
                "Your request header section exceeds the maximum allowed size.".into()
            }
            BadRequest(m) => m.clone(),
            InvalidUri => "Couldn't parse the specified URI.".into(),
            SlowDown => "Please reduce your request rate.".into(),
            TooManyBuckets => "You have attempted to create more buckets than allowed".into(),
            RequestTimeout => {
                "Your socket connection to the server was not read from or written to within the timeout period.".into()
            }
            NotImplemented(op) => {
                format!("A header or operation you provided implies functionality that is not implemented: {op}")
            }
            HeaderNotImplemented(_) => {
                "A header you provided implies functionality that is not implemented".into()
            }
            Internal(_) => "We encountered an internal error. Please try again.".into(),
            Unavailable(_) => trailstack_store::UNAVAILABLE_MESSAGE.into(),
            Kms { message, .. } => message.clone(),
        }
    }

    /// Extra XML elements AWS adds to this error (e.g. `BucketName`, `Key`, `StringToSign`).
    pub fn details(&self) -> Vec<(&'static str, String)> {
        use S3Error::*;
        match self {
            InvalidAccessKeyId(k) => vec![("AWSAccessKeyId", k.clone())],
            PartNotFound {
                upload_id,
                part_number,
                etag,
            } => vec![
                ("UploadId", upload_id.clone()),
                ("PartNumber", part_number.to_string()),
                ("ETag", etag.clone()),
            ],
            InvalidPartNumber { requested, actual } => vec![
                ("PartNumberRequested", requested.to_string()),
                ("ActualPartCount", actual.to_string()),
            ],
            HeaderNotImplemented(h) => vec![
                ("Header", h.to_string()),
                (
                    "additionalMessage",
                    format!("We don't accept the provided value of {h} header for this API"),
                ),
            ],
            SignatureDoesNotMatch {
                string_to_sign,
                canonical_request,
                access_key,
                signature_provided,
            } => {
                let mut d = vec![
                    ("AWSAccessKeyId", access_key.clone()),
                    ("StringToSign", string_to_sign.clone()),
                    ("SignatureProvided", signature_provided.clone()),
                    ("StringToSignBytes", spaced_hex(string_to_sign)),
                ];
                if !canonical_request.is_empty() {
                    d.push(("CanonicalRequest", canonical_request.clone()));
                    d.push(("CanonicalRequestBytes", spaced_hex(canonical_request)));
                }
                d
            }
            RequestTimeTooSkewed {
                request_time,
                server_time,
            } => vec![
                ("RequestTime", request_time.clone()),
                ("ServerTime", server_time.clone()),
                ("MaxAllowedSkewMilliseconds", "900000".into()),
            ],
            ContentSha256Mismatch { client, computed } => vec![
                ("ClientComputedContentSHA256", client.clone()),
                ("S3ComputedContentSHA256", computed.clone()),
            ],
            InvalidArgument { name, value, .. } => {
                vec![
                    ("ArgumentName", name.clone()),
                    ("ArgumentValue", value.clone()),
                ]
            }
            InvalidBucketName(b)
            | BucketAlreadyExists(b)
            | BucketAlreadyOwnedByYou(b)
            | BucketNotEmpty(b)
            | NoSuchBucket(b)
            | NoSuchBucketPolicy(b)
            | NoSuchPublicAccessBlockConfiguration(b)
            | OwnershipControlsNotFound(b)
            | ServerSideEncryptionConfigurationNotFound(b)
            | NoSuchLifecycleConfiguration(b)
            | NoSuchCorsConfiguration(b)
            | ObjectLockConfigurationNotFound(b) => vec![("BucketName", b.clone())],
            CorsForbidden {
                method,
                resource_type,
                ..
            } => vec![
                ("Method", method.clone()),
                ("ResourceType", resource_type.to_string()),
            ],
            NoSuchKey(k) | DeleteMarker { key: k, .. } => vec![("Key", k.clone())],
            DeleteMarkerVersion { method, .. } => {
                vec![
                    ("Method", method.clone()),
                    ("ResourceType", "DeleteMarker".into()),
                ]
            }
            NoSuchVersion { key, version_id } => {
                vec![("Key", key.clone()), ("VersionId", version_id.clone())]
            }
            NoSuchUpload(u) => vec![("UploadId", u.clone())],
            InvalidLocationConstraint(c) => vec![("LocationConstraint", c.clone())],
            InvalidRange { size, range } => {
                vec![
                    ("RangeRequested", range.clone()),
                    ("ActualObjectSize", size.to_string()),
                ]
            }
            PreconditionFailed(c) => vec![("Condition", c.clone())],
            MethodNotAllowed {
                method,
                resource_type,
            } => {
                vec![
                    ("Method", method.clone()),
                    ("ResourceType", resource_type.clone()),
                ]
            }
            EntityTooSmall { size, min } => {
                vec![
                    ("ProposedSize", size.to_string()),
                    ("MinSizeAllowed", min.to_string()),
                ]
            }
            EntityTooLarge { size, max } => {
                vec![
                    ("ProposedSize", size.to_string()),
                    ("MaxSizeAllowed", max.to_string()),
                ]
            }
            RequestHeaderSectionTooLarge { max } => vec![("MaxSizeAllowed", max.to_string())],
            InvalidTargetBucketForLogging { bucket, .. } => vec![("TargetBucket", bucket.clone())],
            CrossLocationLoggingProhibited { source, target } => vec![
                ("SourceBucketLocation", source.clone()),
                ("TargetBucketLocation", target.clone()),
            ],
            _ => Vec::new(),
        }
    }
}

impl std::fmt::Display for S3Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code(), self.message())
    }
}

impl std::error::Error for S3Error {}

impl From<StoreError> for S3Error {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unreachable(_) => S3Error::Unavailable(e.to_string()),
            e => S3Error::Internal(e.to_string()),
        }
    }
}

/// Result of an S3 operation.
pub type S3Result<T> = Result<T, S3Error>;

/// The bytes of `s` as S3 lists them in `SignatureDoesNotMatch`: two hex digits each,
/// separated by spaces.
fn spaced_hex(s: &str) -> String {
    s.bytes()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}
