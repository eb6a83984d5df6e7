//! Session Lab's user interface: the pages, the components and the server functions shared by
//! the server (feature `ssr`) and the browser (feature `hydrate`).
//!
//! Each concept has one module; inside it, `pages` render, `server_fns` holds server
//! functions, and the `ssr`-only parts (`service`, `handlers`, stores) never reach the wasm
//! build. The JSON API is the `api` module.

// Leptos views are nested types; the viewer's are deep enough to need more than 128 levels.
#![recursion_limit = "256"]

/// Accounts: registration, password hashing and changes, login throttling.
pub mod accounts;
/// The JSON API: tokens, echo, OpenAPI.
#[cfg(feature = "ssr")]
pub mod api;
/// The attack lab at `/attacks`: every classic attack, crafted against this server.
pub mod attacks;
/// Browser APIs for the islands (web-sys), with stand-ins for server rendering.
pub mod browser;
/// Unix seconds, from one place.
#[cfg(feature = "ssr")]
pub mod clock;
/// Layout and the small pieces every page shares.
pub mod components;
/// Reading and writing cookies; the plain and signed cookie labs.
#[cfg(feature = "ssr")]
pub mod cookies;
/// The one error type of the app layer, mapped to HTTP statuses and to the UI.
pub mod error;
/// The landing page that ties the labs together.
pub mod home;
/// The cookie and token viewer at `/inspector`: two islands and the lessons around them.
pub mod inspector;
/// JSON Web Tokens: keys, claims, verification, revocation, the JWT lab and the token API.
pub mod jwt;
/// Four ways to stay logged in behind one contract: shared routes and pages.
#[cfg(feature = "ssr")]
pub mod labs;
/// Per-client rate limits: password checks and new sessions per minute.
#[cfg(feature = "ssr")]
pub mod limits;
/// Where you're signed in: the index of every login of an account, and ending them.
pub mod logins;
/// The apple shop of the express-session tutorial: login, add an apple, check out.
pub mod shop;
/// The `/account/sessions` page: every login of your account, and "End" on each.
pub mod signed_in;

/// The typed wrapper over tower-sessions that handlers use instead of string keys.
#[cfg(feature = "ssr")]
pub mod sessions;
/// One SQL text for SQLite and PostgreSQL.
/// What the server hands to handlers and server functions: stores and services.
#[cfg(feature = "ssr")]
pub mod state;

use components::{
    island_scripts::IslandScripts,
    layout::{Layout, NotFoundPage},
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

/// The file name cargo-leptos gives the wasm, js and css bundles (`name` in Cargo.toml).
pub const OUTPUT_NAME: &str = "session-lab";

/// The HTML document around the app, rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <AutoReload options=options.clone()/>
                // No island on these pages: the smallest bundle makes them live (the shop's,
                // which a visitor needs next).
                <IslandScripts options bundle=components::site_files::Bundle::Shop/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The routes of every page. State-changing requests are POST forms handled by the server
/// (see each module's `handlers`), so every page also works with JavaScript off.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();

    view! {
        <Stylesheet id="leptos" href=components::site_files::stylesheet_url()/>
        <Title formatter=|page: String| format!("{page} · Session Lab")/>
        <Router>
            <Layout>
                // The shop, the login labs and the viewer are not here: their pages depend on
                // who is logged in or what the request carries, so handlers render them from
                // it, like any axum page (`shop::handlers`, `labs::handlers`,
                // `inspector::handlers`).
                <Routes fallback=NotFoundPage>
                    <Route path=path!("/") view=home::HomePage/>
                    <Route path=path!("/register") view=accounts::pages::RegisterPage/>
                    <Route path=path!("/account/password") view=accounts::pages::PasswordPage/>
                </Routes>
            </Layout>
        </Router>
    }
}

/// Hydrates every island on the page. Called by the `frontend` crate, which also links this
/// crate's islands into the wasm bundle by calling it.
#[cfg(feature = "hydrate")]
pub fn hydrate_islands() {
    leptos::mount::hydrate_islands();
}
