//! Where pages link the built site files (the wasm, its JS glue, the stylesheet) from.
//!
//! The server serves them under `/pkg/<version>/`, the version being a hash of their contents
//! (`server/src/assets.rs`), so browsers may keep them for good: a new build has a new URL. The
//! version is fixed when the server starts and every page of the process links the same one,
//! error pages rendered far from any state included, so it is kept here, set once.

use std::sync::OnceLock;

static PKG_DIR: OnceLock<String> = OnceLock::new();

/// The directory, relative to the site root, that pages link: `pkg/<version>`, or `pkg` while
/// no version is known (a site not built, `cargo leptos watch`, unit tests).
pub fn pkg_dir() -> &'static str {
    PKG_DIR.get().map_or("pkg", String::as_str)
}

/// Sets the version once per process and returns the directory pages link; later calls (more
/// servers in one test process, on the same site) keep the first. `version` runs only if no
/// version is set yet, so the files are hashed once.
pub fn publish(version: impl FnOnce() -> Option<String>) -> &'static str {
    PKG_DIR.get_or_init(|| match version() {
        Some(version) => format!("pkg/{version}"),
        None => "pkg".to_string(),
    })
}

/// The stylesheet's URL, for the `<head>` of every page.
pub fn stylesheet_url() -> String {
    format!("/{}/{}.css", pkg_dir(), crate::OUTPUT_NAME)
}
