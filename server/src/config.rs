//! Configuration: `Leptos.toml` first, then environment variables, then command-line flags.
//!
//! One struct, [`Options`], is both the clap parser (flags with `env` fallbacks, which gives
//! `--help`) and the serde shape of the file, so a key has the same name everywhere:
//! `session_store` in the file, `SESSION_LAB_SESSION_STORE` in the environment,
//! `--session-store` on the command line. figment layers the file under what clap parsed;
//! [`Settings`] is the checked result. A new option is one field here, one line in
//! `Leptos.toml` and one row in `docs/spec.md` §8 — a test holds the three together.

use app::jwt::keys::{JwtAlgorithm, JwtSettings};
use clap::{Parser, ValueEnum};
use figment::{
    providers::{Format, Serialized, Toml},
    Figment,
};
use serde::{Deserialize, Serialize};
use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    time::Duration,
};
use url::Url;

/// Session Lab: a cookie, a server-side session and a JWT, side by side.
///
/// Every option can also be set in the configuration file (same name, with underscores) or
/// in the environment variable shown. Flags win over the environment, which wins over the file.
/// Unset options are left out when serialized, so they never hide a value from the file.
#[serde_with::skip_serializing_none]
#[derive(Parser, Deserialize, Serialize, Debug, Default, Clone)]
#[command(name = "session-lab", version)]
#[serde(default, deny_unknown_fields)]
pub struct Options {
    /// Configuration file (TOML). Default: Leptos.toml in the current directory, if present.
    #[arg(long, env = "SESSION_LAB_CONFIG", value_name = "PATH")]
    #[serde(skip)]
    pub config: Option<PathBuf>,

    /// Address to listen on. Port 0 picks a free port. Default: 127.0.0.1:3000.
    #[arg(long, env = "SESSION_LAB_ADDR", value_name = "HOST:PORT")]
    pub addr: Option<SocketAddr>,

    /// The URL browsers use to reach the app. Decides Secure cookies and the `__Host-` prefix
    /// (https), and the only origin allowed to POST. Default: http://ADDR.
    #[arg(long, env = "SESSION_LAB_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,

    /// Directory for the SQLite databases and generated secrets. Default: data.
    #[arg(long, env = "SESSION_LAB_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Session store (also carts and the JWT denylist): `memory`, `sqlite` (a file in the data
    /// dir), `sqlite://PATH`, `postgres://…` or `redis://…`. Default: sqlite.
    #[arg(long, env = "SESSION_LAB_SESSION_STORE", value_name = "STORE")]
    pub session_store: Option<String>,

    /// Account database: `sqlite` (a file in the data dir), `sqlite://PATH` or `postgres://…`.
    /// Default: sqlite.
    #[arg(long, env = "SESSION_LAB_ACCOUNT_DB", value_name = "DB")]
    pub account_db: Option<String>,

    /// Seconds without a request after which a session ends. Default: 1800.
    #[arg(long, env = "SESSION_LAB_SESSION_IDLE_TIMEOUT", value_name = "SECONDS")]
    pub session_idle_timeout: Option<u64>,

