//! Typed condition values: numbers, dates (ISO 8601 or epoch seconds), CIDR blocks, base64
//! binary, and ARNs split into their six components. Policy values are parsed once, when the
//! policy is; request values are parsed on each comparison without allocating.

use crate::variables::{compile, Syntax};
use crate::wildcard::{Case, Pattern, Resolver};
use base64::Engine as _;
use std::net::IpAddr;
use time::format_description::well_known::{Iso8601, Rfc3339};
use time::{Date, OffsetDateTime, PrimitiveDateTime};

/// A number, as AWS compares integers and decimals alike.
pub(crate) fn number(s: &str) -> Option<f64> {
    let s = s.trim();
    // Rust also reads "inf" and "NaN", which are no numbers to AWS.
    if s.is_empty()
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
    {
        return None;
    }
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

/// A date as nanoseconds since the Unix epoch: epoch seconds, or ISO 8601 (with an offset, or
/// UTC when it has none; a bare date is its midnight).
pub(crate) fn date(s: &str) -> Option<i128> {
    let s = s.trim();
    if !s.is_empty()
        && s.bytes()
            .enumerate()
            .all(|(i, b)| b.is_ascii_digit() || (i == 0 && b == b'-'))
    {
        return s
            .parse::<i64>()
            .ok()
            .map(|secs| i128::from(secs) * 1_000_000_000);
    }
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t.unix_timestamp_nanos());
    }
    if let Ok(t) = OffsetDateTime::parse(s, &Iso8601::DEFAULT) {
        return Some(t.unix_timestamp_nanos());
    }
    if let Ok(t) = PrimitiveDateTime::parse(s, &Iso8601::DEFAULT) {
        return Some(t.assume_utc().unix_timestamp_nanos());
    }
    if let Ok(d) = Date::parse(s, &Iso8601::DEFAULT) {
        return Some(d.midnight().assume_utc().unix_timestamp_nanos());
    }
    None
}

/// A CIDR block (a bare address is a block of one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cidr {
    v6: bool,
    network: u128,
    mask: u128,
}

fn bits(ip: IpAddr) -> (bool, u128) {
    match ip {
        IpAddr::V4(a) => (false, u128::from(u32::from(a))),
        IpAddr::V6(a) => (true, u128::from(a)),
    }
}

impl Cidr {
    /// Parses `203.0.113.0/24`, `2001:db8::/32`, or a bare address.
    pub(crate) fn parse(s: &str) -> Option<Cidr> {
        let s = s.trim();
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let (v6, value) = bits(addr.parse::<IpAddr>().ok()?);
        let width: u32 = if v6 { 128 } else { 32 };
        let prefix: u32 = match prefix {
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => p.parse().ok()?,
            Some(_) => return None,
            None => width,
        };
        if prefix > width {
            return None;
        }
        let host_bits = width - prefix;
        let full: u128 = if v6 { u128::MAX } else { u128::from(u32::MAX) };
        let mask = if host_bits >= 128 {
            0
        } else {
            (full >> host_bits) << host_bits
        };
        Some(Cidr {
            v6,
            network: value & mask,
            mask,
        })
    }

    /// Whether the block is no broader than a /8 (IPv4) or a /32 (IPv6): S3 Block Public
    /// Access counts an `aws:SourceIp` range broader than that as public.
    pub(crate) fn is_narrow(&self) -> bool {
        let prefix = self.mask.count_ones();
        prefix >= if self.v6 { 32 } else { 8 }
    }

    /// Whether request address `s` lies in the block (an IPv4-mapped IPv6 address counts as
    /// its IPv4 address).
    pub(crate) fn contains(&self, s: &str) -> bool {
        let Ok(ip) = s.trim().parse::<IpAddr>() else {
            return false;
        };
        let ip = match ip {
            IpAddr::V6(a) if !self.v6 => match a.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => return false,
            },
            other => other,
        };
        let (v6, value) = bits(ip);
        v6 == self.v6 && value & self.mask == self.network
    }
}

/// A base64 policy value, normalized to standard padded base64 so a request value (which
/// [`crate::Conditions::insert_binary`] encodes the same way) compares as text.
pub(crate) fn binary(s: &str) -> Option<String> {
    let engine = base64::engine::general_purpose::STANDARD;
    let bytes = engine.decode(s.trim()).ok()?;
    Some(engine.encode(bytes))
}

/// An ARN condition value: six components matched separately, so a `*` in one never spans a
/// `:`, except in the last (the resource part, which may itself contain colons).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ArnPattern {
    /// Six component patterns.
    Parts(Box<[Pattern; 6]>),
    /// A value with fewer components (`*`), matched against the whole request value.
    Whole(Pattern),
}

