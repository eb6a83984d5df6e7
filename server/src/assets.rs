//! The built site files under `/pkg/` (the wasm, its JS glue, the stylesheet), served two ways:
//!
//! - **`/pkg/<version>/…`**, which every page links. The version is a hash of the files'
//!   contents, taken once at start ([`version`]), so a browser may keep them for a year
//!   without asking again (`immutable`): a new build brings a new version, hence new URLs.
//!   Instances built from the same source hash alike, so behind a load balancer any of them
//!   serves the URLs the others' pages link.
//! - **`/pkg/…`** unversioned, revalidated on every use (`no-cache`, then `304 Not Modified`).
//!   `cargo leptos watch` replaces the files under a running server, so it gets only these.
//!
//! `cargo leptos build --release --precompress` leaves a brotli (best quality) and a gzip copy
//! beside each file, sent as they are to browsers that accept them; without them, each
//! response is compressed as it goes out (brotli, else gzip: the wasm goes from ~350 KB to
//! ~120 KB either way).

use app::components::site_files::{Bundle, Site};
use axum::{
    http::{header, HeaderValue, Response},
    routing::get,
    Router,
};
use sha2::{Digest, Sha256};
use std::{fs, io, path::Path};
use tower_http::{
    compression::CompressionLayer, services::ServeDir, set_header::SetResponseHeaderLayer,
};

/// A year: browsers and proxies keep a versioned file for good.
const FOREVER: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// The site's icon, built into the binary (`style/favicon.svg`): browsers ask for one on every
/// page, and a 404 in every console teaches the wrong habit.
const FAVICON: &str = include_str!("../../style/favicon.svg");

/// Serves `site_root/pkg` under `/pkg`, and under `/pkg/<version>` when there is a version;
/// the icon at `/favicon.svg` and `/favicon.ico`.
pub fn router<S: Clone + Send + Sync + 'static>(
    site_root: &Path,
    version: Option<&str>,
) -> Router<S> {
    let dir = site_root.join("pkg");
    // Not cacheable: every response outside `/pkg/` is `no-store` (docs/spec.md §7).
    let icon = || async { ([(header::CONTENT_TYPE, "image/svg+xml")], FAVICON) };
    let router = Router::new()
        .route("/favicon.svg", get(icon))
        .route("/favicon.ico", get(icon));
    let router = serve(router, "/pkg", &dir, REVALIDATE);
    match version {
        Some(version) => serve(router, &format!("/pkg/{version}"), &dir, FOREVER),
        None => router,
    }
}

/// Adds `dir`'s files under `path`, with `cache_control` on every file found.
fn serve<S: Clone + Send + Sync + 'static>(
    router: Router<S>,
    path: &str,
    dir: &Path,
    cache_control: &'static str,
) -> Router<S> {
    // Only a file found may be kept: a 404 under a version could become a file in no build.
    let caching = move |response: &Response<_>| {
        response
            .status()
            .is_success()
            .then(|| HeaderValue::from_static(cache_control))
    };
    router.nest_service(
        path,
        tower::ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                caching,
            ))
            .layer(SetResponseHeaderLayer::if_not_present(
                header::VARY,
                HeaderValue::from_static("accept-encoding"),
            ))
            .layer(CompressionLayer::new().br(true).gzip(true))
            .service(ServeDir::new(dir).precompressed_br().precompressed_gzip()),
    )
}

/// The built site: its version and the page bundles it has (`scripts/bundles.sh`); `None`
/// when there is no built site.
pub fn site(site_root: &Path) -> io::Result<Option<Site>> {
    let pkg = site_root.join("pkg");
    let bundles = Bundle::ALL
        .into_iter()
        .filter(|bundle| {
            ["wasm", "js"]
                .iter()
                .all(|ext| pkg.join(format!("{}.{ext}", bundle.name())).is_file())
        })
        .collect();
    Ok(version(site_root)?.map(|version| Site { version, bundles }))
}