    /// Seconds after login after which a session ends however active. Default: 43200.
    #[arg(
        long,
        env = "SESSION_LAB_SESSION_ABSOLUTE_TIMEOUT",
        value_name = "SECONDS"
    )]
    pub session_absolute_timeout: Option<u64>,

    /// Seconds an account's credentials version is remembered between checks. A password
    /// change here revokes earlier logins at once; other processes sharing the account
    /// database notice within this time. 0 asks the database at every request. Default: 1.
    #[arg(
        long,
        env = "SESSION_LAB_CREDENTIALS_CACHE_TTL",
        value_name = "SECONDS"
    )]
    pub credentials_cache_ttl: Option<u64>,

    /// Requests that check a password (logins, /api/token, registration, password changes)
    /// one client address may make per minute; more get `429`. 0: no limit. Default: 100.
    #[arg(long, env = "SESSION_LAB_PASSWORD_CHECKS_PER_MINUTE", value_name = "N")]
    pub password_checks_per_minute: Option<u32>,

    /// Sessions one client address may create per minute (each login to the shop or the
    /// session lab creates one); more get `429`. 0: no limit. Default: 100.
    #[arg(long, env = "SESSION_LAB_NEW_SESSIONS_PER_MINUTE", value_name = "N")]
    pub new_sessions_per_minute: Option<u32>,

    /// Behind a reverse proxy: the request header in which it passes the client's address
    /// (e.g. `x-real-ip`), for the per-client limits. The proxy must set it on every request.
    /// Default: unset (the TCP peer is the client).
    #[arg(long, env = "SESSION_LAB_CLIENT_ADDRESS_HEADER", value_name = "HEADER")]
    pub client_address_header: Option<String>,

    /// Seconds a client may take to send a request's headers; a slower connection is closed.
    /// Default: 10.
    #[arg(long, env = "SESSION_LAB_HEADER_READ_TIMEOUT", value_name = "SECONDS")]
    pub header_read_timeout: Option<u64>,

    /// Seconds a request may take, reading its body included; a slower one gets `408`.
    /// Default: 30.
    #[arg(long, env = "SESSION_LAB_REQUEST_TIMEOUT", value_name = "SECONDS")]
    pub request_timeout: Option<u64>,

    /// `development` generates missing secrets; `production` refuses to start without strong
    /// ones, and without an https `public_url`. Default: development.
    #[arg(long, env = "SESSION_LAB_PROFILE", value_name = "PROFILE")]
    pub profile: Option<Profile>,

    /// File holding the cookie key (hex, at least 64 bytes). Default: DATA_DIR/secrets/cookie.key.
    #[arg(long, env = "SESSION_LAB_COOKIE_KEY_FILE", value_name = "PATH")]
    pub cookie_key_file: Option<PathBuf>,

    /// File holding the JWT HMAC secret (hex, at least 32 bytes).
    /// Default: DATA_DIR/secrets/jwt-hs256.key.
    #[arg(long, env = "SESSION_LAB_JWT_SECRET_FILE", value_name = "PATH")]
    pub jwt_secret_file: Option<PathBuf>,

    /// JWT signing algorithm: `HS256` (a shared secret), `EdDSA` or `RS256` (a private key whose
    /// public half is published at /.well-known/jwks.json). Default: HS256.
    #[arg(long, env = "SESSION_LAB_JWT_ALGORITHM", value_name = "ALG")]
    pub jwt_algorithm: Option<String>,

    /// Seconds a JWT is valid after it is issued (each profile visit re-issues it).
    /// Default: 1800.
    #[arg(long, env = "SESSION_LAB_JWT_LIFETIME", value_name = "SECONDS")]
    pub jwt_lifetime: Option<u64>,

    /// Seconds an API access token (from /api/token or /api/token/refresh) is valid; its
    /// refresh token renews it. Default: 300.
    #[arg(
        long,
        env = "SESSION_LAB_ACCESS_TOKEN_LIFETIME",
        value_name = "SECONDS"
    )]
    pub access_token_lifetime: Option<u64>,

    /// The `iss` claim of our tokens; tokens from any other issuer are refused.
    /// Default: session-lab.
    #[arg(long, env = "SESSION_LAB_JWT_ISSUER", value_name = "ISS")]
    pub jwt_issuer: Option<String>,

    /// The `aud` claim of our tokens; tokens for any other audience are refused.
    /// Default: session-lab.
    #[arg(long, env = "SESSION_LAB_JWT_AUDIENCE", value_name = "AUD")]
    pub jwt_audience: Option<String>,

    /// PKCS#8 PEM private key for EdDSA or RS256. Default: DATA_DIR/secrets/jwt-eddsa.pem or
    /// jwt-rs256.pem (an Ed25519 key is generated there in development).
    #[arg(long, env = "SESSION_LAB_JWT_PRIVATE_KEY_FILE", value_name = "PATH")]
    pub jwt_private_key_file: Option<PathBuf>,

    /// Seconds a signed cookie is valid after login (the expiry is sealed inside it).
    /// Default: 3600.
    #[arg(
        long,
        env = "SESSION_LAB_SIGNED_COOKIE_LIFETIME",
        value_name = "SECONDS"
    )]
    pub signed_cookie_lifetime: Option<u64>,

    /// The built site (wasm, js, css) made by cargo-leptos. Default: target/site.
    #[arg(long, env = "LEPTOS_SITE_ROOT", value_name = "DIR")]
    pub site_root: Option<PathBuf>,

    /// Log format: `text` or `json`. Levels come from RUST_LOG. Default: text.
    #[arg(long, env = "SESSION_LAB_LOG_FORMAT", value_name = "FORMAT")]
    pub log_format: Option<LogFormat>,
}

