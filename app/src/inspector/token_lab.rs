//! The token decoder, the signature check and the encoder — one island, since all three work
//! on the same pasted token. Nothing pasted here leaves the page unless a button says it does
//! ("Get my token" sends your password to `/api/token`; "Send to /api/me" sends the forged
//! token).

use super::{
    check_keys::{self, CheckKey, SecretEncoding, Verdict},
    claim_notes::{self, Severity},
    crypto,
    token::{self, DecodeError, DecodedToken, Json, Part},
};
use crate::browser;
use leptos::{either::Either, prelude::*, task::spawn_local};
use serde_json::{Map, Value};

// An island in the bundles that hydrate it; a plain component, left out, in the others.
#[cfg_attr(any(feature = "ssr", feature = "islands-inspector"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "islands-inspector")), component)]
pub fn TokenLab() -> impl IntoView {
    let input = RwSignal::new(String::new());
    let now = RwSignal::new(browser::now());
    Effect::new(move |_| browser::every_second(move || now.set(browser::now())));
    let decoded = Memo::new(move |_| token::decode(&input.get()));

    view! {
        <section aria-labelledby="decoder-title" class="panel decoder">
            <h2 id="decoder-title">"Token decoder"</h2>
            // Wide screens: the token on the left, what it says on the right, as jwt.io does.
            <div class="decoder-grid">
                <div class="decoder-input">
                    <TokenSource input/>
                    <label for="token-input">"Token"</label>
                    <textarea id="token-input" data-testid="token-input" rows="6" spellcheck="false"
                        placeholder="eyJhbGciOi…"
                        prop:value=move || input.get()
                        on:input:target=move |ev| input.set(ev.target().value())></textarea>
                    <p class="hint">"Paste a token, take yours, or use the example."</p>
                    {move || match decoded.get() {
                        Err(DecodeError::Empty) | Ok(_) => None,
                        Err(error) => Some(view! {
                            <p class="form-error" role="alert" data-testid="decode-error">{error.to_string()}</p>
                        }),
                    }}
                    {move || decoded.get().ok().map(|token| view! { <RawToken token/> })}
                </div>
                <div class="decoder-output">
                    {move || decoded.get().ok().map(|token| view! { <Decoded token now/> })}
                </div>
            </div>
        </section>
        <SignatureCheck decoded/>
        <Encoder decoded input/>
    }
}

/// Where a token can come from: the example, or your own from `/api/token`.
#[component]
fn TokenSource(input: RwSignal<String>) -> impl IntoView {
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let status = RwSignal::new(None::<String>);
    let fetch_token = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = serde_json::json!({"username": username.get(), "password": password.get()});
        password.set(String::new());
        spawn_local(async move {
            let answer = browser::fetch("POST", "/api/token", &[], Some(body.to_string())).await;
            let result = answer.and_then(|a| {
                let json = browser::parse_json(&a.body).unwrap_or_default();
                match json.get("access_token").and_then(Value::as_str) {
                    Some(token) if a.status == 200 => Ok(token.to_string()),
                    _ => Err(json
                        .get("message")
                        .and_then(Value::as_str)
                        .map_or_else(|| format!("HTTP {}", a.status), str::to_string)),
                }
            });
            match result {
                Ok(token) => {
                    input.set(token);
                    status.set(Some("Your token from POST /api/token:".into()));
                }
                Err(why) => status.set(Some(format!("No token: {why}"))),
            }
        });
    };
    view! {
        <details class="token-source">
            <summary>"Take your own token from " <code>"POST /api/token"</code></summary>
            <form class="inline" on:submit=fetch_token>
                <label>"Username " <input autocomplete="username" required
                    on:input:target=move |ev| username.set(ev.target().value())/></label>
                <label>"Password " <input type="password" autocomplete="current-password" required
                    prop:value=move || password.get()
                    on:input:target=move |ev| password.set(ev.target().value())/></label>
                <button type="submit">"Get my token"</button>
            </form>
        </details>
        <p>
            <button type="button" class="secondary" on:click=move |_| input.set(token::EXAMPLE.into())>
                "Use the example token"
            </button>
            " (jwt.io's, signed with the secret " <code>{token::EXAMPLE_SECRET}</code> ")"
        </p>
        {move || status.get().map(|s| view! { <p role="status" data-testid="token-status">{s}</p> })}
    }
}

/// The token as pasted, each part in its colour.
#[component]
fn RawToken(token: DecodedToken) -> impl IntoView {
    let [header_raw, payload_raw, signature_raw] = token.raw;
    view! {
        <p class="raw-token" data-testid="raw-token">
            <span class="jwt-header" title="header">{header_raw}</span>"."
            <span class="jwt-payload" title="payload">{payload_raw}</span>"."
            <span class="jwt-signature" title="signature">{signature_raw}</span>
        </p>
    }
}