impl ArnPattern {
    /// The component patterns.
    pub(crate) fn patterns(&self) -> &[Pattern] {
        match self {
            ArnPattern::Parts(p) => &p[..],
            ArnPattern::Whole(p) => std::slice::from_ref(p),
        }
    }

    /// Compiles a policy value; variables only when `variables`.
    pub(crate) fn compile(text: &str, variables: bool) -> ArnPattern {
        let syntax = Syntax {
            wildcards: true,
            variables,
            case: Case::Sensitive,
        };
        match split_arn(text, variables) {
            Some(parts) => ArnPattern::Parts(Box::new(parts.map(|p| compile(p, syntax)))),
            None => ArnPattern::Whole(compile(text, syntax)),
        }
    }

    /// Whether request value `arn` matches.
    pub(crate) fn matches(&self, arn: &str, resolve: Resolver<'_, '_>) -> bool {
        match self {
            ArnPattern::Whole(p) => p.matches(arn, resolve),
            ArnPattern::Parts(parts) => {
                let mut it = arn.splitn(6, ':');
                parts
                    .iter()
                    .all(|p| it.next().is_some_and(|c| p.matches(c, resolve)))
            }
        }
    }
}

/// Splits a policy ARN at its first five colons, skipping colons inside `${...}` variables.
fn split_arn(text: &str, variables: bool) -> Option<[&str; 6]> {
    let mut out = [""; 6];
    let mut start = 0;
    let mut n = 0;
    let mut depth = 0usize;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() && n < 5 {
        match bytes[i] {
            b'$' if variables && bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth > 0 => depth -= 1,
            b':' if depth == 0 => {
                out[n] = &text[start..i];
                n += 1;
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if n < 5 {
        return None;
    }
    out[5] = &text[start..];
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(number("10"), Some(10.0));
        assert_eq!(number(" 1.5 "), Some(1.5));
        assert_eq!(number("-3"), Some(-3.0));
        assert_eq!(number("1e3"), Some(1000.0));
        for bad in ["", "abc", "inf", "NaN", "1,0", "0x10"] {
            assert_eq!(number(bad), None, "{bad}");
        }
    }

    #[test]
    fn dates() {
        let t = 1_577_836_800i128 * 1_000_000_000; // 2020-01-01T00:00:00Z
        assert_eq!(date("2020-01-01T00:00:00Z"), Some(t));
        assert_eq!(date("2020-01-01T01:00:00+01:00"), Some(t));
        assert_eq!(date("2020-01-01T00:00:00.000Z"), Some(t));
        assert_eq!(date("2020-01-01T00:00:00"), Some(t));
        assert_eq!(date("2020-01-01"), Some(t));
        assert_eq!(date("1577836800"), Some(t));
        for bad in ["", "yesterday", "2020-13-01", "2020-01-01T25:00:00Z"] {
            assert_eq!(date(bad), None, "{bad}");
        }
    }

    #[test]
    fn cidrs() {
        let c = Cidr::parse("203.0.113.0/24").unwrap();
        assert!(c.contains("203.0.113.7"));
        assert!(!c.contains("203.0.114.7"));
        assert!(c.contains("::ffff:203.0.113.9"));
        assert!(!c.contains("2001:db8::1"));
        assert!(!c.contains("not-an-ip"));
        assert!(Cidr::parse("10.0.0.1").unwrap().contains("10.0.0.1"));
        assert!(!Cidr::parse("10.0.0.1").unwrap().contains("10.0.0.2"));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains("8.8.8.8"));
        assert!(Cidr::parse("::/0").unwrap().contains("2001:db8::1"));
        let c = Cidr::parse("2001:DB8::/32").unwrap();
        assert!(c.contains("2001:db8:ffff::1"));
        assert!(!c.contains("2001:db9::1"));
        assert!(!c.contains("10.0.0.1"));
        // Host bits set are masked, as AWS does.
        assert!(Cidr::parse("10.1.2.3/8").unwrap().contains("10.200.0.1"));
        for bad in [
            "",
            "10.0.0.0/33",
            "10.0.0/8",
            "::/129",
            "10.0.0.0/",
            "10.0.0.0/x",
            "a/8",
        ] {
            assert_eq!(Cidr::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn binaries() {
        assert_eq!(binary("aGk="), Some("aGk=".to_string()));
        assert_eq!(binary("not base64!"), None);
    }

    #[test]
    fn arn_split() {
        assert_eq!(
            split_arn("arn:aws:s3:::b/k:x", false),
            Some(["arn", "aws", "s3", "", "", "b/k:x"])
        );
        assert_eq!(
            split_arn("arn:aws:iam::${aws:PrincipalAccount}:root", true),
            Some(["arn", "aws", "iam", "", "${aws:PrincipalAccount}", "root"])
        );
        assert_eq!(split_arn("*", true), None);
    }
}
