//! CreateKey, DescribeKey, ListKeys, UpdateKeyDescription, and KeyMetadata.

use super::{record, Named, Tag};
use crate::crypto::{EncryptionAlgorithm, KeySpec, KeyUsage, MacAlgorithm, SigningAlgorithm};
use crate::model::keys::{ExpirationModel, KeyManager, KeyState, Origin};

shapes! {
    /// CreateKey's request.
    input CreateKeyInput {
        policy: String,
        description: String,
        key_usage: Named<KeyUsage>,
        customer_master_key_spec: Named<KeySpec>,
        key_spec: Named<KeySpec>,
        origin: Named<Origin>,
        bypass_policy_lockout_safety_check: bool,
        #[serde(serialize_with = "record::tags")]
        tags: Vec<Tag>,
        multi_region: bool,
    }

    /// CreateKey's answer.
    output CreateKeyOutput {
        key_metadata: KeyMetadata,
    }

    /// DescribeKey's request.
    input DescribeKeyInput {
        key_id: String,
        #[serde(skip_serializing)]
        grant_tokens: Vec<String>,
    }

    /// DescribeKey's answer.
    output DescribeKeyOutput {
        key_metadata: KeyMetadata,
    }

    /// ListKeys' request.
    input ListKeysInput {
        limit: i64,
        marker: String,
    }

    /// One key of ListKeys.
    output KeyListEntry {
        key_id: String,
        key_arn: String,
    }

    /// ListKeys' answer.
    page ListKeysOutput { keys: KeyListEntry }

    /// UpdateKeyDescription's request.
    input UpdateKeyDescriptionInput {
        key_id: String,
        description: String,
    }

    /// The `PrimaryKey` of a multi-Region configuration.
    output MultiRegionKey {
        arn: String,
        region: String,
    }

    /// `MultiRegionConfiguration`: trailstack's multi-Region keys are primaries without
    /// replicas.
    output MultiRegionConfiguration {
        /// Always `PRIMARY`.
        multi_region_key_type: &'static str,
        primary_key: MultiRegionKey,
        replica_keys: Vec<MultiRegionKey>,
    }

    /// KeyMetadata as DescribeKey and CreateKey return it (and CreateKey's record logs it).
    output KeyMetadata {
        #[serde(rename = "AWSAccountId")]
        aws_account_id: String,
        key_id: String,
        arn: String,
        /// Epoch seconds.
        creation_date: f64,
        enabled: bool,
        description: String,
        key_usage: KeyUsage,
        key_state: KeyState,
        origin: Origin,
        key_manager: KeyManager,
        customer_master_key_spec: KeySpec,
        key_spec: KeySpec,
        multi_region: bool,
        /// Epoch seconds.
        #[serde(skip_serializing_if = "Option::is_none")]
        deletion_date: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pending_deletion_window_in_days: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        encryption_algorithms: Option<Vec<EncryptionAlgorithm>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        signing_algorithms: Option<Vec<SigningAlgorithm>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        mac_algorithms: Option<Vec<MacAlgorithm>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        key_agreement_algorithms: Option<Vec<&'static str>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        expiration_model: Option<ExpirationModel>,
        /// Epoch seconds.
        #[serde(skip_serializing_if = "Option::is_none")]
        valid_to: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        multi_region_configuration: Option<MultiRegionConfiguration>,
    }
}
