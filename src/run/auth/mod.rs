//! Request signing. `none`, `X-Auth-Token`, and Huawei Cloud AK/SK (`SDK-HMAC-SHA256`), the
//! latter written out by hand because the domain demands byte-exact canonicalisation, and pinned
//! to the official SDK's vectors (`tests/signing.rs`). Nothing here logs or formats a secret.

pub mod aksk;
pub mod iam;
