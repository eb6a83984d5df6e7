//! Whole HTML documents rendered by handlers: the login labs' pages, the shop's pages, and
//! answers to form posts (a failed login, a payment receipt).
//!
//! They reuse the app's components inside the site layout. Most carry no scripts at all: the
//! browser shows them as they are, and every link and form on them is plain HTML. A page with
//! an island ([`render_with_islands`]) also loads the wasm, which hydrates just the islands.

use super::{island_scripts::IslandScripts, layout::Layout, site_files::Bundle};
use axum::{
    http::{header, HeaderValue, StatusCode},
    response::{Html, IntoResponse, Response},
};
use leptos::{config::LeptosOptions, nonce::Nonce, prelude::*, tachys::view::RenderHtml};

/// Renders `body` inside the site layout as a complete document with the given status.
pub fn render<F, V>(status: StatusCode, title: &'static str, body: F) -> Response
where
    F: FnOnce() -> V + Send + 'static,
    V: IntoView + 'static,
{
    document(status, title, None, body)
}

/// What a page with islands needs: the site's options (where the wasm is) and this response's
/// script nonce, which the Content-Security-Policy header names (`security::headers` in the
/// server puts it in the request's extensions).
pub struct Islands<'a> {
    pub options: &'a LeptosOptions,
    pub nonce: Option<Nonce>,
    /// The wasm with this page's islands.
    pub bundle: Bundle,
}

impl<'a> Islands<'a> {
    /// From a handler's `Option<Extension<Nonce>>` extractor.
    pub fn new(
        options: &'a LeptosOptions,
        nonce: Option<axum::Extension<Nonce>>,
        bundle: Bundle,
    ) -> Self {
        Self {
            options,
            nonce: nonce.map(|axum::Extension(nonce)| nonce),
            bundle,
        }
    }
}

/// Like [`render`], for a page with islands: the head also loads the wasm that hydrates them.
pub fn render_with_islands<F, V>(
    status: StatusCode,
    title: &'static str,
    islands: Islands<'_>,
    body: F,
) -> Response
where
    F: FnOnce() -> V + Send + 'static,
    V: IntoView + 'static,
{
    document(
        status,
        title,
        Some((islands.options.clone(), islands.nonce, islands.bundle)),
        body,
    )
}

fn document<F, V>(
    status: StatusCode,
    title: &'static str,
    islands: Option<(LeptosOptions, Option<Nonce>, Bundle)>,
    body: F,
) -> Response
where
    F: FnOnce() -> V + Send + 'static,
    V: IntoView + 'static,
{
    let owner = Owner::new();
    let (scripts, content) = owner.with(|| {
        let scripts = islands
            .map(|(options, nonce, bundle)| {
                if let Some(nonce) = nonce {
                    provide_context(nonce);
                }
                view! { <IslandScripts options bundle/> }.to_html()
            })
            .unwrap_or_default();
        (scripts, view! { <Layout>{body()}</Layout> }.to_html())
    });
    let document = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"/>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\
         <title>{title} · Session Lab</title>\
         <link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\"/>\
         <link rel=\"stylesheet\" href=\"{stylesheet}\"/>{scripts}</head>\
         <body>{content}</body></html>",
        stylesheet = super::site_files::stylesheet_url(),
    );
    (status, Html(document)).into_response()
}

/// Renders an [`crate::error::AppError`] page; `429`s also say when to come back.
pub fn error_page(error: crate::error::AppError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let retry = error.retry_after_secs();
    let mut response = render(status, error.heading(), move || {
        view! { <super::layout::ErrorView error=error/> }
    });
    if let Some(secs) = retry {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// Form handlers answer errors with a full HTML page (extractor rejections included). Here,
/// beside the page, so that `error` needs nothing from the components.
impl IntoResponse for crate::error::AppError {
    fn into_response(self) -> Response {
        error_page(self)
    }
}
