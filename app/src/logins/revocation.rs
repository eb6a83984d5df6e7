//! The denylist: ids of tokens (and logins) that must be refused although their signature is
//! fine. It lives in the same store as the sessions (memory, SQL or Redis), so every process
//! sharing that store refuses a logged-out token at once. Entries are kept only until the
//! token would have expired anyway; after that the signature check refuses it by itself.
//!
//! Ending a login from the sessions page uses the same list (`sid:<login id>`), so the check
//! every lab already makes for a logged-out token also refuses an ended login.
//!
//! The adapters (memory, SQL, Redis) are in `server/src/stores/revocations.rs`.

use crate::error::AppError;
use async_trait::async_trait;

#[async_trait]
pub trait RevocationStore: Send + Sync + 'static {
    /// Denies every id in `ids` until `until` (Unix seconds).
    async fn revoke(&self, ids: &[&str], until: u64) -> Result<(), AppError>;
    /// Whether any of `ids` is denied now (an entry past its `until` no longer counts, in
    /// every store alike: Redis forgets it by itself).
    async fn any_revoked(&self, ids: &[&str]) -> Result<bool, AppError>;
    /// Forgets entries whose tokens have expired; returns how many.
    async fn delete_expired(&self) -> Result<u64, AppError>;
}
