//! The shop's pages, rendered by the handlers in [`super::handlers`] from what the session
//! says. Each is a whole document; only `/shop/apple` carries an island, and every button is
//! a plain form that also works without wasm.

use super::island::{apples_sentence, count_of_apples, AddAppleInPlace, APPLE_COUNT_ID};
use crate::{accounts::forms::LoginForm, components::layout::ErrorView, error::AppError};
use leptos::prelude::*;

#[component]
fn LogoutButton() -> impl IntoView {
    view! {
        <form method="post" action="/shop/logout">
            <button type="submit" class="secondary">"Log out"</button>
        </form>
    }
}

/// `GET /shop`: the links, and who is logged in.
#[component]
pub fn ShopHome(shopper: Option<String>) -> impl IntoView {
    view! {
        <h1>"The Apple Store"</h1>
        <p>"Welcome! Log in, add apples to your cart, and check out."</p>
        <ul class="actions">
            <li><a href="/shop/login">"Log in"</a></li>
            <li><a href="/shop/apple">"Add apples"</a></li>
            <li><a href="/shop/checkout">"Check out"</a></li>
        </ul>
        {match shopper {
            Some(name) => view! {
                <p>"You are logged in as " <strong>{name}</strong> "."</p>
                <LogoutButton/>
            }.into_any(),
            None => view! { <p>"You are not logged in yet."</p> }.into_any(),
        }}
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

/// `GET /shop/login`: the form, or "You are now logged in".
#[component]
pub fn ShopLoginPage(shopper: Option<String>) -> impl IntoView {
    view! {
        <h1>"Log in to the apple shop"</h1>
        {match shopper {
            Some(name) => view! {
                <p class="result">"You are now logged in"</p>
                <p>"Welcome, " <strong>{name}</strong> ". "
                    <a href="/shop/apple">"Add some apples"</a> "."</p>
                <LogoutButton/>
            }.into_any(),
            None => view! {
                <LoginForm action="/shop/login"/>
                <p>"No account yet? " <a href="/register">"Register"</a> "."</p>
            }.into_any(),
        }}
    }
}

/// `GET /shop/apple`: the count, and the button that adds one.
#[component]
pub fn Apples(apples: u64) -> impl IntoView {
    view! {
        <h1>"Number of Apples"</h1>
        <p class="result" id=APPLE_COUNT_ID data-testid="apple-count" aria-live="polite">
            {apples_sentence(apples)}
        </p>
        <AddAppleInPlace/>
        <p><a href="/shop/checkout">"Go to checkout"</a></p>
    }
}

/// `GET /shop/checkout`: the cart and the Pay button (none for an empty cart).
#[component]
pub fn Checkout(apples: u64) -> impl IntoView {
    view! {
        <h1>"Checkout"</h1>
        <p class="result">{format!("You have {} in your cart", count_of_apples(apples))}</p>
        {if apples == 0 {
            view! { <p>"Nothing to pay yet: " <a href="/shop/apple">"add some apples"</a> "."</p> }.into_any()
        } else {
            view! {
                <form method="post" action="/shop/checkout">
                    <button type="submit">"Pay"</button>
                </form>
            }.into_any()
        }}
    }
}

/// `POST /shop/checkout`: what was paid for, and the way back.
#[component]
pub fn Paid(apples: u64) -> impl IntoView {
    view! {
        <h1>"Checkout"</h1>
        {if apples == 0 {
            view! { <p class="result" role="status">"Your cart is empty: there was nothing to pay."</p> }.into_any()
        } else {
            view! {
                <p class="result notice done" role="status">
                    {format!("You paid for your {}!", count_of_apples(apples))}
                </p>
            }.into_any()
        }}
        <p><a href="/shop/apple">"Buy more apples"</a></p>
    }
}

/// `401` on a shop page: the tutorial's "Error!" and "You are not logged in", and the way to
/// log in.
#[component]
pub fn NotLoggedIn() -> impl IntoView {
    view! {
        <ErrorView error=AppError::NotLoggedIn/>
        <p><a href="/shop/login">"Log in to the shop"</a> " or " <a href="/register">"create an account"</a> "."</p>
    }
}
