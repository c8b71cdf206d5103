//! Sections of BENCHMARKS.md written by one command each (`wrk`, `callgrind`) between a begin
//! and an end marker: replacing a section in place, placing a new one, and carrying sections
//! over when `report` rewrites the document's generated part.
//!
//! Must not touch: the text inside a section; only where it goes.

/// `existing` with the section between `begin` and `end` replaced by `section` (which holds
/// both markers); without one, `section` goes after the last section of this kind (a line
/// `<!-- ...: end -->`), else before the first `## ` heading, else at the end.
pub fn splice(existing: &str, begin: &str, end: &str, section: &str) -> String {
    if let (Some(b), Some(e)) = (existing.find(begin), existing.find(end)) {
        if b < e {
            let after = &existing[e + end.len()..];
            let after = after.strip_prefix('\n').unwrap_or(after);
            return format!("{}{section}{after}", &existing[..b]);
        }
    }
    let last_end = existing
        .match_indices("\n<!-- ")
        .filter_map(|(i, _)| {
            let line_end = existing[i + 1..]
                .find('\n')
                .map_or(existing.len(), |n| i + 1 + n);
            existing[i + 1..line_end]
                .ends_with(": end -->")
                .then_some(line_end)
        })
        .last();
    if let Some(i) = last_end {
        let rest = existing[i..].strip_prefix('\n').unwrap_or(&existing[i..]);
        return format!("{}\n\n{section}{rest}", &existing[..i]);
    }
    match existing.find("\n## ") {
        Some(i) => format!("{}{section}\n{}", &existing[..=i], &existing[i + 1..]),
        None if existing.is_empty() => section.to_owned(),
        None => format!("{existing}\n{section}"),
    }
}

/// The section between `begin` and `end` in `old`, if any, placed into `new`.
pub fn carry(old: &str, new: String, begin: &str, end: &str) -> String {
    match (old.find(begin), old.find(end)) {
        (Some(b), Some(e)) if b < e => {
            splice(&new, begin, end, &format!("{}\n", &old[b..e + end.len()]))
        }
        _ => new,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const B: &str = "<!-- x: begin -->";
    const E: &str = "<!-- x: end -->";

    #[test]
    fn a_section_replaces_itself_and_survives_a_rewrite() {
        let doc = "# Benchmarks\n\nintro\n\n## Method\n\ntext\n";
        let one = format!("{B}\none\n{E}\n");
        let two = format!("{B}\ntwo\n{E}\n");
        let first = splice(doc, B, E, &one);
        assert_eq!(
            first,
            format!("# Benchmarks\n\nintro\n\n{one}\n## Method\n\ntext\n")
        );
        let second = splice(&first, B, E, &two);
        assert_eq!(second, first.replace("one", "two"));
        assert_eq!(carry(&second, doc.to_owned(), B, E), second);
        assert_eq!(carry(doc, doc.to_owned(), B, E), doc);
        assert_eq!(splice("", B, E, &one), one);
    }

    #[test]
    fn a_new_kind_of_section_follows_the_others() {
        let doc = format!("# T\n\n{B}\n## X\n{E}\n\n## Method\n");
        let other = "<!-- y: begin -->\ny\n<!-- y: end -->\n";
        let both = splice(&doc, "<!-- y: begin -->", "<!-- y: end -->", other);
        assert_eq!(
            both,
            format!("# T\n\n{B}\n## X\n{E}\n\n{other}\n## Method\n")
        );
    }
}
