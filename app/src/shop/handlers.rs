//! The shop's routes. Pages are rendered from the session: who is logged in, how many apples.
//! The POST routes are plain HTML forms, so the shop works with JavaScript off; successes
//! redirect with `303 See Other` (Post/Redirect/Get), failures render a page.

use super::{
    pages::{Apples, Checkout, NotLoggedIn, Paid, ShopHome, ShopLoginPage},
    service::Shop,
};
use crate::{
    accounts::forms::LoginForm,
    accounts::service::Credentials,
    components::{site_files::Bundle, static_page},
    error::AppError,
    limits::PasswordCheck,
    sessions::LabSession,
};
use axum::{
    extract::{FromRef, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::get,
    Extension, Form, Router,
};
use leptos::{nonce::Nonce, prelude::*};

/// The routes, for any router state that can hand out the [`Shop`] service and the Leptos
/// options (for the page with an island).
pub fn router<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    Shop: FromRef<S>,
    LeptosOptions: FromRef<S>,
{
    Router::new()
        .route("/shop", get(home))
        .route("/shop/login", get(login_page).post(log_in))
        .route("/shop/apple", get(apples_page).post(add_apple))
        .route("/shop/checkout", get(checkout_page).post(pay))
        .route("/shop/logout", axum::routing::post(log_out))
}

/// The logged-in shopper's name; `None` when nobody is.
async fn shopper_name(shop: &Shop, session: &LabSession) -> Result<Option<String>, AppError> {
    match shop.shopper(session).await {
        Ok(login) => Ok(Some(login.user.username)),
        Err(AppError::NotLoggedIn) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The page for a successful read, or the error page (`401` with a way to log in when nobody
/// is logged in).
fn page_or_error<T>(read: Result<T, AppError>, page: impl FnOnce(T) -> Response) -> Response {
    match read {
        Ok(value) => page(value),
        Err(AppError::NotLoggedIn) => static_page::render(
            StatusCode::UNAUTHORIZED,
            AppError::NotLoggedIn.heading(),
            || {
                view! { <NotLoggedIn/> }
            },
        ),
        Err(error) => static_page::error_page(error),
    }
}

async fn home(State(shop): State<Shop>, session: LabSession) -> Response {
    page_or_error(shopper_name(&shop, &session).await, |shopper| {
        static_page::render(StatusCode::OK, "Apple shop", move || {
            view! { <ShopHome shopper/> }
        })
    })
}

async fn login_page(State(shop): State<Shop>, session: LabSession) -> Response {
    page_or_error(shopper_name(&shop, &session).await, |shopper| {
        static_page::render(StatusCode::OK, "Log in to the shop", move || {
            view! { <ShopLoginPage shopper/> }
        })
    })
}

/// The only shop page with an island (the "Add an apple" button), so it loads the wasm.
async fn apples_page(
    State(shop): State<Shop>,
    State(options): State<LeptosOptions>,
    session: LabSession,
    nonce: Option<Extension<Nonce>>,
) -> Response {
    page_or_error(shop.apples(&session).await, |apples| {
        let islands = static_page::Islands::new(&options, nonce, Bundle::Shop);
        static_page::render_with_islands(StatusCode::OK, "Apples", islands, move || {
            view! { <Apples apples/> }
        })
    })
}

async fn checkout_page(State(shop): State<Shop>, session: LabSession) -> Response {
    page_or_error(shop.apples(&session).await, |apples| {
        static_page::render(StatusCode::OK, "Checkout", move || {
            view! { <Checkout apples/> }
        })
    })
}

async fn log_in(
    State(shop): State<Shop>,
    session: LabSession,
    check: PasswordCheck,
    Form(credentials): Form<Credentials>,
) -> Response {
    let username = credentials.username.clone();
    match shop.log_in(&session, credentials, check).await {
        Ok(()) => Redirect::to("/shop/login").into_response(),
        Err(error @ AppError::InvalidCredentials) => {
            static_page::render(StatusCode::UNAUTHORIZED, "Log in", move || {
                view! {
                    <h1>"Log in to the apple shop"</h1>
                    <LoginForm action="/shop/login" error=error.to_string() username=username/>
                }
            })
        }
        Err(error) => static_page::error_page(error),
    }
}

async fn add_apple(State(shop): State<Shop>, session: LabSession) -> Response {
    page_or_error(shop.add_apple(&session).await, |_| {
        Redirect::to("/shop/apple").into_response()
    })
}

async fn pay(State(shop): State<Shop>, session: LabSession) -> Response {
    page_or_error(shop.pay(&session).await, |apples| {
        static_page::render(StatusCode::OK, "Checkout", move || {
            view! { <Paid apples/> }
        })
    })
}

async fn log_out(State(shop): State<Shop>, session: LabSession) -> Response {
    page_or_error(shop.log_out(&session).await, |()| {
        Redirect::to("/shop").into_response()
    })
}
