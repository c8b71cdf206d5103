//! The SSE-C key of the requests that follow CreateMultipartUpload: each part (UploadPart,
//! UploadPartCopy) must bring the upload's key, and CompleteMultipartUpload must when the
//! upload was created with a checksum algorithm (CompleteMultipartUpload,
//! `SSECustomerAlgorithm`). A key other than the upload's is a bad request (400), not the 403
//! of a read with a wrong key.

use super::encryption::open_stored;
use crate::data::Sealing;
use crate::error::{S3Error, S3Result};
use crate::model::uploads::Upload;
use crate::sse::{keys, CustomerKey, Mode};
use crate::S3;
use trailstack_core::Caller;

fn missing() -> S3Error {
    S3Error::InvalidRequest(
        "The multipart upload initiate requested encryption. Subsequent part requests must include the appropriate encryption parameters.".into(),
    )
}

fn mismatch() -> S3Error {
    S3Error::InvalidRequest(
        "The provided encryption parameters did not match the ones used originally.".into(),
    )
}

fn is_sse_c(upload: &Upload) -> bool {
    upload
        .meta
        .sse
        .as_ref()
        .is_some_and(|r| r.mode == Mode::SseC)
}

/// The sealing of an upload's parts (its data key, recovered from the upload's record).
pub(crate) async fn upload_sealing(
    s3: &S3,
    caller: &Caller,
    upload: &Upload,
    customer: Option<&CustomerKey>,
) -> S3Result<Option<Sealing>> {
    let rec = upload.meta.sse.as_ref();
    if is_sse_c(upload) {
        if customer.is_none() {
            return Err(missing());
        }
        keys::check_customer(rec, customer).map_err(|_| mismatch())?;
    }
    open_stored(s3, caller, rec, customer, &upload.bucket, &upload.key).await
}

/// Checks the SSE-C key a CompleteMultipartUpload brings (or not) against its upload.
pub(crate) fn check_completion_key(
    upload: &Upload,
    customer: Option<&CustomerKey>,
) -> S3Result<()> {
    let rec = upload.meta.sse.as_ref();
    match customer {
        Some(_) if is_sse_c(upload) => keys::check_customer(rec, customer).map_err(|_| mismatch()),
        Some(_) => keys::check_customer(rec, customer),
        None if is_sse_c(upload) && upload.meta.checksum.is_some() => Err(missing()),
        None => Ok(()),
    }
}
