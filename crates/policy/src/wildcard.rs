//! Compiled string patterns: literal text, policy variables and the `*` / `?` wildcards, and
//! the one matcher every element uses (Action, Resource, String and ARN conditions). Patterns
//! are compiled once when a policy is parsed; matching allocates nothing (save for patterns of
//! more than 16 parts). What a variable
//! resolves to is decided by the caller through a resolver (see `variables.rs`).

/// A policy variable such as `${aws:username}` or `${aws:username, 'nobody'}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Var {
    /// The condition key it names, lowercased (keys are case-insensitive).
    pub(crate) key: Box<str>,
    /// The value used when the key is absent or multivalued.
    pub(crate) default: Option<Box<str>>,
}

/// One element of a compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Atom {
    /// Literal text.
    Text(Box<str>),
    /// A policy variable; its value is literal text (a `*` in it is not a wildcard).
    Var(Var),
    /// `?`: exactly one character.
    One,
    /// `*`: any run of characters, possibly none.
    Many,
}

/// How a pattern compares characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Case {
    /// Exactly (resources, ARNs, `StringEquals`).
    Sensitive,
    /// Ignoring case (`StringEqualsIgnoreCase`, `Bool`; actions are lowercased beforehand).
    Insensitive,
}

/// The shape of a pattern, found at compile time so the common cases skip the general matcher.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    /// `*` alone: matches everything.
    Anything,
    /// Literal text only.
    Exact(Box<str>),
    /// Literal text then `*`.
    Prefix(Box<str>),
    /// Anything else (several wildcards, variables).
    General,
}

/// A compiled pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pattern {
    atoms: Box<[Atom]>,
    shape: Shape,
    case: Case,
}

/// Resolves a policy variable's key for one request; `None` when the request has no single
/// value for it (the variable's default, if any, then applies).
pub(crate) type Resolver<'r, 'a> = &'r dyn Fn(&Var) -> Option<&'a str>;

impl Pattern {
    /// The condition keys of the policy variables in the pattern.
    pub(crate) fn var_keys(&self) -> impl Iterator<Item = &str> {
        self.atoms.iter().filter_map(|a| match a {
            Atom::Var(v) => Some(&*v.key),
            _ => None,
        })
    }

    /// Whether the pattern is a fixed value: literal text with no wildcard character and no
    /// policy variable (what S3 Block Public Access calls a "fixed value").
    pub(crate) fn is_fixed(&self) -> bool {
        self.atoms
            .iter()
            .all(|a| matches!(a, Atom::Text(t) if !t.contains(['*', '?'])))
    }

    /// Whether the pattern is `<fixed text>:*`, e.g. a role id and any of its sessions
    /// (`AROLEID:*`).
    pub(crate) fn is_fixed_then_any_session(&self) -> bool {
        matches!(&*self.atoms, [Atom::Text(t), Atom::Many]
            if t.ends_with(':') && t.len() > 1 && !t.contains(['*', '?']))
    }

    /// A pattern from atoms (adjacent texts already merged by the caller or not).
    pub(crate) fn new(atoms: Vec<Atom>, case: Case) -> Pattern {
        let mut merged: Vec<Atom> = Vec::with_capacity(atoms.len());
        for a in atoms {
            match (merged.last_mut(), a) {
                (Some(Atom::Text(prev)), Atom::Text(t)) => {
                    *prev = format!("{prev}{t}").into_boxed_str();
                }
                (Some(Atom::Many), Atom::Many) => {}
                (_, a) => merged.push(a),
            }
        }
        merged.retain(|a| !matches!(a, Atom::Text(t) if t.is_empty()));
        let shape = match merged.as_slice() {
            [Atom::Many] => Shape::Anything,
            [] => Shape::Exact("".into()),
            [Atom::Text(t)] => Shape::Exact(t.clone()),
            // A byte-length prefix is only sound when folding cannot change lengths.
            [Atom::Text(t), Atom::Many] if case == Case::Sensitive || t.is_ascii() => {
                Shape::Prefix(t.clone())
            }
            _ => Shape::General,
        };
        Pattern {
            atoms: merged.into_boxed_slice(),
            shape,
            case,
        }
    }

