//! `/inspector`: the lessons as text, rendered on the server, around the two islands, and
//! what the server received, for browsers that run no script.

use super::{jar_view::CookieJar, token_lab::TokenLab};
use crate::api::echo::Echo;
use leptos::prelude::*;

/// The viewer. `received` is what the server made of this page's own request.
#[component]
pub fn InspectorPage(received: Result<Echo, String>) -> impl IntoView {
    view! {
        <h1>"Cookie and token viewer"</h1>
        <p class="lead">
            "What your browser holds for this site, what it sends, and what the server makes of "
            "it — live. Log in to a lab in another tab, come back, and reload the jar."
        </p>
        <nav class="actions" aria-label="On this page">
            <a href="#jar-title">"Cookie jar"</a>
            <a href="#session-title">"Session"</a>
            <a href="#decoder-title">"Token decoder"</a>
            <a href="#verify-title">"Signature check"</a>
            <a href="#encoder-title">"Tamper lab"</a>
            <a href="#lessons">"Lessons"</a>
        </nav>
        <CookieJar/>
        <WithoutScripts received/>
        <CookieLessons/>
        <TokenLab/>
        <TokenLessons/>
    }
}

/// Without JavaScript the islands cannot read the jar; the server says what it received in
/// this page's request instead, so the page never claims an empty jar that is not.
#[component]
fn WithoutScripts(received: Result<Echo, String>) -> impl IntoView {
    let body = match received {
        Err(why) => view! { <p class="form-error" role="alert">{why}</p> }.into_any(),
        Ok(echo) => {
            let rows = echo
                .cookies
                .iter()
                .map(|cookie| {
                    let visible = if cookie.visible_to_scripts {
                        "visible to page scripts"
                    } else {
                        "HttpOnly: hidden from page scripts"
                    };
                    view! {
                        <tr>
                            <th scope="row"><code>{cookie.name.clone()}</code></th>
                            <td data-label="Size">{format!("{} B", cookie.size)}</td>
                            <td data-label="Scripts">{visible}</td>
                            <td data-label="What it means"><small>{cookie.meaning.clone()}</small></td>
                        </tr>
                    }
                })
                .collect_view();
            let session = echo
                .session
                .as_ref()
                .map_or_else(|| "(no session record)".to_owned(), pretty);
            let verdict =
                |value: Option<String>| value.unwrap_or_else(|| "(no such cookie)".into());
            view! {
                <p data-testid="received-count">{match echo.cookies.len() {
                    0 => "Your browser sent no cookie with this page's request.".to_owned(),
                    1 => "Your browser sent 1 cookie with this page's request:".to_owned(),
                    n => format!("Your browser sent {n} cookies with this page's request:"),
                }}</p>
                <table class="cards-on-phone" data-testid="received-cookies">
                    <thead><tr><th>"Name"</th><th>"Size"</th><th>"Scripts"</th><th>"What it means"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
                <h3>"Your session on the server"</h3>
                <pre class="json" data-testid="received-session">{session}</pre>
                <h3>"What the server makes of your lab cookies"</h3>
                <pre class="json">{format!(
                    "plain cookie: {}\nsigned cookie: {}\ntoken: {}",
                    verdict(echo.plain_cookie.as_ref().map(pretty)),
                    verdict(echo.signed_cookie.as_ref().map(pretty)),
                    verdict(echo.token.as_ref().map(pretty)),
                )}</pre>
            }
            .into_any()
        }
    };
    view! {
        <noscript>
            <section class="panel" aria-labelledby="received-title">
                <h2 id="received-title">"What the server received"</h2>
                <p class="hint">"JavaScript is off: editing cookies, the live jar and the token "
                    "tools need it. Here is what the server saw in this page's own request."</p>
                {body}
            </section>
        </noscript>
    }
}

/// Any part of an [`Echo`], as indented JSON.
fn pretty<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