#[derive(ValueEnum, Deserialize, Serialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    #[default]
    Development,
    Production,
}

#[derive(ValueEnum, Deserialize, Serialize, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// Where sessions (and carts, and the JWT denylist) live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreLocation {
    Memory,
    Sqlite(PathBuf),
    Postgres(ServerUrl),
    Redis(ServerUrl),
}

/// Where accounts live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountDb {
    Sqlite(PathBuf),
    Postgres(ServerUrl),
}

/// A database or Redis URL. It may hold a password, so it never prints one: `Debug` and
/// `Display` show `postgres://user:***@host/db`.
#[derive(Clone, PartialEq, Eq)]
pub struct ServerUrl(Url);

impl ServerUrl {
    /// The full URL, password included, for the client library only.
    pub fn expose(&self) -> &str {
        self.0.as_str()
    }
}

impl std::fmt::Display for ServerUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut shown = self.0.clone();
        if shown.password().is_some() {
            let _ = shown.set_password(Some("***"));
        }
        write!(f, "{shown}")
    }
}

impl std::fmt::Debug for ServerUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self}")
    }
}

/// The resolved configuration the application is built from.
#[derive(Debug, Clone)]
pub struct Settings {
    pub addr: SocketAddr,
    /// `None`: browsers reach the app at the listening address itself.
    pub public_url: Option<Url>,
    pub data_dir: PathBuf,
    pub session_store: StoreLocation,
    pub account_db: AccountDb,
    pub session_idle_timeout: Duration,
    pub session_absolute_timeout: Duration,
    pub credentials_cache_ttl: Duration,
    pub password_checks_per_minute: u32,
    pub new_sessions_per_minute: u32,
    pub client_address_header: Option<http::HeaderName>,
    pub header_read_timeout: Duration,
    pub request_timeout: Duration,
    pub profile: Profile,
    pub cookie_key_file: PathBuf,
    pub jwt_secret_file: PathBuf,
    pub jwt: JwtSettings,
    pub jwt_private_key_file: PathBuf,
    pub signed_cookie_lifetime: Duration,
    /// How long an API access token is valid.
    pub access_token_lifetime: Duration,
    pub site_root: PathBuf,
    pub log_format: LogFormat,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file is missing, unreadable or not valid; figment names the file and the key.
    #[error("configuration: {0}")]
    File(Box<figment::Error>),
    #[error("{key}: {message}")]
    Invalid { key: &'static str, message: String },
}

const DEFAULT_CONFIG_FILE: &str = "Leptos.toml";

impl Settings {
    /// Resolves flags and environment (`cli`) over the configuration file over defaults.
    pub fn load(cli: Options) -> Result<Settings, ConfigError> {
        let file = match &cli.config {
            Some(path) => Some(path.clone()),
            None => Some(PathBuf::from(DEFAULT_CONFIG_FILE)).filter(|path| path.exists()),
        };
        Settings::resolve(layer(file.map(Toml::file_exact), cli)?)
    }

