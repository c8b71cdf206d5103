//! The operations of the identity services, one enum per service parsed once at the edge, with
//! typed inputs and outputs: [`StsOp`] (STS) and [`IamOp`] (IAM).

mod iam;
mod sts;

pub use iam::*;
pub use sts::*;
