//! Policy variables: turning a Resource or condition value such as
//! `arn:aws:s3:::home/${aws:username}/*` into a compiled [`Pattern`], and resolving a variable's
//! key for one request. Grammar as AWS documents it: `${key}`, `${key, 'default'}` (a doubled
//! `''` is a quote inside the default), and the escapes `${*}`, `${?}`, `${$}` for the literal
//! characters. Only `"Version": "2012-10-17"` policies have variables; older ones read `${...}`
//! literally. A variable that cannot be resolved makes its pattern match nothing.

use crate::context::{lookup, RequestContext};
use crate::wildcard::{Atom, Case, Pattern, Var};

/// How a policy string is read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Syntax {
    /// `*` and `?` are wildcards (Action, Resource, `StringLike`, ARN operators).
    pub(crate) wildcards: bool,
    /// `${...}` are policy variables (Version 2012-10-17).
    pub(crate) variables: bool,
    /// How characters compare.
    pub(crate) case: Case,
}

/// Compiles `text` under `syntax`.
pub(crate) fn compile(text: &str, syntax: Syntax) -> Pattern {
    let mut atoms = Vec::new();
    let mut lit = String::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if syntax.variables && rest.starts_with("${") {
            if let Some((atom, len)) = variable(&rest[2..]) {
                flush(&mut lit, &mut atoms);
                atoms.push(atom);
                rest = &rest[2 + len..];
                continue;
            }
        }
        if syntax.wildcards && (c == '*' || c == '?') {
            flush(&mut lit, &mut atoms);
            atoms.push(if c == '*' { Atom::Many } else { Atom::One });
        } else {
            lit.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    flush(&mut lit, &mut atoms);
    Pattern::new(atoms, syntax.case)
}

fn flush(lit: &mut String, atoms: &mut Vec<Atom>) {
    if !lit.is_empty() {
        atoms.push(Atom::Text(std::mem::take(lit).into_boxed_str()));
    }
}

/// Reads a variable body (what follows `${`) up to its closing `}`; gives the atom and the
/// number of bytes consumed including the `}`. `None` when it is not a well-formed variable,
/// in which case the text stays literal.
fn variable(body: &str) -> Option<(Atom, usize)> {
    let mut in_quote = false;
    let mut end = None;
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\'' if in_quote && chars.peek().map(|&(_, n)| n) == Some('\'') => {
                chars.next();
            }
            '\'' => in_quote = !in_quote,
            '}' if !in_quote => {
                end = Some(i);
                break;
            }
            _ => {}
        }
    }
    let end = end?;
    let inner = body[..end].trim();
    let atom = match inner {
        "*" | "?" | "$" => Atom::Text(inner.into()),
        _ => {
            let (key, default) = match inner.split_once(',') {
                Some((k, d)) => (k.trim(), Some(quoted(d.trim())?)),
                None => (inner, None),
            };
            let key_ok = !key.is_empty()
                && key
                    .chars()
                    .all(|c| !c.is_whitespace() && !matches!(c, '$' | '{' | '}' | '\'' | ','));
            if !key_ok {
                return None;
            }
            Atom::Var(Var {
                key: key.to_ascii_lowercase().into(),
                default: default.map(String::into_boxed_str),
            })
        }
    };
    Some((atom, end + 1))
}

/// The text of a `'quoted'` default, with `''` read as one quote.
fn quoted(s: &str) -> Option<String> {
    let inner = s.strip_prefix('\'')?.strip_suffix('\'')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            // Inside the quotes a lone quote would have ended them: only `''` is allowed.
            if chars.next() != Some('\'') {
                return None;
            }
        }
        out.push(c);
    }
    Some(out)
}

/// The value of variable `var` for `req`: its key's single value (multivalued keys cannot be
/// variables). The default is applied by the matcher.
pub(crate) fn resolve<'a>(req: &RequestContext<'a>, var: &Var) -> Option<&'a str> {
    lookup(req, &var.key).single()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::{Conditions, PrincipalKind};

    const VARS: Syntax = Syntax {
        wildcards: true,
        variables: true,
        case: Case::Sensitive,
    };

    fn matches(pattern: &str, syntax: Syntax, text: &str, req: &RequestContext) -> bool {
        compile(pattern, syntax).matches(text, &|v| resolve(req, v))
    }

    #[test]
    fn variables_table() {
        let c = Conditions::new()
            .with("aws:SourceIp", "10.1.2.3")
            .with_many("aws:CalledVia", ["a", "b"]);
        let req = RequestContext::new(
            "arn:aws:iam::111122223333:user/alice",
            PrincipalKind::User,
            "s3:GetObject",
            "arn:aws:s3:::b/home/alice/x",
            &c,
        );
        let literal = Syntax {
            variables: false,
            ..VARS
        };
        let cases: &[(&str, Syntax, &str, bool)] = &[
            ("home/${aws:username}/*", VARS, "home/alice/x", true),
            ("home/${aws:username}/*", VARS, "home/bob/x", false),
            ("home/${AWS:UserName}", VARS, "home/alice", true),
            ("${aws:PrincipalAccount}", VARS, "111122223333", true),
            ("${aws:SourceIp}", VARS, "10.1.2.3", true),
            (
                "${aws:PrincipalArn}",
                VARS,
                "arn:aws:iam::111122223333:user/alice",
                true,
            ),
            // Unknown keys and multivalued keys do not resolve: nothing matches.
            ("x${aws:nope}", VARS, "x", false),
            ("x${aws:nope}", VARS, "x${aws:nope}", false),
            ("${aws:CalledVia}", VARS, "a", false),
            // Defaults.
            ("${aws:nope, 'dflt'}", VARS, "dflt", true),
            ("${aws:username, 'dflt'}", VARS, "alice", true),
            ("${aws:nope , 'it''s'}", VARS, "it's", true),
            ("${aws:nope, 'a}b'}", VARS, "a}b", true),
            // Escapes are literal characters, never wildcards.
            ("a${*}", VARS, "a*", true),
            ("a${*}", VARS, "ab", false),
            ("a${?}", VARS, "a?", true),
            ("${$}{x}", VARS, "${x}", true),
            // Malformed variables stay literal.
            ("${", VARS, "${", true),
            ("${}", VARS, "${}", true),
            ("${a b}", VARS, "${a b}", true),
            ("${k, unquoted}", VARS, "${k, unquoted}", true),
            // Version 2008-10-17: no variables.
            (
                "home/${aws:username}",
                literal,
                "home/${aws:username}",
                true,
            ),
            ("home/${aws:username}", literal, "home/alice", false),
        ];
        for (p, syntax, text, want) in cases {
            assert_eq!(matches(p, *syntax, text, &req), *want, "{p} vs {text}");
        }
    }
}
