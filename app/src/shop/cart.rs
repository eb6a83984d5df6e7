//! Where carts live: the store the shop service is given. Every change must be one atomic step
//! in the store, so concurrent requests never lose an apple. The adapters (memory, SQL, Redis)
//! are in `server/src/stores/carts.rs`, beside the session stores they share a database with.

use crate::error::AppError;
use async_trait::async_trait;
use std::time::Duration;

/// A store of carts, each a count of apples under a random cart id.
#[async_trait]
pub trait CartStore: Send + Sync + 'static {
    /// Adds one apple and returns the new count.
    async fn add_apple(&self, cart_id: &str) -> Result<u64, AppError>;
    async fn apples(&self, cart_id: &str) -> Result<u64, AppError>;
    /// Empties the cart and returns how many apples were in it, in one step.
    async fn take_all(&self, cart_id: &str) -> Result<u64, AppError>;
    async fn discard(&self, cart_id: &str) -> Result<(), AppError>;
    /// Deletes carts untouched for `idle` (their sessions have ended); returns how many.
    async fn delete_idle(&self, idle: Duration) -> Result<u64, AppError>;
    async fn ping(&self) -> Result<(), AppError>;
}
