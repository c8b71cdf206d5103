//! The users of a test server's configuration, written as the `[[users]]` TOML the binary
//! reads: account roots, and IAM users with their inline identity policies.

/// The `[[users]]` entry of the root of `account`, signing with `key` and `secret`.
pub fn root_user(key: &str, secret: &str, account: &str) -> String {
    entry(key, secret, account) + "\n"
}

/// The `[[users]]` entry of IAM user `name` of `account`, signing with `key` and `secret`, with
/// the inline policy documents `policies` (JSON).
pub fn iam_user(key: &str, secret: &str, account: &str, name: &str, policies: &[&str]) -> String {
    let docs: Vec<String> = policies.iter().map(|p| format!("'''{p}'''")).collect();
    format!(
        "{}user_name = \"{name}\"\npolicies = [{}]\n\n",
        entry(key, secret, account),
        docs.join(", ")
    )
}

/// A policy document with one statement allowing `actions` on every resource.
pub fn allow_all(actions: &[&str]) -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]
    })
    .to_string()
}

fn entry(key: &str, secret: &str, account: &str) -> String {
    format!("[[users]]\naccess_key = \"{key}\"\nsecret_key = \"{secret}\"\naccount_id = \"{account}\"\n")
}
