//! The login and profile pages of every lab. They are plain server-rendered documents (no
//! wasm): each visit must be counted and its cookie re-issued by the server, and nothing on
//! them needs the browser to run code.

use super::{Lab, Notice, Profile, ALL};
use crate::{
    accounts::forms::LoginForm, components::static_page, cookies::jar::Wire, error::AppError,
};
use axum::{http::StatusCode, response::Response};
use leptos::prelude::*;

#[component]
fn OtherLabs(current: &'static str) -> impl IntoView {
    view! {
        <nav class="modes" aria-label="Ways to stay logged in">
            <span>"Try it with: "</span>
            {ALL
                .iter()
                .filter(|lab| lab.slug != current)
                .map(|lab| view! { <a href=lab.login_path()>{lab.title}</a> " " })
                .collect_view()}
        </nav>
    }
}

/// The login form with the lab's lesson. An `error` renders with its status (`401`); a
/// `notice` says what happened to the last login.
pub fn login<L: Lab>(
    error: Option<AppError>,
    username: String,
    notice: Option<Notice>,
) -> Response {
    let info = &L::INFO;
    let status = error
        .as_ref()
        .and_then(|e| StatusCode::from_u16(e.status()).ok())
        .unwrap_or(StatusCode::OK);
    static_page::render(status, info.title, move || {
        let action = info.login_path();
        view! {
            <h1>{format!("Log in — {}", info.title)}</h1>
            {notice.map(|notice| if notice.is_refusal() {
                view! {
                    <p class="notice refused" role="alert" data-testid="notice" data-notice=notice.code()>
                        {notice.message(info)}
                    </p>
                }.into_any()
            } else {
                view! {
                    <p class="notice done" role="status" data-testid="notice" data-notice=notice.code()>
                        {notice.message(info)}
                    </p>
                }.into_any()
            })}
            <p class="lesson">{info.lesson}</p>
            {match error {
                Some(error) => view! {
                    <LoginForm action=action error=error.to_string() username=username/>
                }.into_any(),
                None => view! { <LoginForm action=action username=username/> }.into_any(),
            }}
            <p>"No account yet? " <a href="/register">"Register"</a> "."</p>
            <OtherLabs current=info.slug/>
        }
    })
}

/// "welcome USERNAME with the count: N", the lesson about logging out, and the logout button.
pub fn profile<L: Lab>(profile: Profile, wire: Wire) -> Response {
    let info = &L::INFO;
    static_page::render(StatusCode::OK, info.title, move || {
        view! {
            <h1>{format!("Profile — {}", info.title)}</h1>
            <p class="result" data-testid="welcome">
                {format!("welcome {} with the count: {}", profile.username, profile.count)}
            </p>
            {(info.slug == "cookie").then(|| view! {
                <p class="warning" role="note">
                    "This cookie is not protected at all: page scripts can read and change it. "
                    "Edit the "<code>"user"</code>" cookie — in the "
                    <a href="/inspector">"cookie viewer"</a>
                    " or your browser's developer tools — and this page will greet whatever name "
                    "you wrote. Never trust a plain cookie to say who someone is."
                </p>
            })}
            <section class="lesson" aria-labelledby="wire-title">
                <h2 id="wire-title">"On the wire"</h2>
                <p>{if wire.this_response {
                    "This page's response sets the cookie again (the server re-issues it at every visit):"
                } else {
                    "The cookie was set by an earlier response (your login), with this header:"
                }}</p>
                <pre data-testid="set-cookie">{wire.set_cookie}</pre>
                <p>"And for this page your browser sent back:"</p>
                <pre data-testid="cookie-header">{wire.cookie_header}</pre>
                <p>"HttpOnly values are masked here too: printed into the page, a script could read them. "
                   "See every cookie in the "<a href="/inspector">"viewer"</a>"."</p>
            </section>
            <p class="lesson">{info.logout_lesson}</p>
            <form method="post" action=info.logout_path()>
                <button type="submit" class="secondary">"Log out"</button>
            </form>
            <OtherLabs current=info.slug/>
        }
    })
}
