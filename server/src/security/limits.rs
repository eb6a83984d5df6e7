//! Abuse limits in front of every handler:
//!
//! - request headers larger than [`HEADER_LIMIT_BYTES`] in all get `431` (hyper alone would
//!   accept about 400 KB), and a body announced larger than [`BODY_LIMIT_BYTES`] gets `413`
//!   (JSON on the API, a page elsewhere; a body that only turns out too long while it is read
//!   is cut off by `tower-http`'s `RequestBodyLimitLayer`, see `startup`);
//! - every state-changing request carries its client (the TCP peer, or the configured proxy
//!   header) and its client's allowances: password checks, which the
//!   [`app::limits::PasswordCheck`] extractor of every password-checking handler spends
//!   (`429` with `Retry-After` beyond, before any hashing), and new sessions, which
//!   [`app::sessions::LabSession`] spends when a login creates a session. Nothing else creates
//!   one (anonymous visitors get no session record), so a flood cannot fill the store.

use super::guard::Guard;
use app::{
    api::error::error_response,
    error::{AppError, RequestPart},
    limits::{ClientAddress, ClientKey, NewSessionAllowance, PasswordChecks, PerClientLimit},
};
use axum::{
    extract::{ConnectInfo, Request},
    http::{header, HeaderMap, HeaderName, Method},
    response::Response,
};
use std::{
    net::{IpAddr, SocketAddr},
    ops::ControlFlow,
    sync::Arc,
};

/// Request bodies larger than this get `413`: forms and JSON here are tiny.
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;

/// The most header bytes (names and values) a request may carry: a full 4 KB cookie for each
/// lab and the usual browser headers fit many times over.
pub const HEADER_LIMIT_BYTES: usize = 32 * 1024;

/// The per-client limits; `None` turns one off.
#[derive(Clone, Debug, Default)]
pub struct ClientLimits {
    pub password_checks: Option<Arc<PerClientLimit>>,
    pub new_sessions: Option<Arc<PerClientLimit>>,
    /// Behind a reverse proxy every peer is the proxy: then the header it sets (and
    /// overwrites) with the client's address names the client instead.
    pub address_header: Option<HeaderName>,
}

impl ClientLimits {
    pub fn per_minute(password_checks: u32, new_sessions: u32) -> Self {
        Self {
            password_checks: PerClientLimit::per_minute(password_checks),
            new_sessions: PerClientLimit::per_minute(new_sessions),
            address_header: None,
        }
    }

    /// Who sent `request`: the address in the configured header, else the TCP peer; `None`
    /// when neither is known. Of the header, the **last entry of its last line** counts: a
    /// proxy that appends puts the address it saw after whatever the client forged, on the
    /// same line or on a line of its own.
    fn client(&self, request: &Request) -> Option<IpAddr> {
        let from_header = self.address_header.as_ref().and_then(|name| {
            let value = request.headers().get_all(name).iter().next_back()?;
            let value = value.to_str().ok()?;
            value.rsplit(',').next()?.trim().parse::<IpAddr>().ok()
        });
        let peer = || {
            request
                .extensions()
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(peer)| peer.ip())
        };
        from_header.or_else(peer)
    }

    /// Drops the counts of clients that have been quiet long enough to be forgiven.
    pub fn forget_idle_clients(&self) {
        for limit in [&self.password_checks, &self.new_sessions]
            .into_iter()
            .flatten()
        {
            limit.forget_idle_clients();
        }
    }
}

fn header_bytes(headers: &HeaderMap) -> usize {
    headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum()
}

impl ClientLimits {
    /// Lets `request` through (carrying its allowance for new sessions when it checks a
    /// password), or says why not.
    fn check(&self, request: &mut Request) -> Result<(), AppError> {
        if header_bytes(request.headers()) > HEADER_LIMIT_BYTES {
            tracing::info!("refused: request headers over {HEADER_LIMIT_BYTES} bytes");
            let error = AppError::TooLarge {
                part: RequestPart::Headers,
                limit_bytes: HEADER_LIMIT_BYTES as u64,
            };
            return Err(error);
        }
        let announced_body = request
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|length| length.to_str().ok()?.parse::<u64>().ok());
        if announced_body.is_some_and(|length| length > BODY_LIMIT_BYTES as u64) {
            let error = AppError::TooLarge {
                part: RequestPart::Body,
                limit_bytes: BODY_LIMIT_BYTES as u64,
            };
            return Err(error);
        }
        // Only requests that change something check passwords or create sessions.
        if matches!(
            *request.method(),
            Method::GET | Method::HEAD | Method::OPTIONS
        ) {
            return Ok(());
        }
        // Without an address (a router called in-process) there is nobody to count.
        let Some(address) = self.client(request) else {
            return Ok(());
        };
        let client = ClientKey::from(address);
        request.extensions_mut().insert(ClientAddress(address));
        // Which requests check a password is decided by their handlers, which take the
        // `PasswordCheck` extractor: it spends this allowance, and the login throttle counts
        // per account and this client.
        request.extensions_mut().insert(client);
        if let Some(limit) = &self.password_checks {
            request
                .extensions_mut()
                .insert(PasswordChecks(limit.clone()));
        }
        // Only a login creates a session, and every login checks a password first.
        if let Some(limit) = &self.new_sessions {
            request.extensions_mut().insert(NewSessionAllowance {
                client,
                limit: limit.clone(),
            });
        }
        Ok(())
    }
}

/// Enforces the limits before anything else runs (as `GuardLayer(limits)`).
impl Guard for ClientLimits {
    type Pending = ();

    fn admit(&self, request: &mut Request) -> ControlFlow<Response> {
        match self.check(request) {
            Ok(()) => ControlFlow::Continue(()),
            Err(error) => ControlFlow::Break(error_response(request.uri().path(), error)),
        }
    }

    fn finish((): (), _: &mut Response) {}
}
