//! "Run it": sends a card's crafted request from the browser to this server, shows the
//! answer and the reason the server gave, and computes what a naive server would have
//! answered ([`super::naive`]). An island of its own bundle, loaded on `/attacks` only.
//!
//! The island takes no props: it reads the request from the card the server rendered around
//! it (the `data-*` attributes of its variant), so the page and the runner cannot disagree.
//! Browsers do not let a page set `Cookie` or `Origin`: a cookie is planted the way an
//! attacker's script would (`document.cookie`, on the attacked path only, removed after the
//! run), and a cross-site post is made from another origin (the lab's "evil" page). Nothing
//! is sent anywhere but this server, and only on a click.

use super::naive::{self, Model, Naive};
use crate::{browser, inspector::check_keys::CheckKey, inspector::check_keys::Verdict};
use leptos::{html, prelude::*, task::spawn_local};

/// The request of one variant, as the page rendered it.
#[derive(Clone, Debug, Default)]
struct Request {
    method: String,
    path: String,
    authorization: Option<String>,
    cookie: Option<String>,
    expected_status: u16,
    expected_reason: String,
    model: String,
    naive_key: Option<String>,
    /// A page on another origin that makes the request (cross-site attacks).
    run: Option<String>,
}

/// What one run found.
#[derive(Clone, Debug)]
struct Outcome {
    server: Result<Served, String>,
    naive: Option<Judged>,
}

#[derive(Clone, Debug)]
struct Served {
    status: String,
    says: String,
    as_the_card_says: bool,
    retry_after: Option<String>,
}

#[derive(Clone, Debug)]
struct Judged {
    verdict: String,
    why: String,
}

/// The "Run it" button of a variant and what the run found.
// An island in the bundles that hydrate it; a plain component, left out, in the others.
#[cfg_attr(any(feature = "ssr", feature = "islands-attacks"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "islands-attacks")), component)]
pub fn RunIt() -> impl IntoView {
    let button = NodeRef::<html::Button>::new();
    // Effects run in the browser only: until the wasm is in, the button says it needs it.
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    let busy = RwSignal::new(false);
    let outcome = RwSignal::new(None::<Outcome>);
    let on_click = move |_| {
        let Some(request) = button.get().and_then(|b| read(&b)) else {
            return;
        };
        if let Some(url) = &request.run {
            browser::navigate(url);
            return;
        }
        busy.set(true);
        spawn_local(async move {
            outcome.set(Some(run(request).await));
            busy.set(false);
        });
    };
    view! {
        <div class="runner">
            <button type="button" node_ref=button data-testid="run"
                disabled=move || !ready.get() || busy.get() on:click=on_click>
                {move || match (ready.get(), busy.get()) {
                    (false, _) => "Run it (needs JavaScript)",
                    (true, false) => "Run it",
                    (true, true) => "Running…",
                }}
            </button>
            <div class="run-result" role="status" data-testid="run-result">
                {move || outcome.get().map(show)}
            </div>
        </div>
    }
}

fn show(outcome: Outcome) -> impl IntoView {
    let server = match outcome.server {
        Ok(served) => {
            let mark = if served.as_the_card_says {
                " (as the card says)"
            } else {
                " (not what the card says: see the expected answer above)"
            };
            view! {
                <p data-testid="server-answer" data-expected=served.as_the_card_says.to_string()>
                    <strong>"This server answered: "</strong>{served.status}" "
                    <q data-testid="server-reason">{served.says}</q>{mark}
                    {served.retry_after.map(|s| format!(" Retry-After: {s} s."))}
                </p>
            }
            .into_any()
        }
        Err(why) => view! { <p class="form-error" role="alert">{why}</p> }.into_any(),
    };
    let naive = outcome.naive.map(|judged| {
        view! {
            <p data-testid="naive-answer">
                <strong>"A naive server, computed in this page: "</strong>{judged.verdict}
                " — "{judged.why}"."
            </p>
        }
    });
    view! { {server}{naive} }
}

/// The variant around the button, from the attributes the server rendered.
fn read(button: &leptos::web_sys::HtmlButtonElement) -> Option<Request> {
    let variant = button.closest("[data-testid=variant]").ok()??;
    let card = variant.closest("[data-naive]").ok()??;
    let get = |name: &str| variant.get_attribute(name);
    Some(Request {
        method: get("data-method")?,
        path: get("data-path")?,
        authorization: get("data-authorization"),
        cookie: get("data-cookie"),
        expected_status: get("data-status")?.parse().ok()?,
        expected_reason: get("data-reason").unwrap_or_default(),
        model: card.get_attribute("data-naive").unwrap_or_default(),
        naive_key: get("data-naive-key"),
        run: get("data-run"),
    })
}

async fn run(request: Request) -> Outcome {
    let server = send(&request).await;
    let model = Model::from_code(&request.model);
    let judged = naive::judge(
        model,
        request.authorization.as_deref(),
        request.cookie.as_deref(),
        request.naive_key.as_deref(),
    );
    let naive = match model {
        Model::Explained => None,
        _ => Some(settle(judged, request.authorization.as_deref().unwrap_or_default()).await),
    };
    Outcome { server, naive }
}