    /// Fills in defaults and checks every value.
    pub fn resolve(options: Options) -> Result<Settings, ConfigError> {
        let data_dir = options.data_dir.unwrap_or_else(|| PathBuf::from("data"));
        let public_url = options
            .public_url
            .map(|raw| parse_public_url(&raw))
            .transpose()?;
        let session_store = parse_store(
            options.session_store.as_deref().unwrap_or("sqlite"),
            &data_dir,
        )?;
        let account_db =
            parse_account_db(options.account_db.as_deref().unwrap_or("sqlite"), &data_dir)?;
        let session_idle_timeout = options.session_idle_timeout.unwrap_or(30 * 60);
        let session_absolute_timeout = options.session_absolute_timeout.unwrap_or(12 * 60 * 60);
        if session_idle_timeout == 0 || session_absolute_timeout == 0 {
            return Err(ConfigError::Invalid {
                key: "session_idle_timeout / session_absolute_timeout",
                message: "must be at least 1 second".into(),
            });
        }
        let header_read_timeout = options.header_read_timeout.unwrap_or(10);
        let request_timeout = options.request_timeout.unwrap_or(30);
        if header_read_timeout == 0 || request_timeout == 0 {
            return Err(ConfigError::Invalid {
                key: "header_read_timeout / request_timeout",
                message: "must be at least 1 second".into(),
            });
        }
        let profile = options.profile.unwrap_or_default();
        if profile == Profile::Production
            && public_url
                .as_ref()
                .is_none_or(|url| url.scheme() != "https")
        {
            return Err(ConfigError::Invalid {
                key: "public_url",
                message: "the production profile needs an https public_url: without it, cookies \
                          are sent without Secure and the __Host- prefix"
                    .into(),
            });
        }
        let secrets_dir = data_dir.join("secrets");
        let algorithm: JwtAlgorithm = options
            .jwt_algorithm
            .as_deref()
            .unwrap_or("HS256")
            .parse()
            .map_err(|message| ConfigError::Invalid {
                key: "jwt_algorithm",
                message,
            })?;
        let jwt_lifetime = options.jwt_lifetime.unwrap_or(30 * 60);
        let signed_cookie_lifetime = options.signed_cookie_lifetime.unwrap_or(60 * 60);
        let access_token_lifetime = options.access_token_lifetime.unwrap_or(5 * 60);
        if jwt_lifetime == 0 || signed_cookie_lifetime == 0 || access_token_lifetime == 0 {
            return Err(ConfigError::Invalid {
                key: "jwt_lifetime / signed_cookie_lifetime / access_token_lifetime",
                message: "must be at least 1 second".into(),
            });
        }
        let not_blank = |key: &'static str, value: Option<String>| match value {
            Some(v) if v.trim().is_empty() => Err(ConfigError::Invalid {
                key,
                message: "must not be empty".into(),
            }),
            Some(v) => Ok(v),
            None => Ok("session-lab".to_owned()),
        };
        let jwt = JwtSettings {
            algorithm,
            issuer: not_blank("jwt_issuer", options.jwt_issuer)?,
            audience: not_blank("jwt_audience", options.jwt_audience)?,
            lifetime: Duration::from_secs(jwt_lifetime),
            login_lifetime: Duration::from_secs(session_absolute_timeout),
        };
        let default_key_file = match algorithm {
            JwtAlgorithm::Rs256 => "jwt-rs256.pem",
            _ => "jwt-eddsa.pem",
        };
        Ok(Settings {
            addr: options
                .addr
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 3000))),
            public_url,
            session_store,
            account_db,
            session_idle_timeout: Duration::from_secs(session_idle_timeout),
            session_absolute_timeout: Duration::from_secs(session_absolute_timeout),
            credentials_cache_ttl: Duration::from_secs(options.credentials_cache_ttl.unwrap_or(1)),
            password_checks_per_minute: options.password_checks_per_minute.unwrap_or(100),
            new_sessions_per_minute: options.new_sessions_per_minute.unwrap_or(100),
            client_address_header: options
                .client_address_header
                .map(|name| {
                    http::HeaderName::try_from(name.trim()).map_err(|_| ConfigError::Invalid {
                        key: "client_address_header",
                        message: format!("{name:?} is not a header name"),
                    })
                })
                .transpose()?,
            header_read_timeout: Duration::from_secs(header_read_timeout),
            request_timeout: Duration::from_secs(request_timeout),
            profile,
            cookie_key_file: options
                .cookie_key_file
                .unwrap_or_else(|| secrets_dir.join("cookie.key")),
            jwt_secret_file: options
                .jwt_secret_file
                .unwrap_or_else(|| secrets_dir.join("jwt-hs256.key")),
            jwt,
            jwt_private_key_file: options
                .jwt_private_key_file
                .unwrap_or_else(|| secrets_dir.join(default_key_file)),
            signed_cookie_lifetime: Duration::from_secs(signed_cookie_lifetime),
            access_token_lifetime: Duration::from_secs(access_token_lifetime),
            site_root: options
                .site_root
                .unwrap_or_else(|| PathBuf::from("target/site")),
            log_format: options.log_format.unwrap_or_default(),
            data_dir,
        })
    }

    /// True when browsers reach the app over https: cookies get `Secure` and `__Host-`.
    pub fn is_https(&self) -> bool {
        self.public_url
            .as_ref()
            .is_some_and(|url| url.scheme() == "https")
    }
}