/// A decoded token: the JSON parts in their colours, warnings and claims.
#[component]
fn Decoded(token: DecodedToken, now: RwSignal<i64>) -> impl IntoView {
    let header = token.header.clone().ok().map(|json| json.map);
    let payload = token.payload.clone().ok().map(|json| json.map);
    let (warn_header, warn_payload) = (header.clone(), payload.clone());
    let signature = match &token.signature {
        Ok(bytes) => format!(
            "{} bytes — checked below, never decoded to text",
            bytes.len()
        ),
        Err(error) => error.to_string(),
    };
    view! {
        <div class="parts">
            <JsonPart part=Part::Header json=token.header.clone()/>
            <JsonPart part=Part::Payload json=token.payload.clone()/>
        </div>
        <p class="jwt-signature-note jwt-signature-box" data-testid="signature-part"><strong>"Signature: "</strong>{signature}</p>
        <ul class="warnings" data-testid="warnings">
            {move || claim_notes::warnings(warn_header.as_ref(), warn_payload.as_ref(), now.get())
                .into_iter()
                .map(|w| {
                    let class = if w.severity == Severity::Danger { "danger" } else { "caution" };
                    view! { <li class=class>{w.text}</li> }
                })
                .collect_view()}
        </ul>
        {payload.map(|payload| view! { <ClaimTable payload now/> })}
    }
}

#[component]
fn JsonPart(part: Part, json: Result<Json, DecodeError>) -> impl IntoView {
    let (class, test_id) = match part {
        Part::Header => ("json jwt-header-box", "header-json"),
        _ => ("json jwt-payload-box", "payload-json"),
    };
    view! {
        <div>
            <h3>{match part { Part::Header => "Header", _ => "Payload" }}</h3>
            {match json {
                Ok(json) => Either::Left(view! { <pre class=class data-testid=test_id>{json.pretty()}</pre> }),
                Err(error) => Either::Right(view! {
                    <p class="form-error" role="alert" data-testid="decode-error" data-part=part.name()>
                        {error.to_string()}
                    </p>
                }),
            }}
        </div>
    }
}

