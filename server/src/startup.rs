//! Builds the application from [`Settings`]: opens the stores, assembles the router and its
//! layers, binds the listener (port 0 allowed, for tests), and serves until told to stop.

use crate::{
    assets,
    config::Settings,
    health, second_origin,
    secrets::{self, SecretError, Secrets},
    security::{
        guard::GuardLayer,
        headers::HeaderPolicy,
        limits::{ClientLimits, BODY_LIMIT_BYTES},
        no_store::no_store,
        origin::{refuse_cross_site, AllowedOrigins},
        session_cookie::{finish_session_cookie, SessionCookiePolicy},
    },
    store_failures::session_save_failure_is_unavailable,
    stores::{StoreError, Stores},
};
use app::{
    accounts::{self, service::Accounts, throttle::LoginThrottle, versions::VersionCache},
    api, attacks,
    components::site_files,
    cookies::jar::{CookieRules, LabCookie},
    inspector,
    jwt::{
        keys::{JwtAlgorithm, JwtKeys, KeyError, KeyMaterial},
        refresh::ApiTokens,
        service::Tokens,
    },
    labs,
    logins::service::{Idle, Logins},
    sessions::SessionPolicy,
    shell,
    shop::{self, service::Shop},
    signed_in,
    state::{AppState, Services},
    App, OUTPUT_NAME,
};
use axum::{
    body::Body,
    extract::{ConnectInfo, DefaultBodyLimit, FromRef, Request},
    http::StatusCode,
    middleware,
    response::IntoResponse,
    Extension, Router,
};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use leptos::{
    config::LeptosOptions,
    nonce::Nonce,
    prelude::{provide_context, use_context},
};
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};
use tokio::{net::TcpListener, task::JoinHandle};
use tower::{ServiceBuilder, ServiceExt};
use tower_http::{
    body::Limited,
    limit::RequestBodyLimitLayer,
    timeout::TimeoutLayer,
    trace::{DefaultOnResponse, TraceLayer},
};
use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Secrets(#[from] SecretError),
    #[error(transparent)]
    Stores(#[from] StoreError),
    #[error("JWT keys: {0}")]
    JwtKeys(#[from] KeyError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    stores: Arc<Stores>,
    cleanup: JoinHandle<()>,
    /// The attack lab's second origin, while it serves.
    second_origin: Option<JoinHandle<()>>,
    header_read_timeout: Duration,
}

/// How long a graceful shutdown waits for open connections before it closes them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(20);

/// Open connections at most; the next one waits to be accepted until one closes, so a flood
/// of idle connections cannot run the process out of file descriptors or memory.
const MAX_CONNECTIONS: usize = 4096;

impl Application {
    pub async fn build(settings: Settings) -> Result<Application, StartupError> {
        let secrets = secrets::load_or_generate(&settings)?;
        let jwt_keys = build_jwt_keys(&settings, &secrets)?;
        let stores = Arc::new(Stores::open(&settings, &secrets.deployment()).await?);
        let listener =
            TcpListener::bind(settings.addr)
                .await
                .map_err(|source| StartupError::Bind {
                    addr: settings.addr,
                    source,
                })?;
        let addr = listener.local_addr().map_err(|source| StartupError::Bind {
            addr: settings.addr,
            source,
        })?;
        if settings.public_url.is_none() && addr.ip().is_unspecified() {
            tracing::warn!("listening on all interfaces without public_url: POSTs are accepted only from loopback origins; set public_url");
        }
        // The attack lab's cross-site page, on loopback development setups only.
        let second_origin = if settings.public_url.is_none() && addr.ip().is_loopback() {
            let allowed = AllowedOrigins::new(None, addr);
            match second_origin::start(allowed).await {
                Ok(started) => Some(started),
                Err(error) => {
                    tracing::warn!(%error, "the attack lab's second origin could not start");
                    None
                }
            }
        } else {
            None
        };

        let policy = SessionPolicy {
            idle_timeout: settings.session_idle_timeout,
            absolute_timeout: settings.session_absolute_timeout,
        };
        let limits = ClientLimits {
            address_header: settings.client_address_header.clone(),
            ..ClientLimits::per_minute(
                settings.password_checks_per_minute,
                settings.new_sessions_per_minute,
            )
        };
        let listening = Listening {
            addr,
            second_origin: second_origin.as_ref().map(|(port, _)| *port),
        };
        let router = build_router(
            &settings,
            listening,
            stores.clone(),
            policy,
            &secrets,
            jwt_keys,
            limits.clone(),
        );
        let cleanup = tokio::spawn(clean_up_every_minute(
            stores.clone(),
            settings.session_absolute_timeout,
            limits,
        ));
        Ok(Application {
            listener,
            router,
            stores,
            cleanup,
            second_origin: second_origin.map(|(_, task)| task),
            header_read_timeout: settings.header_read_timeout,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Serves until `shutdown` completes, lets in-flight requests finish, then closes the
    /// stores (SQLite's write-ahead log is checkpointed into the database files).
    ///
    /// hyper directly rather than `axum::serve`, for one setting axum does not offer: a
    /// connection that has not sent a request's headers within the header-read timeout is
    /// closed, whether it trickles them, sends nothing at all, or sits idle between requests
    /// (a slow-headers client would otherwise hold it for ever). HTTP/1.1 only: browsers speak
    /// HTTP/2 only over TLS, which a proxy in front terminates, and an h2c preface would be
    /// read with no timeout at all. Bodies are bounded by the request timeout layer
    /// (`build_router`); open connections by [`MAX_CONNECTIONS`].
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let mut http = hyper::server::conn::http1::Builder::new();
        http.timer(TokioTimer::new())
            .header_read_timeout(self.header_read_timeout);
        // Tells every connection to finish its request and close (`Connection::graceful_shutdown`).
        let (stopping, stop) = tokio::sync::watch::channel(false);
        let mut tasks = tokio::task::JoinSet::new();
        let slots = Arc::new(tokio::sync::Semaphore::new(MAX_CONNECTIONS));
        tokio::pin!(shutdown);
        loop {
            // Finished connections leave the set, so it holds only open ones.
            while tasks.try_join_next().is_some() {}
            let slot = tokio::select! {
                slot = slots.clone().acquire_owned() => slot.expect("the semaphore is never closed"),
                () = &mut shutdown => break,
            };
            let (stream, peer) = tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        // Out of file descriptors and the like: wait a moment, keep serving.
                        tracing::warn!(%error, "accepting a connection failed");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let _ = stream.set_nodelay(true);
            tasks.spawn(serve_connection(
                http.clone(),
                stream,
                peer,
                self.router.clone(),
                stop.clone(),
                slot,
            ));
        }
        drop(self.listener);
        let _ = stopping.send(true);
        let all_closed = async { while tasks.join_next().await.is_some() {} };
        if tokio::time::timeout(SHUTDOWN_GRACE, all_closed)
            .await
            .is_err()
        {
            tracing::warn!("connections still open after the shutdown grace period: closing them");
            tasks.abort_all();
            while tasks.join_next().await.is_some() {}
        }
        self.cleanup.abort();
        if let Some(second_origin) = self.second_origin {
            second_origin.abort();
        }
        self.stores.close().await;
        tracing::info!("stopped; stores closed");
        Ok(())
    }
}

/// Serves one connection until it is done, then closes it with a lingering close: the write
/// side first, then what the client still sends is read and thrown away (for at most
/// [`LINGER`]). A client still sending a body the server refused (`413`, `429`, a `401`
/// before the body was read) thus reads the answer instead of a connection reset.
async fn serve_connection(
    http: hyper::server::conn::http1::Builder,
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    router: Router,
    mut stop: tokio::sync::watch::Receiver<bool>,
    _slot: tokio::sync::OwnedSemaphorePermit,
) {
    // The peer address is what the per-client limits count by. The future is boxed so the
    // connection can be polled without shutting its socket (`poll_without_shutdown`).
    let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        Box::pin(router.clone().oneshot(request.map(Body::new)))
    });
    // No upgrades: nothing here speaks WebSocket (`cargo leptos watch` reloads through a port
    // of its own).
    let mut connection = http.serve_connection(TokioIo::new(stream), service);
    let mut stopping = *stop.borrow();
    if stopping {
        std::pin::Pin::new(&mut connection).graceful_shutdown();
    }
    let served = loop {
        tokio::select! {
            served = std::future::poll_fn(|cx| connection.poll_without_shutdown(cx)) => break served,
            changed = stop.changed(), if !stopping => {
                stopping = true;
                if changed.is_ok() {
                    std::pin::Pin::new(&mut connection).graceful_shutdown();
                }
            }
        }
    };
    if let Err(error) = served {
        tracing::debug!(%error, "connection ended with an error");
        return;
    }
    let mut stream = connection.into_parts().io.into_inner();
    let _ = tokio::time::timeout(LINGER, async {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        stream.shutdown().await?;
        let mut sink = [0u8; 8192];
        while stream.read(&mut sink).await? > 0 {}
        Ok::<_, std::io::Error>(())
    })
    .await;
}

/// How long a closing connection keeps reading what its client still sends.
const LINGER: Duration = Duration::from_secs(2);

/// The JWT keys for the configured algorithm, built once.
fn build_jwt_keys(settings: &Settings, secrets: &Secrets) -> Result<Arc<JwtKeys>, StartupError> {
    let key = secrets.jwt_key.expose().to_vec();
    let material = match settings.jwt.algorithm {
        JwtAlgorithm::Hs256 => KeyMaterial::HmacSecret(key),
        _ => KeyMaterial::PrivateKeyPem(String::from_utf8(key).map_err(|_| KeyError::BadKey {
            algorithm: settings.jwt.algorithm.name(),
            reason: "the key file is not PEM text".into(),
        })?),
    };
    Ok(Arc::new(JwtKeys::new(settings.jwt.clone(), material)?))
}

/// Where the app listens: its address, and the attack lab's second origin's port if it runs.
struct Listening {
    addr: SocketAddr,
    second_origin: Option<u16>,
}

fn build_router(
    settings: &Settings,
    listening: Listening,
    stores: Arc<Stores>,
    policy: SessionPolicy,
    secrets: &Secrets,
    jwt_keys: Arc<JwtKeys>,
    limits: ClientLimits,
) -> Router {
    let Listening {
        addr,
        second_origin,
    } = listening;
    // `cargo leptos watch` rebuilds the site under a running server and reloads its pages.
    let watching = std::env::var_os("LEPTOS_WATCH").is_some();
    // Pages link the built files under a hash of their contents (see `assets`), except while
    // watching, when the files change beneath the server.
    let pkg_dir = site_files::publish(|| {
        if watching {
            return None;
        }
        assets::site(&settings.site_root).unwrap_or_else(|error| {
            tracing::warn!(%error, "cannot read the built site: its files stay unversioned");
            None
        })
    });
    let leptos_options = LeptosOptions::builder()
        .output_name(OUTPUT_NAME)
        .site_root(settings.site_root.display().to_string())
        .site_pkg_dir(pkg_dir)
        .site_addr(addr)
        .build();
    let accounts = Accounts::new(
        stores.account_store(),
        Arc::new(LoginThrottle::default()),
        VersionCache::new(settings.credentials_cache_ttl),
    );
    // On https the server's cookies get `Secure` and the `__Host-` prefix (see `cookies::jar`).
    let secure = settings.is_https();
    let cookie_rules = CookieRules {
        secure,
        // A signed cookie's sealed expiry is its login's end: never past the absolute timeout.
        signed_lifetime: settings
            .signed_cookie_lifetime
            .min(settings.session_absolute_timeout),
        token_lifetime: settings.jwt.lifetime,
    };
    let cookie_name = cookie_rules.name(LabCookie::Session);
    let idle = Idle {
        session: settings.session_idle_timeout,
        token: settings.jwt.lifetime,
    };
    let logins = Logins::new(stores.logins.clone(), stores.revocations.clone(), idle);
    let tokens = Tokens::new(jwt_keys, stores.revocations.clone(), accounts.clone());
    let api_tokens = ApiTokens::new(
        tokens.clone(),
        stores.refresh.clone(),
        logins.clone(),
        accounts.clone(),
        settings.access_token_lifetime,
    );
    let state = AppState::new(Services {
        leptos_options: leptos_options.clone(),
        tokens,
        api_tokens,
        logins: logins.clone(),
        accounts,
        carts: stores.carts.clone(),
        cookies: cookie_rules,
        cookie_key: cookie::Key::from(secrets.cookie_key.expose()),
        session_store: stores.sessions.info(),
        second_origin,
    });
    let sessions = SessionManagerLayer::new(stores.sessions.clone())
        .with_name(cookie_name)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::seconds(
            policy.idle_timeout.as_secs() as i64,
        )));
    let cookie_policy = SessionCookiePolicy {
        name: cookie_name,
        secure,
    };
    let allowed_origins = AllowedOrigins::new(settings.public_url.as_ref(), addr);
    // `cargo leptos watch` reloads pages through a websocket on its own port.
    let reload_socket = watching.then(|| {
        let port = std::env::var("LEPTOS_RELOAD_PORT").unwrap_or_else(|_| "3001".into());
        format!("ws://*:{port}")
    });
    let header_policy = HeaderPolicy::new(secure, reload_socket.as_deref());

    let routes = generate_route_list(App);
    // What every Leptos-rendered page (the 404 page too) finds in its context.
    let page_context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            provide_context(Shop::from_ref(&state));
            use_request_nonce();
        }
    };
    let routes = Router::new()
        .merge(accounts::handlers::router())
        .merge(shop::handlers::router())
        .merge(labs::router())
        .merge(inspector::handlers::router())
        .merge(signed_in::handlers::router())
        .merge(attacks::handlers::router())
        .merge(api::router())
        .merge(health::router(stores, state.clone()))
        .merge(assets::router(
            &settings.site_root,
            pkg_dir.strip_prefix("pkg/"),
        ))
        .leptos_routes_with_context(&state, routes, page_context.clone(), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(page_context, shell))
        .with_state(state);
    // The layers wrap the router once, outermost first. `Router::layer` would wrap each route
    // in each layer separately, and axum clones a route's remaining layers (one allocation
    // each) every time a request passes one: measurable with a dozen layers
    // (docs/performance.md).
    let layers = ServiceBuilder::new()
        .layer(
            TraceLayer::new_for_http()
                // Method and path only: query strings, headers and bodies stay out of logs.
                .make_span_with(|request: &Request| {
                    tracing::info_span!("request", method = %request.method(), path = request.uri().path())
                })
                .on_response(DefaultOnResponse::new().level(tracing::Level::INFO)),
        )
        .layer(GuardLayer(header_policy))
        // A request that takes longer, its body at 1 byte a second included, gets `408`.
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            settings.request_timeout,
        ))
        .layer(GuardLayer(limits))
        .map_response(IntoResponse::into_response)
        // Extractors (forms, JSON) and server functions alike read at most this much body;
        // an announced oversized body is refused by the `ClientLimits` guard first.
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        .map_request(|request: http::Request<Limited<Body>>| request.map(Body::new))
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(middleware::from_fn_with_state(allowed_origins, refuse_cross_site))
        .layer(middleware::from_fn(no_store))
        .layer(middleware::from_fn_with_state(cookie_policy, finish_session_cookie))
        .layer(middleware::from_fn(session_save_failure_is_unavailable))
        .layer(sessions)
        .layer(Extension(policy))
        .layer(Extension(logins));
    Router::new().fallback_service(layers.service(routes))
}

/// Leptos gives each page a nonce of its own; the page must use the one the
/// Content-Security-Policy header names (`security::headers`).
fn use_request_nonce() {
    let nonce = use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<Nonce>().cloned());
    if let Some(nonce) = nonce {
        provide_context(nonce);
    }
}

/// Housekeeping: expired records leave the stores, and quiet clients' counts are forgotten.
async fn clean_up_every_minute(stores: Arc<Stores>, cart_idle: Duration, limits: ClientLimits) {
    let mut tick = tokio::time::interval(Duration::from_secs(60));
    loop {
        tick.tick().await;
        stores.delete_expired(cart_idle).await;
        limits.forget_idle_clients();
    }
}