/// The options set in `cli`, over those of `file`.
fn layer(file: Option<impl figment::Provider>, cli: Options) -> Result<Options, ConfigError> {
    let mut figment = Figment::new();
    if let Some(file) = file {
        figment = figment.merge(file);
    }
    figment
        .merge(Serialized::defaults(cli))
        .extract()
        .map_err(|error| ConfigError::File(Box::new(error)))
}

fn parse_public_url(raw: &str) -> Result<Url, ConfigError> {
    let invalid = |message: String| ConfigError::Invalid {
        key: "public_url",
        message,
    };
    let url = Url::parse(raw).map_err(|e| invalid(format!("{raw:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(invalid(format!(
            "{raw:?} must be an http:// or https:// URL"
        )));
    }
    Ok(url)
}

/// A `postgres://`, `postgresql://` or `redis://` URL with a host; errors never repeat the
/// raw text, which may hold a password.
fn parse_server_url(key: &'static str, raw: &str) -> Result<ServerUrl, ConfigError> {
    match Url::parse(raw) {
        Ok(url) if url.host().is_some() => Ok(ServerUrl(url)),
        _ => Err(ConfigError::Invalid {
            key,
            message: "is not a valid server URL (scheme://user:password@host:port/name)".into(),
        }),
    }
}

fn parse_store(raw: &str, data_dir: &Path) -> Result<StoreLocation, ConfigError> {
    let scheme = raw.split("://").next().unwrap_or_default();
    match (raw, scheme) {
        ("memory", _) => Ok(StoreLocation::Memory),
        ("sqlite", _) => Ok(StoreLocation::Sqlite(data_dir.join("sessions.db"))),
        (_, "postgres" | "postgresql") => {
            parse_server_url("session_store", raw).map(StoreLocation::Postgres)
        }
        (_, "redis" | "rediss") => parse_server_url("session_store", raw).map(StoreLocation::Redis),
        _ => match raw.strip_prefix("sqlite://") {
            Some(path) if !path.is_empty() => Ok(StoreLocation::Sqlite(PathBuf::from(path))),
            _ => Err(ConfigError::Invalid {
                key: "session_store",
                message: "is not a supported store: use memory, sqlite, sqlite://PATH, \
                          postgres://… or redis://…"
                    .into(),
            }),
        },
    }
}