/// Every claim explained; times as local dates with a live countdown.
#[component]
fn ClaimTable(payload: Map<String, Value>, now: RwSignal<i64>) -> impl IntoView {
    let rows = claim_notes::explain(&payload)
        .into_iter()
        .map(|note| {
            let value = payload.get(&note.name).map(Value::to_string).unwrap_or_default();
            let time = note.unix_time.map(|t| {
                view! {
                    <br/><small>{browser::local_date(t)} " — "
                        <span class="countdown">{move || claim_notes::relative_time(t - now.get())}</span>
                    </small>
                }
            });
            let name = note.name.clone();
            view! {
                <tr data-claim=name>
                    <th scope="row"><code>{note.name}</code></th>
                    <td data-label="Value"><code>{value}</code>{time}</td>
                    <td data-label="Kind"><span class=format!("tag {}", note.class.label())>{note.class.label()}</span></td>
                    <td data-label="What it means">{note.meaning}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="claims cards-on-phone" data-testid="claims">
            <thead><tr><th>"Claim"</th><th>"Value"</th><th>"Kind"</th><th>"What it means"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

fn verdict_view(verdict: Verdict, weak_secret: Option<String>) -> impl IntoView {
    let (class, text) = match verdict {
        Verdict::Valid => (
            "verdict valid",
            "VALID: this key made this signature.".to_string(),
        ),
        Verdict::Invalid => (
            "verdict invalid",
            "INVALID: the signature does not match — wrong key, or the token was changed."
                .to_string(),
        ),
        Verdict::CannotCheck(why) => ("verdict unknown", format!("Cannot check: {why}")),
    };
    view! {
        <p class=class role="status" data-testid="verdict">{text}</p>
        {weak_secret.map(|w| view! { <p class="caution">{w}</p> })}
    }
}

/// Checks the decoded token's signature in the browser, with a secret or a public key.
#[component]
fn SignatureCheck(decoded: Memo<Result<DecodedToken, DecodeError>>) -> impl IntoView {
    let secret = RwSignal::new(String::new());
    let base64 = RwSignal::new(false);
    let public_key = RwSignal::new(String::new());
    let verdict = RwSignal::new(None::<(Verdict, Option<String>)>);
    let check = move |_| {
        let Ok(token) = decoded.get() else {
            verdict.set(Some((
                Verdict::CannotCheck("decode a token first".into()),
                None,
            )));
            return;
        };
        let alg = token.algorithm().unwrap_or_default().to_string();
        let kid = token
            .header
            .as_ref()
            .ok()
            .and_then(|h| h.map.get("kid")?.as_str().map(str::to_string));
        let Ok(signature) = token.signature.clone() else {
            verdict.set(Some((
                Verdict::CannotCheck("the signature part is broken".into()),
                None,
            )));
            return;
        };
        let uses_secret = check_keys::Algorithm::from_jwt(&alg).is_ok_and(|a| a.uses_secret());
        let encoding = if base64.get() {
            SecretEncoding::Base64Url
        } else {
            SecretEncoding::Utf8
        };
        let key = if uses_secret {
            check_keys::secret_bytes(&secret.get(), encoding).map(CheckKey::Secret)
        } else {
            check_keys::parse_public_key(&public_key.get(), kid.as_deref()).map(CheckKey::Public)
        };
        let key = match key {
            Ok(key) => key,
            Err(why) => return verdict.set(Some((Verdict::CannotCheck(why), None))),
        };
        let weak = match &key {
            CheckKey::Secret(bytes) => claim_notes::weak_secret_warning(bytes),
            CheckKey::Public(_) => None,
        };
        spawn_local(async move {
            let result = crypto::verify(&alg, key, &token.signing_input(), &signature).await;
            verdict.set(Some((result, weak)));
        });
    };
    let load_jwks = move |_| {
        // A verdict about the previous key would be stale.
        verdict.set(None);
        spawn_local(async move {
            match browser::fetch("GET", "/.well-known/jwks.json", &[], None).await {
                Ok(answer) if answer.body.replace(' ', "").contains("\"keys\":[]") => {
                    public_key.set(answer.body);
                    verdict.set(Some((
                        Verdict::CannotCheck(
                            "this server's key set is empty: it signs with HS256, a shared \
                             secret, so it has no public key to publish. Check HS256 tokens with \
                             the secret instead."
                                .into(),
                        ),
                        None,
                    )));
                }
                Ok(answer) => public_key.set(answer.body),
                Err(why) => verdict.set(Some((Verdict::CannotCheck(why), None))),
            }
        });
    };
    view! {
        <section aria-labelledby="verify-title" class="panel">
            <h2 id="verify-title">"Signature check"</h2>
            <p class="hint">"Checked by your browser's WebCrypto; the key never leaves this page."</p>
            <label for="verify-secret">"Secret (HS256, HS384, HS512)"</label>
            <input id="verify-secret" data-testid="verify-secret" autocomplete="off"
                on:input:target=move |ev| secret.set(ev.target().value())/>
            <label class="check">
                <input type="checkbox"
                    on:change:target=move |ev| base64.set(ev.target().checked())/>
                " The secret is base64url-encoded"
            </label>
            <label for="verify-key">"Public key (RS*, PS*, ES*, EdDSA): PEM or JWK"</label>
            <textarea id="verify-key" rows="4" spellcheck="false"
                placeholder="-----BEGIN PUBLIC KEY-----"
                prop:value=move || public_key.get()
                on:input:target=move |ev| public_key.set(ev.target().value())></textarea>
            <p class="button-row">
                <button type="button" on:click=check>"Check signature"</button>
                <button type="button" class="secondary" on:click=load_jwks>"Load this server's JWKS"</button>
            </p>
            {move || verdict.get().map(|(v, weak)| verdict_view(v, weak))}
        </section>
    }
}

/// A server answer with its status as a badge: green for 2xx, red otherwise.
fn answer_view(answer: Result<browser::Answer, String>, test_id: &'static str) -> impl IntoView {
    match answer {
        Ok(answer) => {
            let class = if (200..300).contains(&answer.status) {
                "badge ok"
            } else {
                "badge bad"
            };
            Either::Left(view! {
                <p><span class=class data-testid=format!("{test_id}-status")>{format!("HTTP {}", answer.status)}</span></p>
                <pre class="json" data-testid=test_id>{format!("HTTP {}\n{}", answer.status, answer.body)}</pre>
            })
        }
        Err(why) => Either::Right(
            view! { <p class="form-error" role="alert" data-testid=test_id>{why}</p> },
        ),
    }
}

/// The tamper lab: edit the claims, sign with a secret, send the result to `/api/me`.
#[component]
fn Encoder(
    decoded: Memo<Result<DecodedToken, DecodeError>>,
    input: RwSignal<String>,
) -> impl IntoView {
    let header = RwSignal::new("{\n  \"alg\": \"HS256\",\n  \"typ\": \"JWT\"\n}".to_string());
    let payload = RwSignal::new("{\n  \"sub\": \"1\",\n  \"name\": \"mallory\"\n}".to_string());
    let secret = RwSignal::new(String::new());
    let forged = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    // The server's answers to the forged token and to the decoder's token, side by side.
    let answer = RwSignal::new(None::<Result<browser::Answer, String>>);
    let original_answer = RwSignal::new(None::<Result<browser::Answer, String>>);
    let copy = move |_| {
        if let Ok(token) = decoded.get() {
            if let Ok(h) = &token.header {
                header.set(h.pretty());
            }
            if let Ok(p) = &token.payload {
                payload.set(p.pretty());
            }
        }
    };
    let sign = move || {
        error.set(None);
        let token::Unsigned { signing_input, alg } =
            match token::unsigned_from_json(&header.get(), &payload.get()) {
                Ok(unsigned) => unsigned,
                Err(e) => return error.set(Some(e.to_string())),
            };
        let alg = alg.unwrap_or_default();
        let secret = match check_keys::secret_bytes(&secret.get(), SecretEncoding::Utf8) {
            Ok(s) => s,
            Err(e) => return error.set(Some(e)),
        };
        spawn_local(async move {
            match crypto::sign_hmac(&alg, secret, &signing_input).await {
                Ok(sig) => forged.set(format!("{signing_input}.{}", token::encode_base64url(&sig))),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    // Live, as on jwt.io: every edit of the header, the payload or the secret remakes the
    // token below, signed when a secret is given, else unsigned (an empty signature).
    Effect::new(move |_| {
        let (h, p) = (header.get(), payload.get());
        if !secret.get().is_empty() {
            return sign();
        }
        match token::unsigned_from_json(&h, &p) {
            Ok(unsigned) => {
                error.set(None);
                forged.set(format!("{}.", unsigned.signing_input));
            }
            Err(e) => error.set(Some(e.to_string())),
        }
    });
    let forge_none = move |_| {
        error.set(None);
        match token::unsigned_none(&header.get(), &payload.get()) {
            Ok(token) => forged.set(token),
            Err(e) => error.set(Some(e.to_string())),
        }
    };
    let send_to_api = |token: String, into: RwSignal<Option<Result<browser::Answer, String>>>| {
        spawn_local(async move {
            let bearer = format!("Bearer {token}");
            let result =
                browser::fetch("GET", "/api/me", &[("Authorization", &bearer)], None).await;
            into.set(Some(result));
        });
    };
    let send = move |_| send_to_api(forged.get(), answer);
    let send_original = move |_| send_to_api(input.get(), original_answer);
    let text_area = |signal: RwSignal<String>, id: &'static str| {
        view! {
            <textarea id=id data-testid=id rows="6" spellcheck="false"
                prop:value=move || signal.get()
                on:input:target=move |ev| signal.set(ev.target().value())></textarea>
        }
    };
    view! {
        <section aria-labelledby="encoder-title" class="panel">
            <h2 id="encoder-title">"Encoder: the tamper lab"</h2>
            <p class="hint">
                "Change the claims, sign them with an HMAC secret, and send the token to "
                <code>"GET /api/me"</code>" as "<code>"Authorization: Bearer …"</code>
                ". Without the server's secret the signature cannot match, and the server says so. "
                "The token follows every edit: signed once a secret is typed, unsigned before."
            </p>
            <button type="button" class="secondary" on:click=copy>"Copy header and payload from the decoder"</button>
            <div class="parts">
                <div><label for="encoder-header">"Header"</label>{text_area(header, "encoder-header")}</div>
                <div><label for="encoder-payload">"Payload"</label>{text_area(payload, "encoder-payload")}</div>
            </div>
            <label for="encoder-secret">"HMAC secret"</label>
            <input id="encoder-secret" data-testid="encoder-secret" autocomplete="off"
                on:input:target=move |ev| secret.set(ev.target().value())/>
            <p class="button-row">
                <button type="button" on:click=move |_| sign()>"Sign"</button>
                <button type="button" class="secondary" on:click=forge_none>"Forge with alg: none (no signature)"</button>
            </p>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            {move || (!forged.get().is_empty()).then(|| view! {
                <p class="raw-token" data-testid="forged-token">{forged.get()}</p>
                <p class="button-row">
                    <button type="button" class="secondary" on:click=move |_| input.set(forged.get())>"Decode it"</button>
                    <button type="button" on:click=send>"Send to /api/me"</button>
                    <button type="button" class="secondary" on:click=send_original>"Send the decoder's token unchanged to /api/me"</button>
                </p>
            })}
            <div class="parts answers">
                {move || answer.get().map(|a| view! {
                    <div><h3>"The server's answer to the forged token"</h3>{answer_view(a, "api-me-answer")}</div>
                })}
                {move || original_answer.get().map(|a| view! {
                    <div><h3>"…and to the decoder's token"</h3>{answer_view(a, "api-me-original-answer")}</div>
                })}
            </div>
        </section>
    }
}
