//! The inputs of the listings: ListObjects (v1 and v2), ListObjectVersions and
//! ListMultipartUploads. Their outputs are in `output.rs` with the other answers.

/// ListObjects and ListObjectsV2.
#[derive(Debug, Clone, Default)]
pub struct ListObjectsInput {
    /// Bucket name.
    pub bucket: String,
    /// ListObjectsV2?
    pub v2: bool,
    /// Key prefix.
    pub prefix: String,
    /// Delimiter.
    pub delimiter: Option<String>,
    /// max-keys (default 1000).
    pub max_keys: usize,
    /// v1 marker or v2 start-after.
    pub start_after: String,
    /// v2 continuation token.
    pub continuation_token: Option<String>,
    /// encoding-type=url.
    pub encode_url: bool,
    /// v2 fetch-owner (v1 always returns owners).
    pub fetch_owner: bool,
}

/// ListObjectVersions.
#[derive(Debug, Clone, Default)]
pub struct ListVersionsInput {
    /// Bucket name.
    pub bucket: String,
    /// Key prefix.
    pub prefix: String,
    /// Delimiter.
    pub delimiter: Option<String>,
    /// max-keys.
    pub max_keys: usize,
    /// key-marker.
    pub key_marker: String,
    /// version-id-marker.
    pub version_id_marker: String,
    /// encoding-type=url.
    pub encode_url: bool,
}

/// ListMultipartUploads.
#[derive(Debug, Clone, Default)]
pub struct ListUploadsInput {
    /// Bucket name.
    pub bucket: String,
    /// Key prefix.
    pub prefix: String,
    /// Delimiter.
    pub delimiter: Option<String>,
    /// max-uploads.
    pub max_uploads: usize,
    /// key-marker.
    pub key_marker: String,
    /// upload-id-marker.
    pub upload_id_marker: String,
    /// encoding-type=url.
    pub encode_url: bool,
}
