//! The page frame and the error views that set the HTTP status during server rendering.

use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

/// Header with the site navigation, then the page itself.
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    view! {
        <header class="site-header">
            <a class="brand" href="/">"Session Lab"</a>
            <nav aria-label="Main">
                <a href="/shop">"Apple shop"</a>
                <a href="/cookie/login">"Cookie"</a>
                <a href="/signed-cookie/login">"Signed cookie"</a>
                <a href="/session/login">"Session"</a>
                <a href="/jwt/login">"JWT"</a>
                <a href="/inspector">"Viewer"</a>
                <a href="/register">"Register"</a>
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
