//! Structured logs with `tracing`. Levels come from `RUST_LOG` (default `info`). Nothing here
//! logs request headers, cookies or bodies: passwords, session ids and tokens never reach a log.

use crate::config::LogFormat;
use tracing_subscriber::{fmt, EnvFilter};

const DEFAULT_FILTER: &str = "info,tower_sessions=warn,tower_sessions_core=warn,sqlx=warn";

/// Installs the global subscriber; a second call (as in tests) is a no-op.
pub fn init(format: LogFormat) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let builder = fmt()
        .with_env_filter(filter)
        .with_target(true)
        .with_ansi(ansi);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}