/// Cookies, sessions and what the jar shows, in plain words.
#[component]
fn CookieLessons() -> impl IntoView {
    view! {
        // Collapsible, open at first: once read, a lesson folds away and the tools stay in view.
        <details class="lesson" id="lessons" open>
            <summary><h2 id="cookie-lessons">"Reading the jar"</h2></summary>
            <dl>
                <dt><code>"Set-Cookie"</code>" and "<code>"Cookie"</code></dt>
                <dd>"A server stores a cookie by answering with a "<code>"Set-Cookie"</code>" header; "
                    "from then on the browser sends it back in the "<code>"Cookie"</code>" header of every "
                    "request to the site — the line above the table. Each lab's profile page shows the "
                    <code>"Set-Cookie"</code>" its login sent."</dd>
                <dt>"Session and persistent cookies"</dt>
                <dd>"Without "<code>"Max-Age"</code>" or "<code>"Expires"</code>" a cookie is a session "
                    "cookie: it lives until the browser closes. With them it is persistent and survives a "
                    "restart of the browser until its time runs out."</dd>
                <dt>"4 KB per cookie"</dt>
                <dd>"Browsers keep name plus value up to 4096 bytes; bigger ones are silently dropped. "
                    "Try adding one above. That is one reason to keep data on the server and only an id in "
                    "the cookie."</dd>
                <dt><code>"HttpOnly"</code></dt>
                <dd>"The browser sends the cookie but page scripts cannot read or overwrite it, so a "
                    "script injected into the page cannot steal your session. The jar marks these "
                    "cookies \"hidden from page scripts\"."</dd>
                <dt><code>"Secure"</code></dt>
                <dd>"Sent over https only. Session Lab adds it, with the "<code>"__Host-"</code>" name "
                    "prefix, when it is served over https."</dd>
                <dt><code>"SameSite=Lax"</code></dt>
                <dd>"Sent when you follow a link from another site, never with another site's POST: a "
                    "forged form on evil.example cannot act as you."</dd>
                <dt>"Session id in the cookie, data on the server"</dt>
                <dd>"The "<code>"sid"</code>" cookie is a random id; your name, count and cart are in the "
                    "server's store (the session view). Logging out deletes the record, so a copied id is "
                    "worthless afterwards."</dd>
                <dt>"Memory or SQLite"</dt>
                <dd>"A memory store forgets every session when the server restarts; SQLite (the default), "
                    "Redis and PostgreSQL keep them. The session view says which one this server uses."</dd>
                <dt>"Two tabs, one session"</dt>
                <dd>"Tabs of one browser share its cookies, so they share one session: add an apple in "
                    "one tab and the other sees it on reload. Another browser is another session."</dd>
                <dt>"Tampering with the signed cookie"</dt>
                <dd>"It is HttpOnly, so neither this page nor any script can change it — that is the "
                    "point. Change one character of "<code>"signed_user"</code>" in your browser's "
                    "developer tools (Application → Cookies), then open "
                    <a href="/signed-cookie/profile">"its profile"</a>": the server refuses it, deletes "
                    "it, and the login page says the seal check failed."</dd>
                <dt>"Plain cookies can be forged"</dt>
                <dd>"Edit the "<code>"user"</code>" cookie in the jar, then open "
                    <a href="/cookie/profile">"the cookie lab's profile"</a>": it greets whatever name you "
                    "wrote. The signed cookie rejects the same edit; the session cookie only holds an id."</dd>
            </dl>
        </details>
    }
}

/// JWTs and logging out, in plain words.
#[component]
fn TokenLessons() -> impl IntoView {
    view! {
        <details class="lesson" open>
            <summary><h2 id="token-lessons">"Reading a token"</h2></summary>
            <dl>
                <dt>"Three parts"</dt>
                <dd><span class="jwt-header">"header"</span>"."<span class="jwt-payload">"payload"</span>"."
                    <span class="jwt-signature">"signature"</span>": two base64url-encoded JSON objects "
                    "and the signature over the first two, exactly as the decoder colours them."</dd>
                <dt>"Readable by anyone"</dt>
                <dd>"Base64url is an encoding, not encryption: anyone holding a token reads every claim, "
                    "as this page does without any key. Never put a password or a secret in a JWT."</dd>
                <dt>"Registered, public and private claims"</dt>
                <dd>"Seven names are registered by RFC 7519 ("<code>"iss sub aud exp nbf iat jti"</code>
                    "); public claims are in the IANA registry or named by a URI ("<code>"name"</code>", "
                    <code>"sid"</code>"); private claims are agreed between issuer and reader ("
                    <code>"count"</code>", "<code>"ver"</code>")."</dd>
                <dt>"HMAC secret or private key"</dt>
                <dd>"HS256 signs and checks with one shared secret: whoever can check can also forge. "
                    "RS256, ES256 and EdDSA sign with a private key and check with the public one, which "
                    "a server publishes as a JWKS ("<a href="/.well-known/jwks.json">"/.well-known/jwks.json"</a>
                    "; empty while this server uses HS256)."</dd>
                <dt>"The Bearer header"</dt>
                <dd>"APIs take a token as "<code>"Authorization: Bearer <token>"</code>"; the tamper lab "
                    "sends its forged token that way to "<code>"/api/me"</code>"."</dd>
                <dt>"Logging out"</dt>
                <dd>"Plain and signed cookies: the server deletes the cookie, but a copy stays valid "
                    "(the signed one until its sealed expiry). Session: the server deletes the record, "
                    "so every copy of the id dies. JWT: a signature stays valid until "<code>"exp"</code>
                    ", so the server keeps a denylist of logged-out token ids ("<code>"jti"</code>", "
                    <code>"sid"</code>") and checks it on every request."</dd>
                <dt>"Refresh tokens"</dt>
                <dd>"The API hands out a short access token and a refresh token that works once: each "
                    "refresh retires it and returns a new pair. Presenting a retired one again ends the "
                    "whole login. "<a href="/account/sessions">"Where you're signed in"</a>" lists each "
                    "API login's refresh tokens: which are used, which is live, and what a replay did."</dd>
            </dl>
        </details>
    }
}