    /// A pattern of literal text with `*` and `?` as wildcards and no variables.
    #[cfg(test)]
    pub(crate) fn glob(text: &str, case: Case) -> Pattern {
        let mut atoms = Vec::new();
        let mut lit = String::new();
        for c in text.chars() {
            match c {
                '*' | '?' => {
                    if !lit.is_empty() {
                        atoms.push(Atom::Text(std::mem::take(&mut lit).into_boxed_str()));
                    }
                    atoms.push(if c == '*' { Atom::Many } else { Atom::One });
                }
                _ => lit.push(c),
            }
        }
        if !lit.is_empty() {
            atoms.push(Atom::Text(lit.into_boxed_str()));
        }
        Pattern::new(atoms, case)
    }

    /// Whether `text` matches, resolving variables through `resolve`. A variable that does not
    /// resolve makes the pattern match nothing, as AWS treats such a statement.
    pub(crate) fn matches(&self, text: &str, resolve: Resolver<'_, '_>) -> bool {
        match &self.shape {
            Shape::Anything => true,
            Shape::Exact(t) => text_eq(text, t, self.case),
            Shape::Prefix(p) => text
                .get(..p.len())
                .is_some_and(|head| text_eq(head, p, self.case)),
            Shape::General => {
                // Each atom's text, variables resolved once (not at every step of the match);
                // on the stack for all but unusually long patterns.
                const INLINE: usize = 16;
                let mut inline = [""; INLINE];
                let mut spilled = Vec::new();
                let texts: &mut [&str] = if self.atoms.len() <= INLINE {
                    &mut inline[..self.atoms.len()]
                } else {
                    spilled.resize(self.atoms.len(), "");
                    &mut spilled
                };
                for (slot, atom) in texts.iter_mut().zip(self.atoms.iter()) {
                    *slot = match atom {
                        Atom::Text(t) => t,
                        Atom::Var(v) => match resolve(v).or(v.default.as_deref()) {
                            Some(value) => value,
                            None => return false,
                        },
                        Atom::One | Atom::Many => "",
                    };
                }
                glob_match(&self.atoms, texts, text, self.case)
            }
        }
    }
}

/// Whether two texts are equal under `case`.
fn text_eq(a: &str, b: &str, case: Case) -> bool {
    match case {
        Case::Sensitive => a == b,
        Case::Insensitive => {
            if a.eq_ignore_ascii_case(b) {
                true
            } else if a.is_ascii() && b.is_ascii() {
                false
            } else {
                a.chars()
                    .flat_map(char::to_lowercase)
                    .eq(b.chars().flat_map(char::to_lowercase))
            }
        }
    }
}

/// Whether two characters are equal under `case`.
fn char_eq(a: char, b: char, case: Case) -> bool {
    a == b
        || (case == Case::Insensitive
            && if a.is_ascii() && b.is_ascii() {
                a.eq_ignore_ascii_case(&b)
            } else {
                a.to_lowercase().eq(b.to_lowercase())
            })
}

/// The length in `text` of a leading match of literal `lit` under `case`, if `text` starts
/// with it.
fn literal_prefix(text: &str, lit: &str, case: Case) -> Option<usize> {
    match case {
        Case::Sensitive => text.starts_with(lit).then_some(lit.len()),
        Case::Insensitive if lit.is_ascii() => text
            .as_bytes()
            .get(..lit.len())
            .filter(|head| head.eq_ignore_ascii_case(lit.as_bytes()))
            .map(|_| lit.len()),
        Case::Insensitive => {
            let mut used = 0;
            let mut chars = text.chars();
            for want in lit.chars() {
                let c = chars.next().filter(|&c| char_eq(c, want, case))?;
                used += c.len_utf8();
            }
            Some(used)
        }
    }
}

/// The byte length of the character at `at`, if any.
fn char_len_at(text: &str, at: usize) -> Option<usize> {
    text.get(at..)?.chars().next().map(char::len_utf8)
}

