//! The attack lab's page: one card per attack, rendered on the server; the "Run it" buttons
//! are islands ([`super::runner::RunIt`]) of the attack lab's own wasm bundle.

use super::{
    catalogue::{Attack, Crafted, Variant},
    runner::RunIt,
};
use crate::components::static_page;
use axum::{http::StatusCode, response::Response};
use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use leptos::prelude::*;

/// The request's headers, in the order both renderings list them.
fn headers(request: &Crafted) -> Vec<String> {
    [
        request
            .origin
            .as_ref()
            .map(|origin| format!("Origin: {origin}")),
        request
            .cookie
            .as_ref()
            .map(|cookie| format!("Cookie: {cookie}")),
        request
            .authorization
            .as_ref()
            .map(|authorization| format!("Authorization: {authorization}")),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The request as it goes over the wire.
fn wire(request: &Crafted) -> String {
    let mut text = format!("{} {} HTTP/1.1\n", request.method, request.path);
    for header in headers(request) {
        text.push_str(&format!("{header}\n"));
    }
    if let Some(form) = request.form {
        text.push_str(&format!(
            "Content-Type: application/x-www-form-urlencoded\n\n{form}"
        ));
    }
    text
}

/// The same request as a `curl` command, for a shell where `ORIGIN` is this site's address.
fn curl(request: &Crafted) -> String {
    let quoted = |value: &str| format!("'{}'", value.replace('\'', "'\\''"));
    let mut command = format!("curl -i -X {} \"$ORIGIN{}\"", request.method, request.path);
    for header in headers(request) {
        command.push_str(&format!(" -H {}", quoted(&header)));
    }
    if let Some(form) = request.form {
        command.push_str(&format!(" --data {}", quoted(form)));
    }
    command
}

/// A token part as indented JSON, or as it is when it is not base64url JSON.
fn decoded(part: &str) -> String {
    URL_SAFE_NO_PAD
        .decode(part)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<serde_json::Value>(&bytes).ok())
        .and_then(|json| serde_json::to_string_pretty(&json).ok())
        .unwrap_or_else(|| part.to_owned())
}

#[component]
fn Token(token: String) -> impl IntoView {
    let mut parts = token.splitn(3, '.');
    let header = decoded(parts.next().unwrap_or_default());
    let payload = decoded(parts.next().unwrap_or_default());
    let signature = parts.next().unwrap_or_default().to_owned();
    let signature = if signature.is_empty() {
        "(empty)".to_owned()
    } else {
        signature
    };
    view! {
        <div class="parts">
            <div class="jwt-header-box"><h4>"Header"</h4><pre>{header}</pre></div>
            <div class="jwt-payload-box"><h4>"Payload"</h4><pre>{payload}</pre></div>
            <div class="jwt-signature-box"><h4>"Signature"</h4><pre class="wrap">{signature}</pre></div>
        </div>
    }
}

#[component]
fn VariantView(variant: Variant) -> impl IntoView {
    let Variant {
        label,
        request,
        answer,
        naive_key,
        run,
    } = variant;
    let wire_text = wire(&request);
    let curl_text = curl(&request);
    let reason = answer.reason.clone();
    view! {
        <div class="variant" data-testid="variant"
            data-method=request.method data-path=request.path
            data-authorization=request.authorization.clone() data-cookie=request.cookie.clone()
            data-origin=request.origin.clone() data-form=request.form
            data-status=answer.status data-reason=reason
            data-naive-key=naive_key data-run=run>
            <h3>{label}</h3>
            <pre class="wrap">{wire_text}</pre>
            {request.token.map(|token| view! { <Token token/> })}
            <p class="verdict">
                "This server answers "<strong>{answer.status}</strong>" "{answer.explained.unwrap_or_else(|| format!(": {}", answer.reason))}
            </p>
            <RunIt/>
            <details>
                <summary>"Send it yourself"</summary>
                <pre class="wrap">{curl_text}</pre>
            </details>
        </div>
    }
}

#[component]
fn Card(attack: Attack, session_cookie: &'static str) -> impl IntoView {
    let Attack {
        slug,
        title,
        goal,
        variants,
        steps,
        defence,
        reference,
        naive,
        model,
        script,
    } = attack;
    let (script, expected) = script.map_or((None, None), |(script, expected)| {
        (Some(script.code()), Some(expected))
    });
    view! {
        <section class="attack card" id=slug data-testid="attack" data-naive=model.code()
            data-script=script data-reason=expected data-cookie-name=session_cookie
            aria-labelledby=format!("{slug}-title")>
            <h2 id=format!("{slug}-title")>{title}</h2>
            <p><strong>"The attacker wants: "</strong>{goal}</p>
            {variants.into_iter().map(|variant| view! { <VariantView variant/> }).collect_view()}
            {steps.map(|steps| view! { <p class="lesson">{steps}</p> })}
            {script.map(|_| view! { <RunIt/> })}
            <p><strong>"The defence: "</strong>{defence}" "<a href=reference.1>{reference.0}</a>"."</p>
            <p><strong>"On a naive server: "</strong>{naive}</p>
        </section>
    }
}

/// The page; `session_cookie` is the session cookie's name, which the fixation run plants.
pub fn render(
    attacks: Vec<Attack>,
    session_cookie: &'static str,
    islands: static_page::Islands<'_>,
) -> Response {
    static_page::render_with_islands(StatusCode::OK, "Attack lab", islands, move || {
        view! {
            <h1>"Attack lab"</h1>
            <p>
                "Twelve classic session, cookie and token attacks, crafted against this server: the "
                "exact request, what this server answers and the check that answers it, and what a "
                "naive server would have done. The forged tokens are made on this page's load from "
                "public information only (the issuer, the audience, the published keys), never with "
                "this server's secret. The test suite sends every request shown here and holds the "
                "server to the answer written under it."
            </p>
            <p class="caution">
                "\"Run it\" sends a request from this page to this server, and only there, when you "
                "click: it shows the answer with the reason the server gave, and computes in the page "
                "what a naive server would have answered. A browser page cannot set "<code>"Cookie"</code>
                " or "<code>"Origin"</code>" itself: the cookie attacks plant their cookie on the "
                "attacked path for the one request, as an attacker's script would, then remove it; "
                "the cross-site posts come from a page on this lab's second origin. To send one "
                "yourself, set "<code>"ORIGIN"</code>" to this site's address (for example "
                <code>"ORIGIN=http://localhost:3000"</code>") and run its curl command."
            </p>
            <nav aria-label="Attacks">
                <ul class="attack-index">
                    {attacks.iter().map(|a| view! { <li><a href=format!("#{}", a.slug)>{a.title}</a></li> }).collect_view()}
                </ul>
            </nav>
            {attacks.into_iter().map(|attack| view! { <Card attack session_cookie/> }).collect_view()}
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_and_the_curl_command_carry_the_same_request() {
        let request = Crafted {
            method: "POST",
            path: "/session/logout",
            origin: Some("https://attacker.example".into()),
            cookie: Some("user=it's".into()),
            form: Some(""),
            ..Crafted::default()
        };
        assert_eq!(
            wire(&request),
            "POST /session/logout HTTP/1.1\nOrigin: https://attacker.example\nCookie: user=it's\n\
             Content-Type: application/x-www-form-urlencoded\n\n"
        );
        assert_eq!(
            curl(&request),
            "curl -i -X POST \"$ORIGIN/session/logout\" -H 'Origin: https://attacker.example' \
             -H 'Cookie: user=it'\\''s' --data ''"
        );
    }
}
