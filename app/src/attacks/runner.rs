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

use super::naive::{self, Model, Naive, Signed};
use crate::{
    browser,
    inspector::{
        check_keys::{CheckKey, Verdict},
        crypto, jar_model,
    },
};
use leptos::{html, prelude::*, task::spawn_local};

/// The request of one variant, as the page rendered it.
#[derive(Clone, Debug)]
struct Request {
    method: String,
    path: String,
    authorization: Option<String>,
    cookie: Option<String>,
    /// The `Origin` it claims: a page can send that only from the origin itself.
    origin: Option<String>,
    expected_status: u16,
    expected_reason: String,
    model: Model,
    naive_key: Option<String>,
    /// A page on another origin that makes the request (cross-site attacks).
    run: Option<String>,
}

/// What one run found.
#[derive(Clone, Debug)]
struct Outcome {
    /// The requests before the decisive one, one line each (scripted attacks).
    steps: Vec<String>,
    server: Result<Served, String>,
    naive: Option<Judged>,
}

/// An attack of several requests, which the runner plays in order (the cards without a
/// single crafted request). Each uses a demo account of its own or a made-up name, never the
/// visitor's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Script {
    /// Log in through the API, log out, send the access token again.
    Replay,
    /// Plant a session id, log in, compare the session id the server keeps.
    Fixation,
    /// Wrong passwords for one name until the throttle answers.
    BruteForce,
}

impl Script {
    pub fn code(self) -> &'static str {
        match self {
            Self::Replay => "replay",
            Self::Fixation => "fixation",
            Self::BruteForce => "brute-force",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        [Self::Replay, Self::Fixation, Self::BruteForce]
            .into_iter()
            .find(|script| script.code() == code)
    }
}

