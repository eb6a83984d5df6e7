//! The cookie jar and the session behind it, live: what page scripts see (`document.cookie`),
//! what the server received and made of it (`/api/echo`), and the server-side session record.
//! Edits go through `document.cookie`, exactly as any script on the page could make them.

use super::{
    claim_notes::relative_time,
    jar_model::{self, JarRow},
};
use crate::browser;
use leptos::{either::Either, prelude::*, task::spawn_local};
use serde_json::Value;

async fn load_echo() -> Result<Value, String> {
    let answer = browser::fetch("GET", "/api/echo", &[], None).await?;
    if answer.status != 200 {
        return Err(format!("/api/echo answered HTTP {}", answer.status));
    }
    browser::parse_json(&answer.body).map_err(|e| format!("/api/echo sent bad JSON: {e}"))
}

// An island in the bundles that hydrate it; a plain component, left out, in the others.
#[cfg_attr(any(feature = "ssr", feature = "islands-inspector"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "islands-inspector")), component)]
pub fn CookieJar() -> impl IntoView {
    let echo = RwSignal::new(None::<Result<Value, String>>);
    let script = RwSignal::new(String::new());
    let notice = RwSignal::new(None::<String>);
    let now = RwSignal::new(browser::now());
    let refresh = move || {
        script.set(browser::script_cookies());
        spawn_local(async move { echo.set(Some(load_echo().await)) });
    };
    Effect::new(move |_| {
        refresh();
        browser::every_second(move || {
            now.set(browser::now());
            // Another tab, a page script or DevTools changed the jar: show it.
            if browser::script_cookies() != script.get_untracked() {
                refresh();
            }
        });
    });
    let rows = Memo::new(move |_| {
        let script = jar_model::parse_document_cookie(&script.get());
        echo.with(|echo| {
            let received = match echo {
                Some(Ok(e)) => e.get("cookies").and_then(Value::as_array).cloned(),
                _ => None,
            };
            jar_model::merge(&script, &received.unwrap_or_default())
        })
    });
    // Writes through document.cookie, then says why if the browser would not keep it.
    let write = move |name: String, value: String, max_age: Option<u64>| {
        browser::write_cookie(&name, &value, max_age);
        let stored = jar_model::parse_document_cookie(&browser::script_cookies())
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v);
        let hidden: Vec<String> = rows
            .get_untracked()
            .into_iter()
            .filter(JarRow::hidden_from_scripts)
            .map(|r| r.name)
            .collect();
        notice.set(Some(if max_age == Some(0) {
            format!("Deleted {name}. Visit a profile to see what the server makes of it.")
        } else {
            jar_model::write_report(&name, &value, stored.as_deref(), &hidden)
        }));
        refresh();
    };
    // Export and import as JSON, as Cookie-Editor does.
    let exchange = RwSignal::new(String::new());
    let import = move |_| match browser::parse_json(&exchange.get())
        .and_then(|j| jar_model::import(&j))
    {
        Ok(cookies) => {
            for (name, value) in &cookies {
                browser::write_cookie(name, value, None);
            }
            let stored = jar_model::parse_document_cookie(&browser::script_cookies());
            let kept = cookies.iter().filter(|c| stored.contains(c)).count();
            notice.set(Some(format!(
                "Imported {kept} of {} cookies; the browser refused the rest (HttpOnly names, or values it cuts).",
                cookies.len()
            )));
            refresh();
        }
        Err(why) => notice.set(Some(why)),
    };
    let new_name = RwSignal::new(String::new());
    let new_value = RwSignal::new(String::new());
    let persistent = RwSignal::new(false);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let max_age = persistent.get().then_some(3600);
        write(new_name.get(), new_value.get(), max_age);
    };

    view! {
        <section aria-labelledby="jar-title" class="panel">
            <h2 id="jar-title">"Cookie jar"</h2>
            <p class="button-row">
                <button type="button" class="secondary" on:click=move |_| refresh()>"Reload the jar"</button>
            </p>
            <p>"The header your browser sends with every request to this site:"</p>
            // Until the first answer from /api/echo (and always without JavaScript) the jar is
            // unknown here, not empty: the server-rendered list below says what was sent.
            <p class="raw-token" data-testid="cookie-header">{move || if echo.with(Option::is_none) {
                "(reading the jar: this needs JavaScript)".to_owned()
            } else {
                jar_model::cookie_header(&rows.get())
            }}</p>
            {move || match echo.get() {
                Some(Err(why)) => Some(view! { <p class="form-error" role="alert">{why}</p> }),
                _ => None,
            }}
            <div class="table-scroll">
                <table class="jar cards-on-phone" data-testid="cookie-jar">
                    <thead><tr>
                        <th>"Name"</th><th>"Value (as page scripts see it)"</th><th>"Path"</th>
                        <th>"Expires"</th><th>"HttpOnly"</th><th>"Secure"</th><th>"SameSite"</th>
                        <th>"Size"</th><th>"What it means"</th>
                    </tr></thead>
                    <tbody>
                        // Re-rendered whole on each change: a jar has a handful of rows, and a
                        // keyed <For> would cost more wasm than it saves work.
                        {move || rows.get().into_iter().map(|row| view! { <CookieRow row write/> }).collect_view()}
                    </tbody>
                </table>
            </div>
            {move || notice.get().map(|n| view! { <p role="status" class="result" data-testid="jar-notice">{n}</p> })}
            <form class="inline" on:submit=add>
                <label>"Name " <input required data-testid="new-cookie-name"
                    on:input:target=move |ev| new_name.set(ev.target().value())/></label>
                <label>"Value " <input data-testid="new-cookie-value"
                    on:input:target=move |ev| new_value.set(ev.target().value())/></label>
                <label class="check"><input type="checkbox"
                    on:change:target=move |ev| persistent.set(ev.target().checked())/>
                    " persistent (Max-Age=3600)"</label>
                <button type="submit">"Add cookie"</button>
            </form>
            <details>
                <summary>"Export or import as JSON"</summary>
                <p>"The cookies page scripts can see (never the HttpOnly ones), as "
                    <code>"[{\"name\": …, \"value\": …}]"</code>"."</p>
                <label for="jar-json">"Cookies as JSON"</label>
                <textarea id="jar-json" rows="6" data-testid="jar-json" prop:value=exchange
                    on:input:target=move |ev| exchange.set(ev.target().value())></textarea>
                <p class="button-row">
                    <button type="button" class="secondary"
                        on:click=move |_| exchange.set(jar_model::export(&jar_model::parse_document_cookie(&script.get())))>
                        "Export"</button>
                    <button type="button" on:click=import>"Import"</button>
                </p>
            </details>

        </section>
        <SessionView echo now/>
        <LabVerdicts echo/>
    }
}

