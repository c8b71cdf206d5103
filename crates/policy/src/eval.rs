//! Evaluating one policy for one request: which statements apply (action, resource,
//! principal, conditions — cheapest test first) and what they say together. An explicit Deny
//! anywhere in the policy wins over its Allows. Combining several policies is `authorize.rs`.

use crate::context::RequestContext;
use crate::model::{Effect, Patterns, Policy, PrincipalElement, Statement};
use crate::principal::PrincipalMatch;
use crate::variables::resolve;

/// What one policy says about one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// A statement allows it and none denies it.
    Allow,
    /// A statement denies it (explicit deny).
    Deny,
    /// No statement applies.
    NotApplicable,
}

/// What one policy says, with how the Allow reached the principal (see
/// [`Policy::outcome`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Outcome {
    /// A statement denies the request.
    pub deny: bool,
    /// A statement allows the principal itself (by ARN, service, `*`, as the account's root,
    /// or a statement without Principal).
    pub allow_direct: bool,
    /// A statement allows the principal only through its account (`"AWS": "<account>"`):
    /// a delegation that the account's own policies must complete.
    pub allow_via_account: bool,
}

impl Outcome {
    /// The plain verdict.
    pub fn verdict(&self) -> Match {
        if self.deny {
            Match::Deny
        } else if self.allow_direct || self.allow_via_account {
            Match::Allow
        } else {
            Match::NotApplicable
        }
    }
}

impl Patterns {
    /// Whether the element covers `text`.
    fn covers(&self, text: &str, req: &RequestContext) -> bool {
        let resolve = |v: &_| resolve(req, v);
        self.patterns.iter().any(|p| p.matches(text, &resolve)) != self.negated
    }
}

impl Statement {
    /// Whether the statement's Action / NotAction covers `action` (any case), outside any
    /// request: for reports. A policy variable in an action pattern matches nothing here.
    pub(crate) fn covers_action(&self, action: &str) -> bool {
        let action = action.to_lowercase();
        let patterns = &self.action;
        patterns
            .patterns
            .iter()
            .any(|p| p.matches(&action, &|_| None))
            != patterns.negated
    }
}

/// The request's action lowercased, on the stack for any real action name (they are short
/// ASCII); action patterns are lowercased when parsed, so they then compare bytewise.
struct LoweredAction {
    inline: [u8; 128],
    len: usize,
    spilled: Option<String>,
}

impl LoweredAction {
    fn new(action: &str) -> LoweredAction {
        let mut out = LoweredAction {
            inline: [0; 128],
            len: 0,
            spilled: None,
        };
        if action.is_ascii() && action.len() <= out.inline.len() {
            out.inline[..action.len()].copy_from_slice(action.as_bytes());
            out.inline[..action.len()].make_ascii_lowercase();
            out.len = action.len();
        } else {
            out.spilled = Some(action.to_lowercase());
        }
        out
    }

    fn as_str(&self) -> &str {
        match &self.spilled {
            Some(s) => s,
            // ASCII in, ASCII out: always valid UTF-8.
            None => std::str::from_utf8(&self.inline[..self.len]).unwrap_or_default(),
        }
    }
}

impl Statement {
    /// How the statement applies to `req`: not at all, through the principal's account, or
    /// directly.
    /// `action` is the request's action lowercased (see [`LoweredAction`]).
    fn applies(&self, req: &RequestContext, action: &str) -> PrincipalMatch {
        if !self.action.covers(action, req) || !self.resource.covers(req.resource, req) {
            return PrincipalMatch::No;
        }
        let who = match &self.principal {
            PrincipalElement::Holder => PrincipalMatch::Direct,
            PrincipalElement::Only(p) => p.principal_match(req),
            PrincipalElement::AllBut(p) => {
                if p.not_principal_applies(req) {
                    PrincipalMatch::Direct
                } else {
                    PrincipalMatch::No
                }
            }
        };
        if who == PrincipalMatch::No || !self.conditions.iter().all(|c| c.holds(req)) {
            return PrincipalMatch::No;
        }
        who
    }
}

impl Policy {
    /// What this policy says about `req`; an explicit Deny wins over any Allow.
    pub fn evaluate(&self, req: &RequestContext) -> Match {
        self.outcome(req).verdict()
    }

    /// What this policy says about `req`, telling a direct Allow from one that reaches the
    /// principal only through its account (which AWS treats as delegation to that account's
    /// identity policies).
    pub fn outcome(&self, req: &RequestContext) -> Outcome {
        let lowered = LoweredAction::new(req.action);
        let action = lowered.as_str();
        let mut out = Outcome::default();
        for st in &self.statements {
            // Once allowed directly, only a Deny can change the answer.
            if st.effect == Effect::Allow && out.allow_direct {
                continue;
            }
            match (st.effect, st.applies(req, action)) {
                (_, PrincipalMatch::No) => {}
                (Effect::Deny, _) => {
                    out.deny = true;
                    return out;
                }
                (Effect::Allow, PrincipalMatch::Direct) => out.allow_direct = true,
                (Effect::Allow, PrincipalMatch::ViaAccount) => out.allow_via_account = true,
            }
        }
        out
    }

    /// The `Sid`s (or statement indexes, `#0`...) of the statements that apply to `req`, for
    /// explaining a decision.
    pub fn matching_statements(&self, req: &RequestContext) -> Vec<String> {
        let lowered = LoweredAction::new(req.action);
        self.statements
            .iter()
            .enumerate()
            .filter(|(_, st)| st.applies(req, lowered.as_str()) != PrincipalMatch::No)
            .map(|(i, st)| match st.sid.as_deref() {
                Some(s) if !s.is_empty() => s.to_string(),
                _ => format!("#{i}"),
            })
            .collect()
    }
}
