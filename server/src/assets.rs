//! The built site files under `/pkg/` (wasm, its JS glue, the stylesheet): compressed for the
//! browsers that accept it (brotli, else gzip: the wasm goes from 348 KB to about 120 KB), and
//! revalidated on every use. Their names carry no content hash, so a browser must ask again
//! (`no-cache`, answered `304 Not Modified` while the file is unchanged) rather than keep a copy
//! that a new build would make stale.

use axum::{
    http::{header, HeaderValue},
    Router,
};
use std::path::Path;
use tower_http::{
    compression::CompressionLayer, services::ServeDir, set_header::SetResponseHeaderLayer,
};

pub fn router<S: Clone + Send + Sync + 'static>(site_root: &Path) -> Router<S> {
    let files = ServeDir::new(site_root.join("pkg"));
    Router::new().nest_service(
        "/pkg",
        tower::ServiceBuilder::new()
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-cache"),
            ))
            .layer(CompressionLayer::new().br(true).gzip(true))
            .service(files),
    )
}
