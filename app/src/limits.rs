//! Per-client rate limits: how many password checks and how many new sessions one client
//! address may cause per minute. The per-account login throttle ([`crate::accounts::throttle`])
//! slows guessing one password; these stop one client from hashing passwords all day (argon2
//! is deliberately expensive) or from filling the session store with logins.
//!
//! The counts are [governor]'s GCRA buckets, kept in this process's memory like the account
//! throttle: a client may spend its whole minute at once, then one unit comes back every
//! `60 / per_minute` seconds.

use crate::error::{AppError, Refusal};
use governor::{
    clock::{Clock, DefaultClock},
    DefaultKeyedRateLimiter, Quota,
};
use std::{
    net::{IpAddr, Ipv6Addr},
    num::NonZeroU32,
    sync::Arc,
};

/// Who is counted: an IPv4 address, or an IPv6 /64 network (one subscriber usually gets a
/// whole /64, so counting single IPv6 addresses would count nothing).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ClientKey(IpAddr);

impl From<IpAddr> for ClientKey {
    fn from(address: IpAddr) -> Self {
        match address {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Self(IpAddr::V4(v4)),
                None => {
                    let network = u128::from(v6) & !((1u128 << 64) - 1);
                    Self(IpAddr::V6(Ipv6Addr::from(network)))
                }
            },
            v4 => Self(v4),
        }
    }
}

/// The client's own address (not masked like [`ClientKey`]), for the sessions page; carried
/// by state-changing requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

/// At most `per_minute` events per client per minute.
#[derive(Debug)]
pub struct PerClientLimit {
    buckets: DefaultKeyedRateLimiter<ClientKey>,
}

impl PerClientLimit {
    /// `None` for 0: no limit.
    pub fn per_minute(per_minute: u32) -> Option<Arc<Self>> {
        let per_minute = NonZeroU32::new(per_minute)?;
        Some(Arc::new(Self {
            buckets: DefaultKeyedRateLimiter::keyed(Quota::per_minute(per_minute)),
        }))
    }

    /// Counts one event for `client`, or refuses it with how long to wait.
    pub fn take(&self, client: ClientKey) -> Result<(), AppError> {
        self.buckets.check_key(&client).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            AppError::TooManyRequests {
                retry_after_secs: wait.as_secs().max(1),
            }
        })
    }

    /// Forgets clients whose bucket has refilled, so memory follows recent clients only.
    pub fn forget_idle_clients(&self) {
        self.buckets.retain_recent();
        self.buckets.shrink_to_fit();
    }
}

/// A request that checks (or sets) a password: the policy "password checks are limited per
/// client" as a type. Every handler that hashes a password takes this extractor, and the
/// account service's hashing paths (`register`, `authenticate`, `change_password`) require
/// it, so a new password route cannot compile without spending its client's allowance.
///
/// Extracting it spends one of the client's password checks for this minute (`429` with
/// `Retry-After` beyond, before the body is even read); it also names the client the login
/// throttle counts against. `client` is `None` when the router is called in-process, with no
/// address.
#[derive(Clone, Copy, Debug, Default)]
pub struct PasswordCheck {
    pub client: Option<ClientKey>,
}

/// The per-client allowance of password checks, handed to [`PasswordCheck`] by the server's
/// limits layer through the request's extensions (absent when the limit is off).
#[derive(Clone, Debug)]
pub struct PasswordChecks(pub Arc<PerClientLimit>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for PasswordCheck {
    type Rejection = Refusal;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        let client = parts.extensions.get::<ClientKey>().copied();
        if let (Some(client), Some(PasswordChecks(limit))) =
            (client, parts.extensions.get::<PasswordChecks>())
        {
            if let Err(error) = limit.take(client) {
                tracing::info!("refused: too many password checks from one client");
                return Err(Refusal::new(parts.uri.path(), error));
            }
        }
        Ok(Self { client })
    }
}

/// What a request may spend on creating a session: handed to [`crate::sessions::LabSession`]
/// by the server's limits layer, through the request's extensions.
#[derive(Clone, Debug)]
pub struct NewSessionAllowance {
    pub client: ClientKey,
    pub limit: Arc<PerClientLimit>,
}

impl NewSessionAllowance {
    pub fn take(&self) -> Result<(), AppError> {
        self.limit.take(self.client)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(text: &str) -> ClientKey {
        ClientKey::from(text.parse::<IpAddr>().unwrap())
    }

    #[test]
    fn a_client_gets_its_quota_then_waits_and_others_are_not_affected() {
        let limit = PerClientLimit::per_minute(3).unwrap();
        for _ in 0..3 {
            limit.take(client("192.0.2.1")).unwrap();
        }
        match limit.take(client("192.0.2.1")) {
            Err(AppError::TooManyRequests { retry_after_secs }) => {
                assert!((1..=20).contains(&retry_after_secs), "{retry_after_secs}")
            }
            other => panic!("the fourth event passed: {other:?}"),
        }
        limit.take(client("192.0.2.2")).unwrap();
    }

    #[test]
    fn ipv6_addresses_of_one_network_count_as_one_client() {
        assert_eq!(client("2001:db8::1"), client("2001:db8::ffff:1"));
        assert_ne!(client("2001:db8::1"), client("2001:db8:0:1::1"));
        assert_eq!(client("::ffff:192.0.2.1"), client("192.0.2.1"));
    }

    #[test]
    fn zero_means_no_limit() {
        assert!(PerClientLimit::per_minute(0).is_none());
    }
}