#[component]
fn CookieRow(
    row: JarRow,
    write: impl Fn(String, String, Option<u64>) + Copy + 'static,
) -> impl IntoView {
    let hidden = row.hidden_from_scripts();
    let name = row.name.clone();
    let value = RwSignal::new(row.script_value.clone().unwrap_or_default());
    let [path, expires, http_only, secure, same_site] = row.columns();
    let duplicated = row.duplicated();
    let decoded = row
        .script_value
        .as_deref()
        .and_then(jar_model::decoded_value);
    let value_cell = if hidden {
        Either::Left(view! {
            <td data-label="Value"><span class="tag hidden" data-testid="hidden-from-scripts">"hidden from page scripts"</span>
                <br/><small>"HttpOnly: sent to the server, invisible to JavaScript — a stolen-cookie script finds nothing."</small></td>
        })
    } else {
        let (save_name, delete_name) = (name.clone(), name.clone());
        Either::Right(view! {
            <td data-label="Value">
                <input class="cookie-value" aria-label=format!("Value of {name}")
                    prop:value=move || value.get()
                    on:input:target=move |ev| value.set(ev.target().value())/>
                <button type="button" on:click=move |_| write(save_name.clone(), value.get(), None)>"Save"</button>
                <button type="button" class="danger"
                    on:click=move |_| write(delete_name.clone(), String::new(), Some(0))>"Delete"</button>
                {decoded.map(|text| view! { <br/><small data-testid="decoded-value">"decoded: "<code>{text}</code></small> })}
            </td>
        })
    };
    view! {
        <tr data-cookie=row.name.clone()>
            <th scope="row"><code>{row.name.clone()}</code>
                {duplicated.then(|| view! { <br/><small class="caution">"sent twice: the server trusts neither copy"</small> })}
            </th>
            {value_cell}
            <td data-label="Path">{path}</td>
            <td data-label="Expires">{expires}</td>
            <td data-label="HttpOnly">{http_only}</td>
            <td data-label="Secure">{secure}</td>
            <td data-label="SameSite">{same_site}</td>
            <td data-label="Size">{format!("{} B", row.size)}</td>
            <td data-label="What it means"><small>{row.meaning()}</small></td>
        </tr>
    }
}

