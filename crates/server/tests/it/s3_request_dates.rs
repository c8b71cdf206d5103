//! The time a SigV4 request states: the `Date` header in place of `X-Amz-Date`, written in any
//! RFC 1123 zone (botocore signs `Date: ... -0000` whenever a request carries a `Date`), and
//! the clock-skew check against it.

use crate::common::*;
use time::OffsetDateTime;

/// 2026-12-07 12:00:00 UTC.
const NOON: i64 = 1_796_644_800;

/// `t` as RFC 1123 in the zone `offset_minutes` east of UTC, written `+HHMM`/`-HHMM`.
fn http_date_in(t: OffsetDateTime, offset_minutes: i16) -> String {
    let offset = time::UtcOffset::from_whole_seconds(i32::from(offset_minutes) * 60).unwrap();
    let local = t.to_offset(offset);
    let fmt = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second]"
    );
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let m = offset_minutes.unsigned_abs();
    format!(
        "{} {sign}{:02}{:02}",
        local.format(fmt).unwrap(),
        m / 60,
        m % 60
    )
}

/// A PUT signed over a `Date` header (and no `X-Amz-Date`), as botocore sends one.
fn put_signed_over_date(s: &Server, path: &str, signed_at: OffsetDateTime, date: &str) -> Raw {
    let hash = trailstack_sigv4::sha256_hex(b"bar");
    let r = Raw::new(s, "PUT", path)
        .header("date", date)
        .header("x-amz-content-sha256", &hash)
        .body("bar");
    let refs: Vec<(&str, &str)> = r
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let signer = Signer::at(signed_at);
    let parts = trailstack_sigv4::RequestParts {
        method: &r.method,
        raw_path: &r.path,
        raw_query: &r.query,
        headers: &refs,
    };
    let sig = trailstack_sigv4::sign_request_header(&parts, &signer.params(), &hash);
    r.header("authorization", &sig.authorization)
}

#[tokio::test]
async fn the_date_header_stands_for_x_amz_date_in_any_zone() {
    // Noon on the server's clock: the skewed date below, an hour later, stays on the day its
    // credential scope names, so the answer is the skew's (on the wall clock it would cross
    // midnight after 23:00 UTC and fail the scope's date instead).
    let t = Clocked::start_at(NOON, None).await;
    let (s, c) = (&t.s, t.s3());
    c.create_bucket().bucket("dates").send().await.unwrap();
    let now = OffsetDateTime::from_unix_timestamp(NOON).unwrap();
    for (key, offset) in [("utc", 0), ("east", 150), ("west", -300)] {
        let date = http_date_in(now, offset);
        let path = format!("/dates/{key}");
        let r = put_signed_over_date(s, &path, now, &date).send(s).await;
        assert_eq!(r.status, 200, "{date}: {}", r.text());
    }
    // botocore's own form: `-0000`.
    let date = http_date_in(now, 0).replace("+0000", "-0000");
    let r = put_signed_over_date(s, "/dates/boto", now, &date)
        .send(s)
        .await;
    assert_eq!(r.status, 200, "{date}: {}", r.text());
    let listed = c.list_objects_v2().bucket("dates").send().await.unwrap();
    assert_eq!(listed.key_count(), Some(4));

    // The zone counts: the same wall-clock time an hour west is an hour later.
    let skewed = http_date_in(now, 0).replace("+0000", "-0100");
    let r = put_signed_over_date(s, "/dates/skewed", now, &skewed)
        .send(s)
        .await;
    assert_eq!(r.status, 403, "{skewed}: {}", r.text());
    assert_eq!(r.xml("Code").as_deref(), Some("RequestTimeTooSkewed"));
}
