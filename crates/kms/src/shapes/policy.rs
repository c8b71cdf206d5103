//! Key policies: GetKeyPolicy, PutKeyPolicy, ListKeyPolicies.

shapes! {
    /// GetKeyPolicy's request.
    input GetKeyPolicyInput {
        key_id: String,
        policy_name: String,
    }

    /// GetKeyPolicy's answer.
    output GetKeyPolicyOutput {
        policy: String,
        policy_name: &'static str,
    }

    /// PutKeyPolicy's request.
    input PutKeyPolicyInput {
        key_id: String,
        policy_name: String,
        policy: String,
        bypass_policy_lockout_safety_check: bool,
    }

    /// ListKeyPolicies' request.
    input ListKeyPoliciesInput {
        key_id: String,
        limit: i64,
        marker: String,
    }

    /// ListKeyPolicies' answer.
    output ListKeyPoliciesOutput {
        policy_names: Vec<&'static str>,
        truncated: bool,
    }
}