/// The hash of every file in `site_root/pkg` (names and contents; the precompressed copies
/// follow from the others), as 16 hex digits; `None` when there is no built site.
pub fn version(site_root: &Path) -> io::Result<Option<String>> {
    let dir = site_root.join("pkg");
    let mut files = match fs::read_dir(&dir) {
        Ok(entries) => entries
            .map(|entry| entry.map(|e| e.path()))
            .collect::<io::Result<Vec<_>>>()?,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(error),
    };
    files.retain(|path| {
        path.is_file() && !matches!(path.extension().and_then(|e| e.to_str()), Some("br" | "gz"))
    });
    if files.is_empty() {
        return Ok(None);
    }
    files.sort();
    let mut hash = Sha256::new();
    for path in files {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let contents = fs::read(&path)?;
        hash.update((name.len() as u64).to_le_bytes());
        hash.update(name.as_bytes());
        hash.update((contents.len() as u64).to_le_bytes());
        hash.update(&contents);
    }
    Ok(Some(hex::encode(&hash.finalize()[..8])))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::{
        body::Body,
        extract::Request,
        http::{HeaderMap, StatusCode},
    };
    use tower::ServiceExt;

    fn site_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let site = tempfile::tempdir().unwrap();
        fs::create_dir(site.path().join("pkg")).unwrap();
        for (name, contents) in files {
            fs::write(site.path().join("pkg").join(name), contents).unwrap();
        }
        site
    }

    #[test]
    fn the_version_follows_the_contents_and_ignores_precompressed_copies() {
        let built = site_with(&[("a.js", "one"), ("a.wasm", "two")]);
        let same = site_with(&[("a.js", "one"), ("a.wasm", "two"), ("a.wasm.br", "x")]);
        let changed = site_with(&[("a.js", "one"), ("a.wasm", "three")]);
        let renamed = site_with(&[("b.js", "one"), ("a.wasm", "two")]);
        let version = version(built.path()).unwrap().unwrap();
        assert_eq!(version.len(), 16);
        assert_eq!(Some(version.clone()), super::version(same.path()).unwrap());
        assert_ne!(
            Some(version.clone()),
            super::version(changed.path()).unwrap()
        );
        assert_ne!(Some(version), super::version(renamed.path()).unwrap());
    }

    async fn get(
        router: &Router,
        path: &str,
        accept_encoding: &str,
    ) -> (StatusCode, HeaderMap, Vec<u8>) {
        let request = Request::get(path)
            .header(header::ACCEPT_ENCODING, accept_encoding)
            .body(Body::empty())
            .unwrap();
        let response = router.clone().oneshot(request).await.unwrap();
        let (parts, body) = response.into_parts();
        let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
        (parts.status, parts.headers, body.to_vec())
    }

    #[tokio::test]
    async fn versioned_files_are_kept_for_good_unversioned_ones_revalidated() {
        let site = site_with(&[("a.css", "body {}")]);
        let router = router(site.path(), Some("0123abcd"));
        let (status, headers, body) = get(&router, "/pkg/0123abcd/a.css", "").await;
        assert_eq!((status, body.as_slice()), (StatusCode::OK, &b"body {}"[..]));
        assert_eq!(headers[header::CACHE_CONTROL], FOREVER);
        let (status, headers, _) = get(&router, "/pkg/a.css", "").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CACHE_CONTROL], REVALIDATE);
        // Neither a missing file nor another build's version may be kept.
        for missing in ["/pkg/0123abcd/b.css", "/pkg/ffff0000/a.css", "/pkg/b.css"] {
            let (status, headers, _) = get(&router, missing, "").await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
            assert!(headers.get(header::CACHE_CONTROL).is_none(), "{missing}");
        }
    }

    #[tokio::test]
    async fn precompressed_copies_are_sent_as_they_are() {
        let site = site_with(&[
            ("a.wasm", "the plain file"),
            ("a.wasm.br", "its brotli copy"),
            ("a.wasm.gz", "its gzip copy"),
        ]);
        let router = router(site.path(), Some("v1"));
        let (_, headers, body) = get(&router, "/pkg/v1/a.wasm", "gzip, br").await;
        assert_eq!(headers[header::CONTENT_ENCODING], "br");
        assert_eq!(headers[header::VARY], "accept-encoding");
        assert_eq!(body, b"its brotli copy");
        let (_, headers, body) = get(&router, "/pkg/v1/a.wasm", "gzip").await;
        assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
        assert_eq!(body, b"its gzip copy");
        let (_, headers, body) = get(&router, "/pkg/v1/a.wasm", "identity").await;
        assert!(headers.get(header::CONTENT_ENCODING).is_none());
        assert_eq!(body, b"the plain file");
    }

    #[test]
    fn no_built_site_has_no_version() {
        let empty = tempfile::tempdir().unwrap();
        assert_eq!(version(empty.path()).unwrap(), None);
        assert_eq!(version(site_with(&[]).path()).unwrap(), None);
    }
}
