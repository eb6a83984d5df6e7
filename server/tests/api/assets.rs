//! `/pkg/`, the built wasm, JS and CSS: compressed when the browser accepts it (brotli, else
//! gzip), the same bytes once decompressed. Under the unversioned path they are revalidated on
//! every use (`no-cache`, `304`); the versioned path pages link is tested in `assets`' unit
//! tests and in the browser (`end2end/tests/security.spec.ts`).

use crate::common::{app_test, spawn_app_with};
use reqwest::{header, StatusCode};
use session_lab::config::Options;
use std::io::Read;

#[app_test]
async fn pkg_files_are_compressed_for_browsers_that_accept_it_and_revalidated() {
    let site = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(site.path().join("pkg")).unwrap();
    let wasm: Vec<u8> = b"\0asm\x01\0\0\0"
        .iter()
        .copied()
        .chain((0..40_000u32).map(|i| (i * i % 251) as u8))
        .collect();
    std::fs::write(site.path().join("pkg/session-lab.wasm"), &wasm).unwrap();
    let app = spawn_app_with(Options {
        site_root: Some(site.path().to_owned()),
        ..Options::default()
    })
    .await;
    let url = format!("{}/pkg/session-lab.wasm", app.address);
    let fetch = |accept: &'static str| {
        let request = app.client.get(&url);
        let request = if accept.is_empty() {
            request
        } else {
            request.header(header::ACCEPT_ENCODING, accept)
        };
        async move { request.send().await.unwrap() }
    };

    let plain = fetch("").await;
    assert_eq!(plain.status(), StatusCode::OK);
    assert_eq!(plain.headers()[header::CONTENT_TYPE], "application/wasm");
    assert_eq!(plain.headers()[header::CACHE_CONTROL], "no-cache");
    assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
    let last_modified = plain.headers()[header::LAST_MODIFIED].clone();
    assert_eq!(plain.bytes().await.unwrap(), wasm);

    let br = fetch("gzip, deflate, br").await;
    assert_eq!(br.headers()[header::CONTENT_ENCODING], "br");
    assert_eq!(br.headers()[header::CACHE_CONTROL], "no-cache");
    let body = br.bytes().await.unwrap();
    assert!(
        body.len() < wasm.len() / 2,
        "{} of {} bytes",
        body.len(),
        wasm.len()
    );
    let mut decoded = Vec::new();
    brotli::Decompressor::new(&body[..], 4096)
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, wasm);

    let gzip = fetch("gzip").await;
    assert_eq!(gzip.headers()[header::CONTENT_ENCODING], "gzip");
    let body = gzip.bytes().await.unwrap();
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(&body[..])
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, wasm);

    // Unchanged since the browser's copy: 304, no body.
    let revalidated = app
        .client
        .get(&url)
        .header(header::IF_MODIFIED_SINCE, last_modified)
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);

    let missing = app.get("/pkg/nope.wasm").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