/// The wildcard matcher: literal runs compare whole, `?` takes one character, and on a
/// mismatch the last `*` takes one more character and matching resumes after it. Backtracking
/// to the last `*` only is enough when the only wildcards are `*` and `?`: linear in most
/// cases, at worst the product of both lengths. `texts[i]` is the text of atom `i` (variables
/// already resolved).
fn glob_match(atoms: &[Atom], texts: &[&str], text: &str, case: Case) -> bool {
    let mut ai = 0usize;
    let mut at = 0usize;
    // (atom index after the last `*`, text position that `*` has reached)
    let mut star: Option<(usize, usize)> = None;
    loop {
        let advanced = match atoms.get(ai) {
            None => {
                if at == text.len() {
                    return true;
                }
                false
            }
            Some(Atom::Many) => {
                if ai + 1 == atoms.len() {
                    // A trailing `*` takes whatever is left.
                    return true;
                }
                star = Some((ai + 1, at));
                ai += 1;
                continue;
            }
            Some(Atom::One) => match char_len_at(text, at) {
                Some(n) => {
                    at += n;
                    true
                }
                None => false,
            },
            Some(Atom::Text(_) | Atom::Var(_)) => {
                match text
                    .get(at..)
                    .and_then(|rest| literal_prefix(rest, texts[ai], case))
                {
                    Some(n) => {
                        at += n;
                        true
                    }
                    None => false,
                }
            }
        };
        if advanced {
            ai += 1;
            continue;
        }
        let Some((after_star, reached)) = star else {
            return false;
        };
        let Some(n) = char_len_at(text, reached) else {
            return false;
        };
        star = Some((after_star, reached + n));
        ai = after_star;
        at = reached + n;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &Var) -> Option<&'static str> {
        None
    }

    fn m(pattern: &str, text: &str) -> bool {
        Pattern::glob(pattern, Case::Sensitive).matches(text, &none)
    }

    #[test]
    fn glob_table() {
        let cases = [
            ("*", "", true),
            ("*", "anything", true),
            ("abc", "abc", true),
            ("abc", "abd", false),
            ("abc", "ab", false),
            ("a*", "a", true),
            ("a*", "abc", true),
            ("a*", "ba", false),
            ("*c", "abc", true),
            ("*c", "abd", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("a*b*c", "aXXbYYc", true),
            ("a*b*c", "aXXbYY", false),
            ("a*a*a", "aaaa", true),
            ("*/*", "dir/file", true),
            ("*/*", "file", false),
            ("?", "é", true),
            ("??", "é", false),
            ("arn:aws:s3:::b/*", "arn:aws:s3:::b/k/1", true),
            ("arn:aws:s3:::b/*", "arn:aws:s3:::bb/k", false),
            ("arn:aws:s3:::b*", "arn:aws:s3:::bb/k", true),
            ("**", "x", true),
            ("a**?", "ab", true),
        ];
        for (p, t, want) in cases {
            assert_eq!(m(p, t), want, "{p} vs {t}");
        }
    }

    #[test]
    fn case_insensitive_actions() {
        let p = Pattern::glob("s3:get*", Case::Insensitive);
        assert!(p.matches("s3:GetObject", &none));
        assert!(p.matches("S3:GETOBJECT", &none));
        assert!(!p.matches("s3:PutObject", &none));
        let p = Pattern::glob("kms:Gen?rateDataKey*", Case::Insensitive);
        assert!(p.matches("KMS:generatedatakeywithoutplaintext", &none));
        assert!(Pattern::glob("ÉTÉ", Case::Insensitive).matches("été", &none));
        assert!(!Pattern::glob("ÉTÉ", Case::Sensitive).matches("été", &none));
    }

    #[test]
    fn variables_are_literal_and_must_resolve() {
        let var = Var {
            key: "aws:username".into(),
            default: None,
        };
        let p = Pattern::new(
            vec![
                Atom::Text("home/".into()),
                Atom::Var(var.clone()),
                Atom::Text("/".into()),
                Atom::Many,
            ],
            Case::Sensitive,
        );
        let alice = |_: &Var| Some("alice");
        assert!(p.matches("home/alice/x", &alice));
        assert!(!p.matches("home/bob/x", &alice));
        assert!(!p.matches("home/alice/x", &none));
        let star = |_: &Var| Some("*");
        assert!(!p.matches("home/bob/x", &star));
        assert!(p.matches("home/*/x", &star));
    }
}