/// The server-side record behind the session cookie, and where the store keeps it.
#[component]
fn SessionView(echo: RwSignal<Option<Result<Value, String>>>, now: RwSignal<i64>) -> impl IntoView {
    let session = move || echo.with(|e| e.as_ref()?.as_ref().ok()?.get("session").cloned());
    let store = move || {
        echo.with(|e| {
            let store = e.as_ref()?.as_ref().ok()?.get("session_store")?.clone();
            let kind = store.get("kind")?.as_str()?.to_string();
            Some(if store.get("survives_restart") == Some(&Value::Bool(true)) {
                format!("This server keeps sessions in {kind}: restart it and your session is still there.")
            } else {
                format!("This server keeps sessions in {kind}: restart it and every session is gone — everyone is logged out.")
            })
        })
    };
    view! {
        <section aria-labelledby="session-title" class="panel">
            <h2 id="session-title">"Your session on the server"</h2>
            <p data-testid="session-store">{store}</p>
            {move || match session() {
                Some(Value::Object(record)) => Either::Left({
                    let expires = record.get("expires_at").and_then(Value::as_i64).unwrap_or_default();
                    let entries = record.get("entries").cloned().unwrap_or_default();
                    view! {
                        <p>"Expires " {browser::local_date(expires)} " — "
                            <span class="countdown">{move || relative_time(expires - now.get())}</span>
                            " unless you make another request (each one pushes it back)."</p>
                        <pre class="json" data-testid="session-record">
                            {serde_json::to_string_pretty(&entries).unwrap_or_default()}
                        </pre>
                    }
                }),
                _ => Either::Right(view! {
                    <p data-testid="session-record">"No session record: log in to the "
                        <a href="/shop/login">"shop"</a>" or the "<a href="/session/login">"session lab"</a>"."</p>
                }),
            }}
        </section>
    }
}

/// What each lab made of its cookie on the last request.
#[component]
fn LabVerdicts(echo: RwSignal<Option<Result<Value, String>>>) -> impl IntoView {
    let field = move |key: &'static str| {
        echo.with(|e| {
            let value = e.as_ref()?.as_ref().ok()?.get(key)?.clone();
            (!value.is_null()).then(|| serde_json::to_string_pretty(&value).unwrap_or_default())
        })
    };
    let item = move |title: &'static str, key: &'static str| {
        view! {
            <h3>{title}</h3>
            <pre class="json" data-testid=format!("echo-{key}")>
                {move || field(key).unwrap_or_else(|| "(no such cookie)".into())}
            </pre>
        }
    };
    view! {
        <section aria-labelledby="verdicts-title" class="panel">
            <h2 id="verdicts-title">"What the server makes of your lab cookies"</h2>
            {item("Plain cookie (taken at its word)", "plain_cookie")}
            {item("Signed cookie (decrypted and checked)", "signed_cookie")}
            {item("JWT (verified claims — the token itself is HttpOnly)", "token")}
        </section>
    }
}
