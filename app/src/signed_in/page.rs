//! The sessions page: server-rendered, no wasm, so it works with JavaScript off.

use super::live::{LiveLogins, ROWS_ID};
use crate::{
    components::{layout::ErrorView, static_page},
    error::AppError,
    jwt::refresh::RefreshEntry,
    logins::{LoginKind, LoginRecord},
};
use axum::{
    http::{header, StatusCode},
    response::{Html, IntoResponse, Response},
};
use leptos::prelude::*;

/// One login of the account, as the page lists it.
pub struct Row {
    pub login: LoginRecord,
    pub this_browser: bool,
    /// An API login's refresh tokens, oldest first.
    pub family: Vec<RefreshEntry>,
    /// An API login whose family a replayed refresh token revoked: listed until its end.
    pub ended: bool,
}

/// The table's rows: the account's logins, and this browser's plain cookie if it sent one.
pub struct Rows {
    pub logins: Vec<Row>,
    pub plain_cookie: Option<String>,
}

/// Everything the page shows.
pub struct SessionsPage {
    pub username: String,
    pub others: Vec<String>,
    pub rows: Rows,
    /// How many logins the last action ended.
    pub ended: Option<usize>,
}

/// Unix seconds to the minute in UTC, as (`2026-12-03`, `12:52`); `None` outside the calendar.
fn date_and_minute(unix: u64) -> Option<(String, String)> {
    let at = time::OffsetDateTime::from_unix_timestamp(unix as i64).ok()?;
    let date = format!("{}-{:02}-{:02}", at.year(), u8::from(at.month()), at.day());
    Some((date, format!("{:02}:{:02}", at.hour(), at.minute())))
}

/// Unix seconds as `2026-12-03 12:52 UTC`.
fn when(unix: u64) -> String {
    date_and_minute(unix).map_or_else(
        || unix.to_string(),
        |(date, minute)| format!("{date} {minute} UTC"),
    )
}

/// A moment as a `<time>` element: readable text, and the machine-readable instant
/// (`2026-12-03T12:52Z`).
#[component]
fn Moment(unix: u64) -> impl IntoView {
    let datetime = date_and_minute(unix).map(|(date, minute)| format!("{date}T{minute}Z"));
    view! { <time datetime=datetime>{when(unix)}</time> }
}

#[component]
fn Lessons() -> impl IntoView {
    view! {
        <section class="lesson" aria-labelledby="lessons-title">
            <h2 id="lessons-title">"What the server can take back"</h2>
            <dl>
                <dt>"A session, yes; a plain cookie, no"</dt>
                <dd>"A session lives on the server: ending it deletes the record, and the cookie's id "
                    "then points at nothing. The plain "<code>"user"</code>" cookie lives only in the "
                    "browser and the server never wrote anything down, so there is nothing it could end."</dd>
                <dt>"A stateless token needs a denylist or a short life"</dt>
                <dd>"A signed token stays valid until it expires, wherever it is copied. To end one "
                    "early the server must remember to refuse it (the denylist of login ids every "
                    "lab checks), or give it a life so short that waiting is enough."</dd>
                <dt>"Rotation plus reuse detection"</dt>
                <dd>"The API pairs a short access token (5 minutes by default) with a refresh token "
                    "that works once. "
                    "A thief who copies a refresh token must use it before its owner does; whoever "
                    "comes second presents a used token, and the server then ends the whole login "
                    "for both of them."</dd>
            </dl>
        </section>
    }
}

#[component]
fn Family(entries: Vec<RefreshEntry>, ended: bool) -> impl IntoView {
    let empty = entries.is_empty();
    view! {
        {ended.then(|| view! {
            <p class="notice refused" data-testid="family-revoked">
                "Ended: a used refresh token was presented again, so every token of this login is refused."
            </p>
        })}
        {(!empty).then(|| view! {
            <details>
                <summary>{format!("Refresh tokens ({})", entries.len())}</summary>
                <ul class="family" data-testid="family">
                    {entries.into_iter().map(|entry| {
                        let status = match (entry.retired_at, entry.replayed_at) {
                            (_, Some(at)) => format!("used, then presented again at {}: the login was revoked", when(at)),
                            (Some(at), None) => format!("used at {}", when(at)),
                            (None, None) if ended => "refused: its login was revoked".to_owned(),
                            (None, None) => "live: the next refresh uses it".to_owned(),
                        };
                        view! {
                            <li><code>{entry.label}</code>{format!(" issued {} — {status}", when(entry.issued_at))}</li>
                        }
                    }).collect_view()}
                </ul>
            </details>
        })}
    }
}

