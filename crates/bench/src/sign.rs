//! SigV4 header signing on the client side, cheap enough that the generator is never the
//! bottleneck: the signing key is derived once per (date, service) and reused, so each request
//! costs one canonical request, one SHA-256 and one HMAC.
//!
//! Must not touch: the signature algorithm itself, which lives in `trailstack-sigv4`; this
//! module only calls its public pieces (`canonical_request`, `string_to_sign`, `sign`).

use time::OffsetDateTime;
use trailstack_sigv4::{
    canonical_request, derive_signing_key, format_amz_date, sign, string_to_sign, RequestParts,
    Scope, SigningKey, ALGORITHM,
};

/// Signs requests for one access key in one region, caching the derived key.
#[derive(Clone)]
pub struct Signer {
    access_key: String,
    secret_key: String,
    region: String,
    cached: Option<(Scope, SigningKey)>,
}

impl Signer {
    /// A signer for `access_key`/`secret_key` in `region`.
    pub fn new(access_key: &str, secret_key: &str, region: &str) -> Self {
        Signer {
            access_key: access_key.to_owned(),
            secret_key: secret_key.to_owned(),
            region: region.to_owned(),
            cached: None,
        }
    }

    /// The scope and signing key for `date` (YYYYMMDD) and `service`, derived at most once.
    fn key(&mut self, date: &str, service: &str) -> &(Scope, SigningKey) {
        let fresh = matches!(&self.cached, Some((s, _)) if s.date == date && s.service == service);
        if !fresh {
            self.cached = None;
        }
        self.cached.get_or_insert_with(|| {
            let scope = Scope {
                date: date.to_owned(),
                region: self.region.clone(),
                service: service.to_owned(),
            };
            let key = derive_signing_key(&self.secret_key, &scope);
            (scope, key)
        })
    }

    /// The `Authorization` value for `req` at `time`, signing every header in `req.headers`
    /// (which must include `host`, `x-amz-date` = [`format_amz_date`] of `time`, and for S3
    /// `x-amz-content-sha256`).
    pub fn authorization(
        &mut self,
        req: &RequestParts,
        service: &str,
        time: OffsetDateTime,
        payload_hash: &str,
    ) -> String {
        let amz_date = format_amz_date(time);
        let mut names: Vec<String> = req
            .headers
            .iter()
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect();
        names.sort();
        names.dedup();
        let canonical = canonical_request(req, &names, payload_hash, false);
        let access_key = self.access_key.clone();
        let (scope, key) = self.key(&amz_date[..8], service);
        let sts = string_to_sign(&amz_date, scope, &canonical);
        let signature = sign(key, &sts);
        format!(
            "{ALGORITHM} Credential={access_key}/{}, SignedHeaders={}, Signature={signature}",
            scope.credential_scope(),
            names.join(";"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use trailstack_sigv4::{sign_request_header, SigningParams, UNSIGNED_PAYLOAD};

    #[test]
    fn matches_the_reference_signer() {
        let time = time::macros::datetime!(2024-05-06 07:08:09 UTC);
        let amz = format_amz_date(time);
        let headers = [
            ("host", "127.0.0.1:9000"),
            ("x-amz-content-sha256", UNSIGNED_PAYLOAD),
            ("x-amz-date", amz.as_str()),
        ];
        let req = RequestParts {
            method: "PUT",
            raw_path: "/bench/obj/1",
            raw_query: "",
            headers: &headers,
        };
        let params = SigningParams {
            access_key: "test",
            secret_key: "secret",
            region: "us-east-1",
            service: "s3",
            time,
        };
        let want = sign_request_header(&req, &params, UNSIGNED_PAYLOAD).authorization;
        let mut signer = Signer::new("test", "secret", "us-east-1");
        for _ in 0..2 {
            assert_eq!(
                signer.authorization(&req, "s3", time, UNSIGNED_PAYLOAD),
                want
            );
        }
    }
}