fn parse_account_db(raw: &str, data_dir: &Path) -> Result<AccountDb, ConfigError> {
    let scheme = raw.split("://").next().unwrap_or_default();
    match (raw, scheme) {
        ("sqlite", _) => Ok(AccountDb::Sqlite(data_dir.join("accounts.db"))),
        (_, "postgres" | "postgresql") => {
            parse_server_url("account_db", raw).map(AccountDb::Postgres)
        }
        _ => match raw.strip_prefix("sqlite://") {
            Some(path) if !path.is_empty() => Ok(AccountDb::Sqlite(PathBuf::from(path))),
            _ => Err(ConfigError::Invalid {
                key: "account_db",
                message: "is not supported: use sqlite, sqlite://PATH or postgres://…".into(),
            }),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> Option<figment::providers::Data<Toml>> {
        Some(Toml::string(text))
    }

    #[test]
    fn flags_and_environment_win_over_the_file() {
        let cli = Options {
            data_dir: Some("from-cli".into()),
            ..Options::default()
        };
        let file = file("addr = \"127.0.0.1:4000\"\ndata_dir = \"from-file\"");
        let settings = Settings::resolve(layer(file, cli).unwrap()).unwrap();
        assert_eq!(settings.addr, "127.0.0.1:4000".parse().unwrap());
        assert_eq!(settings.data_dir, PathBuf::from("from-cli"));
        assert_eq!(
            settings.session_store,
            StoreLocation::Sqlite(PathBuf::from("from-cli/sessions.db"))
        );
    }

    #[test]
    fn unknown_keys_in_the_file_are_errors() {
        let error = layer(file("adress = \"127.0.0.1:1\""), Options::default()).unwrap_err();
        assert!(error.to_string().contains("adress"), "{error}");
        let error = layer(file("jwt_lifetime = \"soon\""), Options::default()).unwrap_err();
        assert!(error.to_string().contains("jwt_lifetime"), "{error}");
    }

    #[test]
    fn the_shipped_leptos_toml_parses() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Leptos.toml");
        Settings::resolve(layer(Some(Toml::file_exact(path)), Options::default()).unwrap())
            .unwrap();
    }

    #[test]
    fn stores_are_checked() {
        let dir = Path::new("d");
        assert_eq!(parse_store("memory", dir).unwrap(), StoreLocation::Memory);
        assert_eq!(
            parse_store("sqlite:///tmp/s.db", dir).unwrap(),
            StoreLocation::Sqlite("/tmp/s.db".into())
        );
        assert!(parse_store("mongodb://x", dir).is_err());
        assert!(parse_store("sqlite://", dir).is_err());
        let redis = parse_store("redis://:hunter2@127.0.0.1:6379/0", dir).unwrap();
        assert!(matches!(redis, StoreLocation::Redis(_)));
        assert!(!format!("{redis:?}").contains("hunter2"), "{redis:?}");
        let pg = parse_account_db("postgres://lab:hunter2@localhost/lab", dir).unwrap();
        assert!(!format!("{pg:?}").contains("hunter2"), "{pg:?}");
        assert!(matches!(pg, AccountDb::Postgres(_)));
        let error = parse_store("postgres://lab:hunter2@/", dir).unwrap_err();
        assert!(!error.to_string().contains("hunter2"), "{error}");
    }

    #[test]
    fn jwt_settings_are_checked() {
        let settings = Settings::resolve(Options::default()).unwrap();
        assert_eq!(settings.jwt.algorithm, JwtAlgorithm::Hs256);
        assert_eq!(settings.jwt.lifetime, Duration::from_secs(1800));
        let eddsa = Options {
            jwt_algorithm: Some("eddsa".into()),
            ..Options::default()
        };
        let settings = Settings::resolve(eddsa).unwrap();
        assert_eq!(settings.jwt.algorithm, JwtAlgorithm::EdDsa);
        assert!(settings
            .jwt_private_key_file
            .ends_with("secrets/jwt-eddsa.pem"));
        for bad in [
            Options {
                jwt_algorithm: Some("none".into()),
                ..Options::default()
            },
            Options {
                jwt_algorithm: Some("HS512".into()),
                ..Options::default()
            },
            Options {
                jwt_lifetime: Some(0),
                ..Options::default()
            },
            Options {
                jwt_issuer: Some(" ".into()),
                ..Options::default()
            },
        ] {
            assert!(Settings::resolve(bad).is_err());
        }
    }

    #[test]
    fn production_needs_an_https_public_url() {
        let production = |public_url: Option<&str>| Options {
            profile: Some(Profile::Production),
            public_url: public_url.map(str::to_owned),
            ..Options::default()
        };
        for refused in [None, Some("http://lab.example.com")] {
            let error = Settings::resolve(production(refused)).unwrap_err();
            assert!(error.to_string().contains("https public_url"), "{error}");
        }
        assert!(Settings::resolve(production(Some("https://lab.example.com"))).is_ok());
    }

    #[test]
    fn timeouts_have_defaults_and_must_be_positive() {
        let settings = Settings::resolve(Options::default()).unwrap();
        assert_eq!(settings.header_read_timeout, Duration::from_secs(10));
        assert_eq!(settings.request_timeout, Duration::from_secs(30));
        let zero = Options {
            request_timeout: Some(0),
            ..Options::default()
        };
        assert!(Settings::resolve(zero).is_err());
    }

    #[test]
    fn https_public_urls_mean_secure_cookies() {
        let mut settings = Settings::resolve(Options::default()).unwrap();
        assert!(!settings.is_https());
        settings.public_url = Some(parse_public_url("https://lab.example.com").unwrap());
        assert!(settings.is_https());
        assert!(parse_public_url("ftp://x").is_err());
    }

    /// `--help`, `Leptos.toml` and `docs/spec.md` §8 name the same options, each with its
    /// default, and every example in the file (commented ones too) is valid.
    #[test]
    fn help_file_and_docs_agree() {
        use clap::CommandFactory;
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let shipped = std::fs::read_to_string(root.join("Leptos.toml")).unwrap();
        let spec = std::fs::read_to_string(root.join("docs/spec.md")).unwrap();
        let table = spec.split("\n## 8.").nth(1).unwrap();
        let table = table.split("\n## 9.").next().unwrap();
        let uncommented: String = shipped
            .lines()
            .map(|line| {
                line.strip_prefix("# ")
                    .filter(|l| l.contains(" = "))
                    .unwrap_or(line)
            })
            .collect::<Vec<_>>()
            .join("\n");
        let in_file: Vec<&str> = uncommented
            .lines()
            .filter_map(|line| line.split_once(" = ").map(|(key, _)| key))
            .collect();
        let in_table: Vec<&str> = table
            .lines()
            .filter_map(|row| row.strip_prefix("| `"))
            .flat_map(|row| row.split(" |").next().unwrap().split('`').step_by(2))
            .map(|key| key.trim_matches(|c: char| c == '/' || c == ' '))
            .filter(|key| !key.is_empty())
            .collect();
        let mut options = Vec::new();
        for arg in Options::command().get_arguments() {
            let Some(flag) = arg.get_long().filter(|flag| *flag != "config") else {
                continue;
            };
            let key = flag.replace('-', "_");
            let env = arg.get_env().unwrap().to_str().unwrap();
            let expected = match key.as_str() {
                "site_root" => "LEPTOS_SITE_ROOT".to_owned(),
                _ => format!("SESSION_LAB_{}", key.to_uppercase()),
            };
            assert_eq!(env, expected, "--{flag}");
            let help = arg.get_long_help().or(arg.get_help()).unwrap().to_string();
            assert!(
                help.contains("Default"),
                "--{flag}'s help names no default: {help}"
            );
            assert!(in_file.contains(&key.as_str()), "Leptos.toml lacks {key}");
            assert!(
                in_table.contains(&key.as_str()),
                "docs/spec.md §8 lacks {key}"
            );
            options.push(key);
        }
        for key in in_file.iter().chain(&in_table) {
            assert!(options.iter().any(|o| o == key), "{key} is not an option");
        }
        let every_example = layer(Some(Toml::string(&uncommented)), Options::default());
        assert!(every_example.is_ok(), "{every_example:?}");
    }
}