/// Sends the request as the page shows it: cookies planted on its path for the one request.
async fn send(request: &Request) -> Result<Served, String> {
    let planted = request
        .cookie
        .as_deref()
        .map(|cookie| plant(cookie, &request.path))
        .unwrap_or_default();
    // The plain lab answers an edited cookie by setting it at `/`, over the visitor's own:
    // what page scripts saw there before is put back after the run.
    let before: Vec<(String, Option<String>)> = planted
        .iter()
        .map(|(name, _)| (name.clone(), visible(name)))
        .collect();
    let mut headers = Vec::new();
    if let Some(authorization) = &request.authorization {
        headers.push(("Authorization", authorization.as_str()));
    }
    let answer = browser::fetch(&request.method, &request.path, &headers, None).await;
    for (name, path) in planted {
        browser::write_cookie_at(&name, "", &path, Some(0));
    }
    for (name, value) in before {
        if visible(&name) != value {
            match value {
                Some(value) => browser::write_cookie(&name, &value, None),
                None => browser::write_cookie(&name, "", Some(0)),
            }
        }
    }
    let answer = answer?;
    let (notice, says) = match json_message(&answer.body) {
        Some(message) => (None, message),
        None => browser::page_says(&answer.body),
    };
    let (status, as_the_card_says) = match &answer.redirected_to {
        Some(to) => (
            format!("a redirect to {to}, which says"),
            // The notice cookie's value is `<lab>:<code>`; the login page names the code.
            request.expected_status / 100 == 3
                && notice
                    .is_some_and(|code| request.expected_reason.rsplit(':').next() == Some(&code)),
        ),
        None => (
            answer.status.to_string(),
            answer.status == request.expected_status && says.contains(&request.expected_reason),
        ),
    };
    Ok(Served {
        status,
        says,
        as_the_card_says,
        retry_after: answer.retry_after,
    })
}

/// The API's error body names the reason in `message`.
fn json_message(body: &str) -> Option<String> {
    let json = browser::parse_json(body).ok()?;
    json.get("message")?.as_str().map(str::to_owned)
}

/// Plants each cookie of a `Cookie` header on the attacked `path`, so the cookies of the same
/// name at `/` stay as they are. A name given twice goes on the path's directory twice,
/// spelled `/dir` and `/dir/` (two cookies to the browser), so its login page gets both too.
/// Returns what to remove afterwards.
fn plant(cookie: &str, path: &str) -> Vec<(String, String)> {
    let dir = path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let pairs: Vec<(&str, &str)> = cookie
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .collect();
    let mut planted: Vec<(String, String)> = Vec::new();
    for (name, value) in &pairs {
        let given = pairs.iter().filter(|(n, _)| n == name).count();
        let at = match (given, planted.iter().any(|(n, _)| n == name)) {
            (1, _) => path.to_owned(),
            (_, false) => dir.to_owned(),
            (_, true) => format!("{dir}/"),
        };
        browser::write_cookie_at(name, value, &at, None);
        planted.push(((*name).to_owned(), at));
    }
    planted
}

/// The value of the cookie `name` that page scripts see here (at `/`).
fn visible(name: &str) -> Option<String> {
    browser::script_cookies().split(';').find_map(|pair| {
        let (n, value) = pair.trim().split_once('=')?;
        (n == name).then(|| value.to_owned())
    })
}

/// Finishes the naive server's answer: checks the HMAC it would check, or cracks its secret.
async fn settle(judged: Naive, authorization: &str) -> Judged {
    let Ok(token) = crate::inspector::token::decode(authorization) else {
        return finished(judged);
    };
    let input = token.signing_input();
    let signature = token.signature.clone().unwrap_or_default();
    match judged {
        Naive::ChecksHmac { key, from, body } => {
            let verdict = crate::inspector::crypto::verify(
                "HS256",
                CheckKey::Secret(key),
                &input,
                &signature,
            )
            .await;
            match verdict {
                Verdict::Valid => Judged {
                    verdict: format!("200, {body}"),
                    why: format!("the HMAC checks out under the key it took from {from}"),
                },
                other => Judged {
                    verdict: "401".into(),
                    why: format!(
                        "the HMAC under the key from {from} does not check out ({other:?})"
                    ),
                },
            }
        }
        Naive::Cracks { body } => {
            let started = browser::millis();
            for (tried, word) in naive::WORDS.iter().enumerate() {
                let secret = CheckKey::Secret(word.as_bytes().to_vec());
                if crate::inspector::crypto::verify("HS256", secret, &input, &signature).await
                    == Verdict::Valid
                {
                    let seconds = ((browser::millis() - started) / 1000.0).max(0.001);
                    let rate = (tried + 1) as f64 / seconds;
                    return Judged {
                        verdict: format!("200, {body}"),
                        why: format!(
                            "this page found its secret, \"{word}\", after {} guesses with WebCrypto ({rate:.0} keys/s in this tab; hashcat on one GPU does billions)",
                            tried + 1
                        ),
                    };
                }
            }
            Judged {
                verdict: "not cracked".into(),
                why: format!("none of the {} words signs this token", naive::WORDS.len()),
            }
        }
        other => finished(other),
    }
}

/// The naive answer when no cryptography is left to do.
fn finished(judged: Naive) -> Judged {
    match judged {
        Naive::Answers { status, body, why } => Judged {
            verdict: format!("{status}, {body}"),
            why,
        },
        Naive::Refuses(why) => Judged {
            verdict: "refused as well".into(),
            why,
        },
        Naive::ChecksHmac { from, .. } => Judged {
            verdict: "unknown".into(),
            why: format!("the token did not decode, so the key from {from} could not be tried"),
        },
        Naive::Cracks { .. } => Judged {
            verdict: "unknown".into(),
            why: "the token did not decode".into(),
        },
    }
}
