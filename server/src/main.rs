//! `session-lab`: reads the configuration, starts logging, builds the app and serves it until
//! SIGINT or SIGTERM.

use clap::Parser;
use session_lab::{
    config::{Options, Settings},
    startup::Application,
    telemetry,
};
use std::process::ExitCode;

// Rendering a page allocates many small strings; mimalloc serves them from per-thread free
// lists and measured faster than glibc's malloc under load (docs/performance.md). Built
// without transparent huge pages (`no_thp` in Cargo.toml), which cost 8 MB resident at idle.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let settings = match Settings::load(Options::parse()) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("session-lab: configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(settings.log_format);
    // An argon2 hash takes 19 MiB; mimalloc would keep the freed pages resident until the
    // hashing thread allocates again, so each login raised the resident set by that much for
    // a while. Collecting on that thread right after a hash returns them (docs/performance.md).
    app::accounts::password::after_each_hash(hand_back_free_memory);
    let app = match Application::build(settings.clone()).await {
        Ok(app) => app,
        Err(e) => {
            tracing::error!("cannot start: {e}");
            eprintln!("session-lab: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    // Start-up's temporary memory (migrations, the route list, parsed configuration) is
    // freed by now, and would stay resident until this thread allocates again.
    hand_back_free_memory();
    let shown = settings
        .public_url
        .as_ref()
        .map(|url| url.to_string())
        .unwrap_or_else(|| format!("http://{}", app.local_addr()));
    tracing::info!(
        addr = %app.local_addr(),
        data_dir = %settings.data_dir.display(),
        session_store = ?settings.session_store,
        profile = ?settings.profile,
        "Session Lab is listening on {shown}"
    );
    match app.run_until_stopped(shutdown_signal()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("server error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Returns the calling thread's free pages, and the process's purgeable arena memory, to the
/// system now instead of when mimalloc next gets round to it. It walks the thread's heap, so
/// it runs only after rare, large frees (a password hash, start-up), never per request.
fn hand_back_free_memory() {
    // SAFETY: mi_collect frees and decommits only memory nobody holds.
    unsafe { libmimalloc_sys::mi_collect(true) }
}

/// Completes on Ctrl-C (SIGINT) or SIGTERM.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("installing a SIGTERM handler");
    tokio::select! {
        _ = interrupt => {},
        _ = terminate.recv() => {},
    }
    tracing::info!("shutdown requested: finishing in-flight requests");
}
