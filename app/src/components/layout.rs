//! The page frame and the error views that set the HTTP status during server rendering.

use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

/// The site navigation: each link, and the path prefix of the pages it stands for.
const NAVIGATION: [(&str, &str, &str); 9] = [
    ("/shop", "/shop", "Apple shop"),
    ("/cookie/login", "/cookie/", "Cookie"),
    ("/signed-cookie/login", "/signed-cookie/", "Signed cookie"),
    ("/session/login", "/session/", "Session"),
    ("/jwt/login", "/jwt/", "JWT"),
    ("/inspector", "/inspector", "Viewer"),
    ("/account/sessions", "/account/sessions", "Sessions"),
    ("/attacks", "/attacks", "Attacks"),
    ("/register", "/register", "Register"),
];

#[cfg(feature = "ssr")]
tokio::task_local! {
    /// The URI of the request being answered, for the pages axum handlers render (Leptos
    /// routes have the request in their context). Set by the server around every request;
    /// a `Uri` clone shares its bytes, so setting it allocates nothing.
    pub static CURRENT_URI: http::Uri;
}

/// The path of the page being rendered on the server; `None` in the browser.
fn current_path() -> Option<String> {
    #[cfg(feature = "ssr")]
    {
        CURRENT_URI
            .try_with(|uri| uri.path().to_owned())
            .ok()
            .or_else(|| {
                use_context::<http::request::Parts>().map(|parts| parts.uri.path().to_owned())
            })
    }
    #[cfg(not(feature = "ssr"))]
    None
}

/// Header with the site navigation (the current section marked `aria-current="page"`), then
/// the page itself.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let path = current_path().unwrap_or_default();
    view! {
        <header class="site-header">
            <a class="brand" href="/">"Session Lab"</a>
            <nav aria-label="Main">
                {NAVIGATION
                    .iter()
                    .map(|(href, prefix, text)| {
                        let current = path.starts_with(prefix).then_some("page");
                        view! { <a href=*href aria-current=current>{*text}</a> }
                    })
                    .collect_view()}
            </nav>
        </header>
        <main id="main">{children()}</main>
    }
}

/// Shows an error and, while rendering on the server, answers with its status code.
#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    set_response_status(error.status());
    let retry = error.retry_after_secs();
    #[cfg(feature = "ssr")]
    if let (Some(secs), Some(response)) = (retry, use_context::<leptos_axum::ResponseOptions>()) {
        response.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(secs));
    }
    let _ = retry;
    view! {
        <section class="error" role="alert">
            <h1>{error.heading()}</h1>
            <p>{error.to_string()}</p>
        </section>
    }
}

/// Sets the HTTP status of the page being rendered on the server; does nothing in the browser.
pub fn set_response_status(status: u16) {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(code) = http::StatusCode::from_u16(status) {
            response.set_status(code);
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = status;
}

#[component]
pub fn NotFoundPage() -> impl IntoView {
    view! {
        <Title text="Not found"/>
        <ErrorView error=AppError::NotFound/>
        <p><a href="/">"Back to the start"</a></p>
    }
}
