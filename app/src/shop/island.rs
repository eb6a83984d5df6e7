//! The one part of the shop that runs in the browser: the "Add an apple" button.

use super::server_fns::AddApple;
use crate::{browser, error::AppError};
use leptos::{prelude::*, task::spawn_local};

/// Where the `add_apple` server function answers.
const ADD_APPLE_URL: &str = <AddApple as leptos::server_fn::ServerFn>::PATH;

/// The element that shows the count, rendered by the server and updated by the island.
pub const APPLE_COUNT_ID: &str = "apple-count";

/// The island's form, before which a failure is shown.
const APPLE_FORM_ID: &str = "add-apple";

pub fn apples_sentence(apples: u64) -> String {
    format!("You have {}!", count_of_apples(apples))
}

/// "1 apple", "N apples".
pub fn count_of_apples(apples: u64) -> String {
    match apples {
        1 => "1 apple".to_owned(),
        n => format!("{n} apples"),
    }
}

/// The "Add an apple" button. Without wasm it posts the form and the server redirects back
/// here; once hydrated it posts to the `add_apple` server function's endpoint and writes the
/// new count into the server-rendered sentence. An island: the only part of the shop that
/// ships as wasm. It takes no props and calls the endpoint with a plain `fetch` rather than
/// `ServerAction`: island props and server-function answers are decoded with serde, whose
/// deserializer alone would add 17 KB (brotli) to the bundle (see docs/design.md).
// An island in the bundles that hydrate it; a plain component, left out, in the others.
#[cfg_attr(any(feature = "ssr", feature = "islands-shop"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "islands-shop")), component)]
pub fn AddAppleInPlace() -> impl IntoView {
    browser::on_submit(APPLE_FORM_ID, || {
        spawn_local(async move {
            let failure = match add_apple_in_place().await {
                Ok(count) => {
                    browser::set_text(APPLE_COUNT_ID, &apples_sentence(count));
                    None
                }
                Err(error) => Some(error),
            };
            // Plain DOM calls rather than `on:submit` and a signal: Leptos' event delegation
            // and reactive graph would add ~4.4 KB and ~8 KB (brotli) to the shop's bundle.
            browser::show_alert_before(APPLE_FORM_ID, "form-error", failure.as_deref());
        });
    });
    view! {
        <form id=APPLE_FORM_ID method="post" action="/shop/apple">
            <button type="submit">"Add an apple"</button>
        </form>
    }
}

/// `POST /api/shop/add_apple`: the new count, or the server's error as the user should read it.
async fn add_apple_in_place() -> Result<u64, String> {
    let form = [("Content-Type", "application/x-www-form-urlencoded")];
    let answer = browser::fetch("POST", ADD_APPLE_URL, &form, None).await?;
    if answer.status == 200 {
        if let Ok(count) = answer.body.trim().parse() {
            return Ok(count);
        }
    }
    let error = browser::parse_json(&answer.body)
        .ok()
        .and_then(|json| AppError::from_json(&json));
    Err(error.unwrap_or(AppError::Internal).to_string())
}
