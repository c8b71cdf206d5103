//! Delivery: turns each logging trail's outbox into gzipped log files in S3 and, with log file
//! validation, into a chain of signed digest files (design.md §6, reference/cloudtrail-delivery.md).

pub mod format;