/// What a click runs: a variant's request, or a card's script.
enum Job {
    Request(Request),
    Script {
        script: Script,
        expected: String,
        /// The session cookie's name (the fixation plants one).
        cookie: String,
    },
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
        let Some(job) = button.get().and_then(|b| read(&b)) else {
            return;
        };
        if let Job::Request(Request { run: Some(url), .. }) = &job {
            browser::navigate(url);
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let found = match job {
                Job::Request(request) => run(request).await,
                Job::Script {
                    script,
                    expected,
                    cookie,
                } => play(script, &expected, &cookie).await,
            };
            outcome.set(Some(found));
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
    let steps = (!outcome.steps.is_empty()).then(|| {
        view! {
            <ol class="run-steps" data-testid="run-steps">
                {outcome.steps.into_iter().map(|step| view! { <li>{step}</li> }).collect_view()}
            </ol>
        }
    });
    let server = match outcome.server {
        Ok(served) => {
            let mark = if served.as_the_card_says {
                " (as the card says)"
            } else {
                " (not what the card says: see the expected answer above)"
            };
            view! {
                <p class="server-answer" data-testid="server-answer" data-expected=served.as_the_card_says.to_string()>
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
            <p class="naive-answer" data-testid="naive-answer">
                <strong>"A naive server, computed in this page: "</strong>{judged.verdict}
                " — "{judged.why}"."
            </p>
        }
    });
    view! { {steps}{server}{naive} }
}

/// The variant or card around the button, from the attributes the server rendered.
fn read(button: &leptos::web_sys::HtmlButtonElement) -> Option<Job> {
    let card = button.closest("[data-naive]").ok()??;
    let Some(variant) = button.closest("[data-testid=variant]").ok()? else {
        return Some(Job::Script {
            script: Script::from_code(&card.get_attribute("data-script")?)?,
            expected: card.get_attribute("data-reason").unwrap_or_default(),
            cookie: card.get_attribute("data-cookie-name").unwrap_or_default(),
        });
    };
    let get = |name: &str| variant.get_attribute(name);
    Some(Job::Request(Request {
        method: get("data-method")?,
        path: get("data-path")?,
        authorization: get("data-authorization"),
        cookie: get("data-cookie"),
        origin: get("data-origin"),
        expected_status: get("data-status")?.parse().ok()?,
        expected_reason: get("data-reason").unwrap_or_default(),
        model: Model::from_code(&card.get_attribute("data-naive").unwrap_or_default()),
        naive_key: get("data-naive-key"),
        run: get("data-run"),
    }))
}

async fn run(request: Request) -> Outcome {
    let server = send(&request).await;
    let naive = match request.model {
        Model::Explained => None,
        model => Some(
            settle(naive::judge(
                model,
                request.authorization.as_deref(),
                request.cookie.as_deref(),
                request.naive_key.as_deref(),
            ))
            .await,
        ),
    };
    Outcome {
        steps: Vec::new(),
        server,
        naive,
    }
}

/// Sends the request as the page shows it: cookies planted on its path for the one request.
async fn send(request: &Request) -> Result<Served, String> {
    // Sent from here, it would carry this page's own Origin: a real same-origin request.
    if request.origin.is_some() {
        return Err("A page cannot forge Origin, and this server runs no second origin to post from (it does so only on loopback without a public URL): send it with the curl command below.".into());
    }
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
    let pairs = jar_model::parse_document_cookie(cookie);
    let mut planted: Vec<(String, String)> = Vec::new();
    for (name, value) in &pairs {
        let given = pairs.iter().filter(|(n, _)| n == name).count();
        let at = match (given, planted.iter().any(|(n, _)| n == name)) {
            (1, _) => path.to_owned(),
            (_, false) => dir.to_owned(),
            (_, true) => format!("{dir}/"),
        };
        browser::write_cookie_at(name, value, &at, None);
        planted.push((name.clone(), at));
    }
    planted
}

/// The value of the cookie `name` that page scripts see here (at `/`).
fn visible(name: &str) -> Option<String> {
    jar_model::parse_document_cookie(&browser::script_cookies())
        .into_iter()
        .find_map(|(n, value)| (n == name).then_some(value))
}

/// Finishes the naive server's answer: checks the HMAC it would check, or cracks its secret.
async fn settle(judged: Naive) -> Judged {
    let valid = |key: Vec<u8>, signed: &Signed| {
        let (input, signature) = (signed.input.clone(), signed.signature.clone());
        async move { crypto::verify("HS256", CheckKey::Secret(key), &input, &signature).await }
    };
    match judged {
        Naive::Answers { status, body, why } => Judged {
            verdict: format!("{status}, {body}"),
            why,
        },
        Naive::Refuses(why) => Judged {
            verdict: "refused as well".into(),
            why,
        },
        Naive::ChecksHmac {
            key,
            from,
            body,
            signed,
        } => match valid(key, &signed).await {
            Verdict::Valid => Judged {
                verdict: format!("200, {body}"),
                why: format!("the HMAC checks out under the key it took from {from}"),
            },
            other => Judged {
                verdict: "401".into(),
                why: format!("the HMAC under the key from {from} does not check out ({other:?})"),
            },
        },
        Naive::Cracks { body, signed } => {
            let started = browser::millis();
            for (tried, word) in naive::WORDS.iter().enumerate() {
                if valid(word.as_bytes().to_vec(), &signed).await == Verdict::Valid {
                    let seconds = ((browser::millis() - started) / 1000.0).max(0.001);
                    // Whole keys per second: printing a float would link core's f64 printer
                    // (14 KB of wasm).
                    let rate = ((tried + 1) as f64 / seconds).round() as u64;
                    return Judged {
                        verdict: format!("200, {body}"),
                        why: format!(
                            "this page found its secret, \"{word}\", after {} guesses with WebCrypto ({rate} keys/s in this tab; hashcat on one GPU does billions)",
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
    }
}

/// Plays a card's script: the steps as they went, the decisive answer, and the naive server's.
async fn play(script: Script, expected: &str, cookie: &str) -> Outcome {
    let mut steps = Vec::new();
    let played = match script {
        Script::BruteForce => brute_force(&mut steps, expected).await,
        Script::Replay => replay(&mut steps, expected).await,
        Script::Fixation => fixation(&mut steps, cookie).await,
    };
    let (server, naive) = match played {
        Ok((served, naive)) => (Ok(served), naive),
        Err(why) => (Err(why), None),
    };
    Outcome {
        steps,
        server,
        naive,
    }
}

/// A form post, as a browser submits one.
async fn post_form(path: &str, fields: &[(&str, &str)]) -> Result<browser::Answer, String> {
    // Only letters, digits, '-' and '_' go into these forms: nothing to escape.
    let body = fields
        .iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join("&");
    let form = [("Content-Type", "application/x-www-form-urlencoded")];
    browser::fetch("POST", path, &form, Some(body)).await
}

/// A word of random letters and digits.
fn random_word(length: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    crypto::random_bytes(length)
        .into_iter()
        .map(|byte| ALPHABET[byte as usize % ALPHABET.len()] as char)
        .collect()
}

/// Wrong passwords for a made-up name until the throttle answers `429`.
/// What a script found: the decisive answer, and the naive server's where one applies.
type Played = Result<(Served, Option<Judged>), String>;

async fn brute_force(steps: &mut Vec<String>, expected: &str) -> Played {
    let name = format!("nobody-{}", random_word(8));
    for attempt in 1..=10 {
        let guess = format!("guess-{attempt}-{}", random_word(4));
        let answer = post_form(
            "/session/login",
            &[("username", &name), ("password", &guess)],
        )
        .await?;
        let (_, says) = browser::page_says(&answer.body);
        if answer.status == 429 {
            let served = Served {
                status: "429".into(),
                as_the_card_says: says.contains(expected) && answer.retry_after.is_some(),
                says,
                retry_after: answer.retry_after,
            };
            return Ok((served, None));
        }
        steps.push(format!(
            "Attempt {attempt} for \"{name}\": {} {says}",
            answer.status
        ));
    }
    Err("Ten wrong passwords and no throttle: that is not what this server does.".into())
}

/// Registers an account for one run: a random name and password, used by nothing else.
async fn demo_account(steps: &mut Vec<String>) -> Result<(String, String), String> {
    let name = format!("attack-lab-{}", random_word(10));
    let password = random_word(24);
    let answer = post_form(
        "/register",
        &[
            ("username", &name),
            ("password", &password),
            ("confirm", &password),
        ],
    )
    .await?;
    if answer.redirected_to.is_none() {
        let (_, says) = browser::page_says(&answer.body);
        return Err(format!(
            "Registering a demo account failed: {} {says}",
            answer.status
        ));
    }
    steps.push(format!(
        "Registered the demo account \"{name}\" for this run."
    ));
    Ok((name, password))
}

/// Logs in through the API, copies the access token, logs out, and sends the copy again.
async fn replay(steps: &mut Vec<String>, expected: &str) -> Played {
    let (name, password) = demo_account(steps).await?;
    let login = format!(r#"{{"username":"{name}","password":"{password}"}}"#);
    let answer = browser::fetch("POST", "/api/token", &[], Some(login)).await?;
    let json = browser::parse_json(&answer.body)?;
    let Some(token) = json.get("access_token").and_then(|t| t.as_str()) else {
        return Err(format!(
            "POST /api/token answered {}: {}",
            answer.status, answer.body
        ));
    };
    steps.push(format!(
        "POST /api/token: {}, an access token (the attacker copies it).",
        answer.status
    ));
    let bearer = format!("Bearer {token}");
    let authorization = [("Authorization", bearer.as_str())];
    let before = browser::fetch("GET", "/api/me", &authorization, None).await?;
    steps.push(format!("GET /api/me with it: {}.", before.status));
    let logout = browser::fetch("POST", "/api/logout", &authorization, None).await?;
    steps.push(format!(
        "POST /api/logout with it: {} (the owner logs out).",
        logout.status
    ));
    let replayed = browser::fetch("GET", "/api/me", &authorization, None).await?;
    let says = json_message(&replayed.body).unwrap_or(replayed.body);
    let left = crate::inspector::token::decode(token)
        .ok()
        .and_then(|t| t.payload.ok())
        .and_then(|claims| claims.map.get("exp").and_then(|e| e.as_i64()))
        .map_or(0, |exp| exp - browser::now());
    Ok((
        Served {
            status: replayed.status.to_string(),
            as_the_card_says: replayed.status == 401 && says.contains(expected),
            says,
            retry_after: None,
        },
        Some(Judged {
            verdict: format!("200, you are {name}"),
            why: format!(
                "a server that only checks signatures accepts the copied token until its exp, {left} s from now"
            ),
        }),
    ))
}

/// Plants a session id, logs in, and compares the id the server keeps with the planted one.
async fn fixation(steps: &mut Vec<String>, cookie: &str) -> Played {
    let echo = browser::fetch("GET", "/api/echo", &[], None).await?;
    let logged_in = browser::parse_json(&echo.body)
        .ok()
        .is_some_and(|json| json.get("session").is_some_and(|s| !s.is_null()));
    if logged_in {
        return Err("This browser is logged in to the session lab or the shop: the run would log it in as a demo account. Log out of them first, or use a private window.".into());
    }
    let (name, password) = demo_account(steps).await?;
    let planted = crate::inspector::token::encode_base64url(&crypto::random_bytes(16));
    // Only the login request carries it; `__Host-` cookies must sit at `/` (https).
    let path = if cookie.starts_with("__Host-") {
        "/"
    } else {
        "/session/login"
    };
    browser::write_cookie_at(cookie, &planted, path, None);
    steps.push(format!(
        "Planted {cookie}={planted} (what an attacker's page or link would set)."
    ));
    let login = post_form(
        "/session/login",
        &[("username", &name), ("password", &password)],
    )
    .await;
    browser::write_cookie_at(cookie, "", path, Some(0));
    let login = login?;
    let (_, says) = browser::page_says(&login.body);
    steps.push(format!(
        "Logged in as \"{name}\" with it: {} {says}",
        login.status
    ));
    let echo = browser::fetch("GET", "/api/echo", &[], None).await?;
    let kept = browser::parse_json(&echo.body)
        .ok()
        .and_then(|json| {
            json.get("session")?
                .get("id_digest")?
                .as_str()
                .map(str::to_owned)
        })
        .ok_or("After the login, /api/echo shows no session.")?;
    let digest = crypto::sha256(planted.as_bytes()).await?;
    let planted_digest: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    // Leaves the browser as it was: logged out.
    let logout = post_form("/session/logout", &[]).await?;
    steps.push(format!("Logged out again: {}.", logout.status));
    Ok((
        Served {
            status: "a new session id".into(),
            as_the_card_says: kept != planted_digest,
            says: format!(
                "the session it keeps has id digest {kept}; the planted id's digest is {planted_digest}: the planted id stays anonymous"
            ),
            retry_after: None,
        },
        Some(Judged {
            verdict: format!("{planted} logged in as {name}"),
            why: "a session layer that keeps the id across login (or adopts any id) would log in whoever planted it".into(),
        }),
    ))
}
