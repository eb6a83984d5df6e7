//! The shop's pages. Each loads what it shows through a server function, renders on the
//! server first, and hydrates; every button is a plain form that also works without wasm.

use super::api::{apples, shop_user, AddApple};

/// Where the `add_apple` server function answers.
const ADD_APPLE_URL: &str = <AddApple as leptos::server_fn::ServerFn>::PATH;
use crate::browser;
use crate::{
    components::{forms::LoginForm, layout::ErrorView},
    error::AppError,
};
use leptos::{ev::SubmitEvent, prelude::*, task::spawn_local};
use leptos_meta::Title;

#[component]
fn Loading() -> impl IntoView {
    view! { <p aria-busy="true">"Loading…"</p> }
}

#[component]
fn LogoutButton() -> impl IntoView {
    view! {
        <form method="post" action="/shop/logout">
            <button type="submit" class="secondary">"Log out"</button>
        </form>
    }
}

#[component]
pub fn ShopHomePage() -> impl IntoView {
    let user = Resource::new(|| (), |_| shop_user());
    view! {
        <Title text="Apple shop"/>
        <h1>"The Apple Store"</h1>
        <p>"Welcome! Log in, add apples to your cart, and check out."</p>
        <ul class="actions">
            <li><a href="/shop/login">"Log in"</a></li>
            <li><a href="/shop/apple">"Add apples"</a></li>
            <li><a href="/shop/checkout">"Check out"</a></li>
        </ul>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(Some(name)) => view! {
                        <p>"You are logged in as " <strong>{name}</strong> "."</p>
                        <LogoutButton/>
                    }.into_any(),
                    Ok(None) => view! { <p>"You are not logged in yet."</p> }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
        <aside class="lesson">
            <h2>"What is going on"</h2>
            <p>
                "Logging in gives your browser a cookie holding only a random session id. "
                "Who you are is kept on the server, under that id; the id changes at every login, "
                "and logging out deletes the server's record, so an old copy of the cookie is worthless."
            </p>
        </aside>
    }
}

#[component]
pub fn ShopLoginPage() -> impl IntoView {
    let user = Resource::new(|| (), |_| shop_user());
    view! {
        <Title text="Log in to the shop"/>
        <h1>"Log in to the apple shop"</h1>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(Some(name)) => view! {
                        <p class="result">"You are now logged in"</p>
                        <p>"Welcome, " <strong>{name}</strong> ". "
                            <a href="/shop/apple">"Add some apples"</a> "."</p>
                        <LogoutButton/>
                    }.into_any(),
                    Ok(None) => view! {
                        <LoginForm action="/shop/login"/>
                        <p>"No account yet? " <a href="/register">"Register"</a> "."</p>
                    }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn ApplePage() -> impl IntoView {
    let count = Resource::new(|| (), |_| apples());
    view! {
        <Title text="Apples"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match count.await {
                    Ok(apples) => view! {
                        <h1>"Number of Apples"</h1>
                        <p class="result" id=APPLE_COUNT_ID data-testid="apple-count" aria-live="polite">
                            {apples_sentence(apples)}
                        </p>
                        <AddAppleInPlace/>
                        <p><a href="/shop/checkout">"Go to checkout"</a></p>
                    }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The element that shows the count, rendered by the server and updated by the island.
const APPLE_COUNT_ID: &str = "apple-count";

fn apples_sentence(apples: u64) -> String {
    format!("You have {apples} apples!")
}

/// The "Add an apple" button. Without wasm it posts the form and the server redirects back
/// here; once hydrated it posts to the `add_apple` server function's endpoint and writes the
/// new count into the server-rendered sentence. An island: the only part of the shop that
/// ships as wasm. It takes no props and calls the endpoint with a plain `fetch` rather than
/// `ServerAction`: island props and server-function answers are decoded with serde, whose
/// deserializer alone would add 17 KB (brotli) to the bundle (see README, Design notes).
#[island]
fn AddAppleInPlace() -> impl IntoView {
    let failure = RwSignal::new(None::<String>);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        spawn_local(async move {
            match add_apple_in_place().await {
                Ok(count) => {
                    browser::set_text(APPLE_COUNT_ID, &apples_sentence(count));
                    failure.set(None);
                }
                Err(error) => failure.set(Some(error)),
            }
        });
    };
    view! {
        {move || failure.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
        <form method="post" action="/shop/apple" on:submit=on_submit>
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

#[component]
pub fn CheckoutPage() -> impl IntoView {
    let count = Resource::new(|| (), |_| apples());
    view! {
        <Title text="Checkout"/>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match count.await {
                    Ok(apples) => view! {
                        <h1>"Checkout"</h1>
                        <p class="result">{format!("You have {apples} apples in your cart")}</p>
                        <form method="post" action="/shop/checkout">
                            <button type="submit">"Pay"</button>
                        </form>
                    }.into_any(),
                    Err(error) => view! { <ErrorView error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
