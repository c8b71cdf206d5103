//! Key tags: TagResource, UntagResource, ListResourceTags.

use super::{record, Tag};

shapes! {
    /// TagResource's request.
    input TagResourceInput {
        key_id: String,
        #[serde(serialize_with = "record::tags")]
        tags: Vec<Tag>,
    }

    /// UntagResource's request.
    input UntagResourceInput {
        key_id: String,
        tag_keys: Vec<String>,
    }

    /// ListResourceTags' request.
    input ListResourceTagsInput {
        key_id: String,
        limit: i64,
        marker: String,
    }

    /// ListResourceTags' answer.
    page ListResourceTagsOutput { tags: Tag }
}
