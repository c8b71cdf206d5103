//! Property tests without a framework: a seeded generator drives random and mutated documents
//! through the parser and evaluator (nothing may panic), and random wildcard patterns through
//! the matcher, checked against a plain recursive reference.

use crate::tests_support::{alice, anonymous, bob, root, service};
use crate::wildcard::{Case, Pattern};
use crate::{authorize, authorize_key, Policy};

/// xorshift64*: small, seeded, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const RICH: &str = r#"{"Version":"2012-10-17","Id":"x","Statement":[
 {"Sid":"A","Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::444455556666:user/bob"],"Service":"cloudtrail.amazonaws.com"},
  "Action":["s3:Get*","kms:Decrypt"],"Resource":["arn:aws:s3:::bucket/${aws:username}/*","*"],
  "Condition":{"StringLike":{"s3:prefix":"home/${aws:username, 'x'}/*"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},
   "ForAnyValue:StringEquals":{"kms:EncryptionContextKeys":["a","b"]},"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},
   "NumericLessThanEquals":{"s3:max-keys":"1000"},"ArnLike":{"aws:SourceArn":"arn:aws:cloudtrail:*:111122223333:trail/*"},
   "Null":{"s3:x-amz-acl":"false"},"BoolIfExists":{"aws:SecureTransport":"true"},"BinaryEquals":{"k":"aGk="}}},
 {"Sid":"B","Effect":"Deny","NotPrincipal":{"AWS":"111122223333"},"NotAction":"s3:*","NotResource":"arn:aws:s3:::b/*",
  "Condition":{"ForAllValues:StringNotEqualsIgnoreCase":{"aws:TagKeys":"x"}}}]}"#;

/// Requests with hostile condition values, to run whatever parses against.
fn requests() -> Vec<crate::tests_support::Req> {
    let junk = [
        "",
        "*",
        "${aws:username}",
        "é\u{0}",
        "10.0.0.1/8",
        "::ffff:10.0.0.1",
        "1e400",
        "-0",
        "2020-02-30",
        "arn:::::",
        "a:b:c:d:e:f:g",
    ];
    let mut out = vec![
        alice(),
        bob(),
        root("111122223333"),
        service("cloudtrail.amazonaws.com"),
        anonymous(),
    ];
    for (i, j) in junk.iter().enumerate() {
        let r = match i % 3 {
            0 => alice(),
            1 => service("cloudtrail.amazonaws.com"),
            _ => anonymous(),
        };
        out.push(
            r.act(j)
                .res(j)
                .cond("s3:prefix", j)
                .cond("aws:SourceIp", j)
                .cond("aws:CurrentTime", j)
                .cond("s3:max-keys", j)
                .cond("aws:SourceArn", j)
                .cond("k", j)
                .conds("kms:EncryptionContextKeys", &[j, "a"])
                .conds("aws:TagKeys", &[j]),
        );
    }
    out
}

fn exercise(p: &Policy, reqs: &[crate::tests_support::Req]) {
    for r in reqs {
        let ctx = r.ctx();
        let _ = p.evaluate(&ctx);
        let _ = p.matching_statements(&ctx);
        let _ = authorize(&ctx, &[p], Some(p), "111122223333");
        let _ = authorize_key(&ctx, p, &[p], "111122223333", false);
    }
}

#[test]
fn mutated_documents_never_panic() {
    assert!(Policy::parse(RICH).is_ok(), "{:?}", Policy::parse(RICH));
    let reqs = requests();
    let alphabet: Vec<char> = "{}[]\":,*?$'\\ aAzZ09-/.\u{e9}\u{0}".chars().collect();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let base: Vec<char> = RICH.chars().collect();
    let mut parsed = 0;
    for _ in 0..3000 {
        let mut doc = base.clone();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(doc.len());
            match rng.below(3) {
                0 => {
                    doc.remove(at);
                }
                1 => doc.insert(at, *rng.pick(&alphabet)),
                _ => doc[at] = *rng.pick(&alphabet),
            }
        }
        let text: String = doc.into_iter().collect();
        for kind in [
            crate::PolicyKind::Any,
            crate::PolicyKind::Identity,
            crate::PolicyKind::Resource,
        ] {
            if let Ok(p) = Policy::parse_as(&text, kind) {
                parsed += 1;
                exercise(&p, &reqs[..4]);
            }
        }
        let _ = crate::validate_resource_policy(&text);
    }
    // Most single-character mutations land in strings and still parse: the evaluator saw them.
    assert!(parsed > 500, "only {parsed} mutants parsed");
}

#[test]
fn the_rich_policy_against_hostile_requests() {
    exercise(&Policy::parse(RICH).unwrap(), &requests());
}

#[test]
fn random_strings_never_panic() {
    let mut rng = Rng(42);
    let pieces = [
        "{",
        "}",
        "[",
        "]",
        "\"",
        ":",
        ",",
        "Statement",
        "Effect",
        "Allow",
        "Principal",
        "*",
        "Condition",
        "StringLike",
        "${",
        "null",
        "1",
        "true",
        " ",
        "\\u0000",
        "é",
    ];
    for _ in 0..5000 {
        let n = rng.below(40);
        let s: String = (0..n).map(|_| *rng.pick(&pieces)).collect();
        let _ = Policy::parse(&s);
        let _ = crate::validate_resource_policy(&s);
    }
}

/// The obvious recursive wildcard matcher, as a reference.
fn reference(p: &[char], t: &[char]) -> bool {
    match p.split_first() {
        None => t.is_empty(),
        Some(('*', rest)) => (0..=t.len()).any(|i| reference(rest, &t[i..])),
        Some(('?', rest)) => !t.is_empty() && reference(rest, &t[1..]),
        Some((c, rest)) => t.first() == Some(c) && reference(rest, &t[1..]),
    }
}

#[test]
fn wildcard_matcher_agrees_with_reference() {
    let mut rng = Rng(7);
    let pat_alpha = ['a', 'b', '*', '?', 'é'];
    let txt_alpha = ['a', 'b', 'é'];
    let none = |_: &crate::wildcard::Var| None::<&str>;
    for _ in 0..20_000 {
        let p: Vec<char> = (0..rng.below(8)).map(|_| *rng.pick(&pat_alpha)).collect();
        let t: Vec<char> = (0..rng.below(10)).map(|_| *rng.pick(&txt_alpha)).collect();
        let (ps, ts): (String, String) = (p.iter().collect(), t.iter().collect());
        let got = Pattern::glob(&ps, Case::Sensitive).matches(&ts, &none);
        assert_eq!(got, reference(&p, &t), "{ps:?} vs {ts:?}");
    }
}
