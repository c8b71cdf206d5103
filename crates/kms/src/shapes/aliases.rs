//! CreateAlias, UpdateAlias, DeleteAlias, ListAliases.

shapes! {
    /// CreateAlias's and UpdateAlias's request.
    input CreateAliasInput | UpdateAliasInput {
        alias_name: String,
        target_key_id: String,
    }

    /// DeleteAlias's request.
    input DeleteAliasInput {
        alias_name: String,
    }

    /// ListAliases' request.
    input ListAliasesInput {
        key_id: String,
        limit: i64,
        marker: String,
    }

    /// One alias of ListAliases.
    output AliasListEntry {
        alias_name: String,
        alias_arn: String,
        target_key_id: String,
        /// Epoch seconds.
        creation_date: f64,
        /// Epoch seconds.
        last_updated_date: f64,
    }

    /// ListAliases' answer.
    page ListAliasesOutput { aliases: AliasListEntry }
}
