//! The CloudTrail error enum: each variant mapped once to its AWS error code (`__type`) and HTTP
//! status. The CloudTrail model declares no status other than 400 for its exceptions; only our
//! own internal failures answer 500. Rendering as JSON happens in `wire`.

use trailstack_store::StoreError;

/// A CloudTrail error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CloudTrailError {
    /// InvalidTrailNameException: the name breaks the trail name rules.
    InvalidTrailName(String),
    /// CloudTrailARNInvalidException: an ARN where a trail ARN is expected is malformed.
    ArnInvalid(String),
    /// TrailAlreadyExistsException: a trail of that name is visible in the region.
    TrailAlreadyExists(String),
    /// MaximumNumberOfTrailsExceededException: the region already has 5 trails.
    MaximumNumberOfTrailsExceeded(String),
    /// TrailNotFoundException: no trail of that name or ARN for the caller.
    TrailNotFound(String),
    /// InvalidHomeRegionException: a mutation of a trail outside its home region.
    InvalidHomeRegion(String),
    /// InvalidS3BucketNameException: the bucket name is malformed.
    InvalidS3BucketName(String),
    /// InvalidS3PrefixException: the key prefix is too long.
    InvalidS3Prefix(String),
    /// S3BucketDoesNotExistException: the trail's bucket does not exist.
    S3BucketDoesNotExist(String),
    /// InsufficientS3BucketPolicyException: the bucket policy does not let CloudTrail write.
    InsufficientS3BucketPolicy(String),
    /// InvalidKmsKeyIdException: the KmsKeyId is malformed.
    InvalidKmsKeyId(String),
    /// KmsKeyNotFoundException: the KMS key does not exist.
    KmsKeyNotFound(String),
    /// KmsException: the KMS key cannot be used (e.g. disabled or pending deletion).
    Kms(String),
    /// InsufficientEncryptionPolicyException: the key policy does not let CloudTrail encrypt.
    InsufficientEncryptionPolicy(String),
    /// InvalidParameterCombinationException: parameters that must come together (or never
    /// together) did not.
    InvalidParameterCombination(String),
    /// InvalidParameterException: a parameter is out of its allowed range.
    InvalidParameter(String),
    /// InvalidEventSelectorsException: event selectors break a rule or limit.
    InvalidEventSelectors(String),
    /// InvalidInsightSelectorsException: insight selectors break a rule.
    InvalidInsightSelectors(String),
    /// InsightNotEnabledException: GetInsightSelectors on a trail that never had them.
    InsightNotEnabled(String),
    /// InvalidLookupAttributesException: LookupEvents with a bad attribute list.
    InvalidLookupAttributes(String),
    /// InvalidTimeRangeException: a start time after the end time.
    InvalidTimeRange(String),
    /// InvalidMaxResultsException: MaxResults out of 1–50.
    InvalidMaxResults(String),
    /// InvalidNextTokenException: a token not issued for these parameters.
    InvalidNextToken(String),
    /// InvalidEventCategoryException: LookupEvents with an EventCategory other than `insight`.
    InvalidEventCategory(String),
    /// TagsLimitExceededException: more than 50 tags on a resource.
    TagsLimitExceeded(String),
    /// InvalidTagParameterException: a bad or duplicate tag key or value.
    InvalidTagParameter(String),
    /// ResourceNotFoundException: a tagged resource does not exist.
    ResourceNotFound(String),
    /// OrganizationsNotInUseException: organization trails need AWS Organizations, which the
    /// account is not part of here.
    OrganizationsNotInUse(String),
    /// UnsupportedOperationException: an operation (or feature such as SNS notifications)
    /// trailstack does not serve; said honestly rather than faked.
    NotImplemented(String),
    /// SerializationException: the body is not the JSON the operation takes.
    Serialization(String),
    /// UnknownOperationException: the target names no CloudTrail operation.
    UnknownOperation(String),
    /// AccessDeniedException: the caller's identity policies do not allow the call.
    AccessDenied(String),
    /// 500 InternalFailure; the cause is logged once, never sent.
    Internal(String),
    /// 503 ServiceUnavailable (AWS's common error): the database cannot be reached; SDKs retry.
    /// The cause is logged once, never sent.
    Unavailable(String),
}