#[component]
fn LoginRow(row: Row) -> impl IntoView {
    let Row {
        login,
        this_browser,
        family,
        ended,
    } = row;
    let action = if this_browser {
        view! { <strong>"This browser"</strong><br/><small>"Use the lab's Log out."</small> }
            .into_any()
    } else if ended {
        view! { <small>"Ended"</small> }.into_any()
    } else {
        let label = format!("End this login ({}, {})", login.kind.label(), login.device);
        view! {
            <form method="post" action="/account/sessions/end">
                <input type="hidden" name="login" value=login.id.clone()/>
                <button type="submit" class="danger" aria-label=label>"End"</button>
            </form>
        }
        .into_any()
    };
    view! {
        <tr data-testid="login" data-kind=login.kind.code() data-this-browser=this_browser.then_some("true")>
            <td data-label="Where">
                {login.kind.label()}
                <br/><small>{login.kind.ending()}</small>
                {(login.kind == LoginKind::Api).then(|| view! { <Family entries=family ended/> })}
            </td>
            <td data-label="Device">{login.device.clone()}</td>
            <td data-label="Address"><code>{login.address.clone()}</code></td>
            <td data-label="Started"><Moment unix=login.started_at/></td>
            <td data-label="Last used"><Moment unix=login.last_seen/></td>
            <td>{action}</td>
        </tr>
    }
}

#[component]
fn TableRows(rows: Rows) -> impl IntoView {
    view! {
        {rows.logins.into_iter().map(|row| view! { <LoginRow row/> }).collect_view()}
        {rows.plain_cookie.map(|name| view! {
            <tr data-testid="login" data-kind="cookie" data-this-browser="true">
                <td data-label="Where">"Plain cookie lab"<br/><small>{format!("This browser's user cookie says \"{name}\".")}</small></td>
                <td data-label="Device" colspan="4">"The server cannot end this: it never knew about it."</td>
                <td><strong>"This browser"</strong></td>
            </tr>
        })}
    }
}

/// The rows alone, for the island's refresh (`GET /account/sessions/rows`).
pub fn rows_fragment(rows: Rows) -> Response {
    let html = Owner::new().with(|| view! { <TableRows rows/> }.to_html());
    ([(header::CACHE_CONTROL, "no-store")], Html(html)).into_response()
}

/// The page of the account's logins; `islands` loads the wasm that keeps the list current.
pub fn render(page: SessionsPage, islands: static_page::Islands<'_>) -> Response {
    let title = "Where you're signed in";
    static_page::render_with_islands(StatusCode::OK, title, islands, move || {
        let SessionsPage {
            username,
            others,
            rows,
            ended,
        } = page;
        let others_count = rows
            .logins
            .iter()
            .filter(|row| !row.this_browser && !row.ended)
            .count();
        view! {
            <h1>"Where you're signed in"</h1>
            <p>{format!("Every login of the account {username}, in every lab, the shop and the API, on every server process sharing the session store.")}</p>
            {ended.map(|n| view! {
                <p class="notice done" role="status" data-testid="ended">
                    {match n {
                        0 => "No other login was active: nothing was ended.".to_owned(),
                        1 => "Ended 1 login. Its next request is refused, on every instance.".to_owned(),
                        n => format!("Ended {n} logins. Their next requests are refused, on every instance."),
                    }}
                </p>
            })}
            {(!others.is_empty()).then(|| view! {
                <p class="caution">{format!("This browser is also signed in as {} in another lab; those logins are not shown here.", others.join(", "))}</p>
            })}
            <table class="cards-on-phone logins">
                <caption class="visually-hidden">"Active logins"</caption>
                <thead>
                    <tr><th scope="col">"Where"</th><th scope="col">"Device"</th><th scope="col">"Address"</th>
                        <th scope="col">"Started"</th><th scope="col">"Last used"</th><th scope="col"><span class="visually-hidden">"Action"</span></th></tr>
                </thead>
                <tbody id=ROWS_ID>
                    <TableRows rows/>
                </tbody>
            </table>
            <LiveLogins/>
            {(others_count > 0).then(|| view! {
                <form method="post" action="/account/sessions/end-others">
                    <button type="submit" class="danger">"Sign out everywhere else"</button>
                </form>
            })}
            <Lessons/>
        }
    })
}

/// `401`: nobody is signed in in this browser.
pub fn not_signed_in() -> Response {
    static_page::render(StatusCode::UNAUTHORIZED, "Where you're signed in", || {
        view! {
            <ErrorView error=AppError::NotLoggedIn/>
            <p>"Log in in any lab or the shop, and this page lists every place your account is signed in: "
               <a href="/session/login">"session lab"</a>", "<a href="/jwt/login">"JWT lab"</a>", "
               <a href="/signed-cookie/login">"signed-cookie lab"</a>", "<a href="/shop/login">"shop"</a>"."</p>
        }
    })
}

/// A refused action, with the page's way back.
pub fn refused(status: StatusCode, message: &'static str) -> Response {
    static_page::render(status, "Where you're signed in", move || {
        view! {
            <section class="error" role="alert">
                <h1>"Nothing was ended"</h1>
                <p>{message}</p>
            </section>
            <p><a href="/account/sessions">"Back to where you're signed in"</a></p>
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moment_reads_the_same_for_people_and_machines() {
        let at = 1_796_302_350; // 2026-12-03 12:52:30 UTC
        assert_eq!(when(at), "2026-12-03 12:52 UTC");
        assert_eq!(
            date_and_minute(at),
            Some(("2026-12-03".to_string(), "12:52".to_string()))
        );
        // Past the calendar's range: the number itself, and no machine-readable form.
        let far = i64::MAX as u64;
        assert_eq!(when(far), far.to_string());
        assert_eq!(date_and_minute(far), None);
    }
}
