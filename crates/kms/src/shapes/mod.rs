//! The input and the output of every KMS operation, one type each, with AWS's member names:
//! `<Operation>Input` and `<Operation>Output`, in a file named like the handler file of the
//! operation. Inputs deserialize from the request's PascalCase JSON and serialize — camelCase,
//! without secrets, blobs or grant tokens — as CloudTrail's `requestParameters`
//! (ARCHITECTURE.md, the recorder); outputs serialize as the response body. JSON appears only
//! at those two edges: handlers, the port and the audit read the typed values.
//!
//! Secret material — plaintexts, data keys, private keys, shared secrets — is held in
//! [`Secret`], which wipes its bytes when dropped and never prints them.

/// Declares the shapes of this module, the conventions above written once:
///
/// - `input A | B { member: T, ... }` declares `AInput`-style structs (one per name, for
///   operations whose requests have the same members: [`crate::op`] maps each type to one
///   operation). Every member is `Option<T>`: a request may leave any member out and the
///   handler reports a missing required one with AWS's message. Inputs deserialize from the
///   request's PascalCase JSON and serialize camelCase as the record's `requestParameters`.
/// - `input A <= B { ... }` declares A, and B with the same members converting into A, for an
///   operation one handler serves through another's input (GenerateDataKeyWithoutPlaintext
///   through GenerateDataKey).
/// - `output A { member: T, ... }` declares an answer, serialized PascalCase as the body.
/// - `page A { entries: T }` declares a listing's answer: the entries under that member,
///   `Truncated`, and `NextMarker` when more follow; built from a [`Page`] of those entries.
macro_rules! shapes {
    () => {};
    (@input $(#[$doc:meta])* $name:ident { $($(#[$attr:meta])* $member:ident: $ty:ty),* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
        #[serde(rename_all(deserialize = "PascalCase", serialize = "camelCase"))]
        pub struct $name {
            $($(#[$attr])* pub $member: Option<$ty>,)*
        }
    };
    (@into $to:ident, $(#[$doc:meta])* { $($body:tt)* }) => {};
    (
        @into $to:ident, $(#[$doc:meta])* $name:ident $(<= $more:ident)* {
            $($(#[$attr:meta])* $member:ident: $ty:ty),*
        }
    ) => {
        shapes!(@input $(#[$doc])* $name { $($(#[$attr])* $member: $ty),* });
        impl From<$name> for $to {
            fn from(v: $name) -> $to {
                $to { $($member: v.$member),* }
            }
        }
        shapes!(@into $to, $(#[$doc])* $($more)<=* { $($(#[$attr])* $member: $ty),* });
    };
    ($(#[$doc:meta])* input { $($body:tt)* } $($rest:tt)*) => {
        shapes!($($rest)*);
    };
    (
        $(#[$doc:meta])*
        input $name:ident $(| $more:ident)* {
            $($(#[$attr:meta])* $member:ident: $ty:ty),* $(,)?
        }
        $($rest:tt)*
    ) => {
        shapes!(@input $(#[$doc])* $name { $($(#[$attr])* $member: $ty),* });
        shapes!($(#[$doc])* input $($more)|* { $($(#[$attr])* $member: $ty),* } $($rest)*);
    };
    (
        $(#[$doc:meta])*
        input $name:ident $(<= $from:ident)+ {
            $($(#[$attr:meta])* $member:ident: $ty:ty),* $(,)?
        }
        $($rest:tt)*
    ) => {
        shapes!(@input $(#[$doc])* $name { $($(#[$attr])* $member: $ty),* });
        shapes!(@into $name, $(#[$doc])* $($from)<=+ { $($(#[$attr])* $member: $ty),* });
        shapes!($($rest)*);
    };
    (
        $(#[$doc:meta])*
        output $name:ident { $($(#[$attr:meta])* $member:ident: $ty:ty),* $(,)? }
        $($rest:tt)*
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, serde::Serialize)]
        #[serde(rename_all = "PascalCase")]
        pub struct $name {
            $($(#[$attr])* pub $member: $ty,)*
        }
        shapes!($($rest)*);
    };
    ($(#[$doc:meta])* page $name:ident { $entries:ident: $entry:ty } $($rest:tt)*) => {
        shapes!(
            $(#[$doc])*
            output $name {
                $entries: Vec<$entry>,
                truncated: bool,
                #[serde(skip_serializing_if = "Option::is_none")]
                next_marker: Option<String>,
            }
            $($rest)*
        );
        impl From<$crate::shapes::Page<$entry>> for $name {
            fn from(p: $crate::shapes::Page<$entry>) -> Self {
                $name {
                    $entries: p.entries,
                    truncated: p.truncated,
                    next_marker: p.next_marker,
                }
            }
        }
    };
}

pub mod aliases;
pub mod asymmetric;
pub mod grants;
pub mod import;
pub mod keypairs;
pub mod keys;
pub mod lifecycle;
pub mod policy;
pub mod rotation;
pub mod symmetric;
pub mod tags;

pub use aliases::*;
pub use asymmetric::*;
pub use grants::*;
pub use import::*;
pub use keypairs::*;
pub use keys::*;
pub use lifecycle::*;
pub use policy::*;
pub use rotation::*;
pub use symmetric::*;
pub use tags::*;

use crate::crypto::WireName;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use zeroize::Zeroizing;

/// An encryption context (`EncryptionContext` and its source and destination variants).
pub type Context = BTreeMap<String, String>;

/// Secret bytes: wiped on drop, redacted in `Debug`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(pub Zeroizing<Vec<u8>>);

impl Secret {
    /// Takes ownership of `bytes`.
    pub fn new(bytes: Vec<u8>) -> Secret {
        Secret(Zeroizing::new(bytes))
    }

    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret({} bytes)", self.0.len())
    }
}

/// A closed-set member (key spec, usage, origin, algorithm, ...) as the request named it: the
/// value, or a name outside the set, which the handler reports with AWS's message for that
/// member at the point of its checks where AWS reports it. Recorded as the name sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Named<T> {
    /// A name of the set.
    Known(T),
    /// Any other name.
    Unknown(String),
}

impl<T: WireName> Named<T> {
    /// The name as sent.
    pub fn name(&self) -> &str {
        match self {
            Named::Known(v) => v.name(),
            Named::Unknown(s) => s,
        }
    }

    /// The value, or the name outside the set.
    pub fn known(&self) -> Result<T, &str> {
        match self {
            Named::Known(v) => Ok(*v),
            Named::Unknown(s) => Err(s),
        }
    }
}

impl<'de, T: WireName> Deserialize<'de> for Named<T> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(match T::parse(&s) {
            Some(v) => Named::Known(v),
            None => Named::Unknown(s),
        })
    }
}

impl<T: WireName> Serialize for Named<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// The output of operations that answer with no members (`{}`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Empty {}

/// A tag as KMS exchanges it (`TagKey`, `TagValue`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    /// TagKey.
    pub tag_key: String,
    /// TagValue.
    pub tag_value: String,
}

/// The `Constraints` of CreateGrant (and of ListGrants entries): encryption context pairs a
/// request must include (`EncryptionContextSubset`) or match exactly (`EncryptionContextEquals`).
/// Stored in grant records with these names.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "PascalCase")]
pub struct GrantConstraints {
    /// Pairs the request's encryption context must include.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_context_subset: Option<Context>,
    /// Pairs the request's encryption context must equal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption_context_equals: Option<Context>,
}

/// Epoch seconds, as KMS sends timestamps (JSON numbers).
pub fn epoch(ms: i64) -> f64 {
    ms as f64 / 1000.0
}

/// One page of a listing: its entries, whether more follow, and the marker to resume at.
#[derive(Debug, Clone)]
pub struct Page<T> {
    /// The entries.
    pub entries: Vec<T>,
    /// Whether more follow.
    pub truncated: bool,
    /// Where the next page starts, when `truncated`.
    pub next_marker: Option<String>,
}

/// Base64 blobs in JSON (standard alphabet, padded).
pub mod b64 {
    use super::Secret;
    use base64::Engine;
    use serde::{Deserialize, Deserializer, Serializer};

    fn decode<E: serde::de::Error>(s: &str) -> Result<Vec<u8>, E> {
        base64::engine::general_purpose::STANDARD
            .decode(s)
            .map_err(E::custom)
    }

    /// Serializes bytes as base64.
    pub fn serialize<S: Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(v))
    }

    /// Serializes a secret as base64 (only ever into a response body).
    pub fn secret<S: Serializer>(v: &Secret, s: S) -> Result<S::Ok, S::Error> {
        let encoded =
            zeroize::Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(v.as_bytes()));
        s.serialize_str(&encoded)
    }

    /// Deserializes optional base64 bytes.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<u8>>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|s| decode(&s))
            .transpose()
    }

    /// Deserializes an optional base64 secret.
    pub fn deserialize_secret<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Secret>, D::Error> {
        let s = Option::<String>::deserialize(d)?.map(zeroize::Zeroizing::new);
        s.map(|s| decode(&s).map(Secret::new)).transpose()
    }
}

/// How inputs write members whose record form differs from their wire form.
pub mod record {
    use super::{GrantConstraints, Tag};
    use serde::ser::{SerializeMap, SerializeSeq, Serializer};

    /// Tags as `[{"tagKey", "tagValue"}]`.
    pub fn tags<S: Serializer>(v: &Option<Vec<Tag>>, s: S) -> Result<S::Ok, S::Error> {
        let Some(tags) = v else {
            return s.serialize_none();
        };
        let mut seq = s.serialize_seq(Some(tags.len()))?;
        for t in tags {
            seq.serialize_element(
                &serde_json::json!({"tagKey": t.tag_key, "tagValue": t.tag_value}),
            )?;
        }
        seq.end()
    }

    /// Grant constraints with camelCase names.
    pub fn constraints<S: Serializer>(
        v: &Option<GrantConstraints>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let Some(c) = v else {
            return s.serialize_none();
        };
        let mut m = s.serialize_map(None)?;
        if let Some(x) = &c.encryption_context_subset {
            m.serialize_entry("encryptionContextSubset", x)?;
        }
        if let Some(x) = &c.encryption_context_equals {
            m.serialize_entry("encryptionContextEquals", x)?;
        }
        m.end()
    }

    /// Epoch seconds as a Java date (`Jun 30, 2020 2:34:07 AM`).
    pub fn java_date<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(secs) => s.serialize_str(&crate::audit::java_date((secs * 1000.0) as i64)),
            None => s.serialize_none(),
        }
    }
}