impl CloudTrailError {
    /// The AWS error code.
    pub fn code(&self) -> &'static str {
        use CloudTrailError::*;
        match self {
            InvalidTrailName(_) => "InvalidTrailNameException",
            ArnInvalid(_) => "CloudTrailARNInvalidException",
            TrailAlreadyExists(_) => "TrailAlreadyExistsException",
            MaximumNumberOfTrailsExceeded(_) => "MaximumNumberOfTrailsExceededException",
            TrailNotFound(_) => "TrailNotFoundException",
            InvalidHomeRegion(_) => "InvalidHomeRegionException",
            InvalidS3BucketName(_) => "InvalidS3BucketNameException",
            InvalidS3Prefix(_) => "InvalidS3PrefixException",
            S3BucketDoesNotExist(_) => "S3BucketDoesNotExistException",
            InsufficientS3BucketPolicy(_) => "InsufficientS3BucketPolicyException",
            InvalidKmsKeyId(_) => "InvalidKmsKeyIdException",
            KmsKeyNotFound(_) => "KmsKeyNotFoundException",
            Kms(_) => "KmsException",
            InsufficientEncryptionPolicy(_) => "InsufficientEncryptionPolicyException",
            InvalidParameterCombination(_) => "InvalidParameterCombinationException",
            InvalidParameter(_) => "InvalidParameterException",
            InvalidEventSelectors(_) => "InvalidEventSelectorsException",
            InvalidInsightSelectors(_) => "InvalidInsightSelectorsException",
            InsightNotEnabled(_) => "InsightNotEnabledException",
            InvalidLookupAttributes(_) => "InvalidLookupAttributesException",
            InvalidTimeRange(_) => "InvalidTimeRangeException",
            InvalidMaxResults(_) => "InvalidMaxResultsException",
            InvalidNextToken(_) => "InvalidNextTokenException",
            InvalidEventCategory(_) => "InvalidEventCategoryException",
            TagsLimitExceeded(_) => "TagsLimitExceededException",
            InvalidTagParameter(_) => "InvalidTagParameterException",
            ResourceNotFound(_) => "ResourceNotFoundException",
            OrganizationsNotInUse(_) => "OrganizationsNotInUseException",
            NotImplemented(_) => "UnsupportedOperationException",
            Serialization(_) => "SerializationException",
            UnknownOperation(_) => "UnknownOperationException",
            AccessDenied(_) => "AccessDeniedException",
            Internal(_) => "InternalFailure",
            Unavailable(_) => "ServiceUnavailable",
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        match self {
            CloudTrailError::Internal(_) => 500,
            CloudTrailError::Unavailable(_) => 503,
            _ => 400,
        }
    }

    /// The message sent to the client.
    pub fn message(&self) -> String {
        use CloudTrailError::*;
        match self {
            Internal(_) => "An internal error occurred.".into(),
            Unavailable(_) => trailstack_store::UNAVAILABLE_MESSAGE.into(),
            InvalidTrailName(m)
            | ArnInvalid(m)
            | TrailAlreadyExists(m)
            | MaximumNumberOfTrailsExceeded(m)
            | TrailNotFound(m)
            | InvalidHomeRegion(m)
            | InvalidS3BucketName(m)
            | InvalidS3Prefix(m)
            | S3BucketDoesNotExist(m)
            | InsufficientS3BucketPolicy(m)
            | InvalidKmsKeyId(m)
            | KmsKeyNotFound(m)
            | Kms(m)
            | InsufficientEncryptionPolicy(m)
            | InvalidParameterCombination(m)
            | InvalidParameter(m)
            | InvalidEventSelectors(m)
            | InvalidInsightSelectors(m)
            | InsightNotEnabled(m)
            | InvalidLookupAttributes(m)
            | InvalidTimeRange(m)
            | InvalidMaxResults(m)
            | InvalidNextToken(m)
            | InvalidEventCategory(m)
            | TagsLimitExceeded(m)
            | InvalidTagParameter(m)
            | ResourceNotFound(m)
            | OrganizationsNotInUse(m)
            | NotImplemented(m)
            | Serialization(m)
            | UnknownOperation(m)
            | AccessDenied(m) => m.clone(),
        }
    }
}

impl std::fmt::Display for CloudTrailError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // The internal cause is for the log line, not the client.
            CloudTrailError::Internal(cause) => write!(f, "InternalFailure: {cause}"),
            CloudTrailError::Unavailable(cause) => write!(f, "ServiceUnavailable: {cause}"),
            e => write!(f, "{}: {}", e.code(), e.message()),
        }
    }
}

impl std::error::Error for CloudTrailError {}

impl From<StoreError> for CloudTrailError {
    fn from(e: StoreError) -> Self {
        e.classify(CloudTrailError::Unavailable, CloudTrailError::Internal)
    }
}

/// Result of a CloudTrail operation.
pub type CtResult<T> = Result<T, CloudTrailError>;
