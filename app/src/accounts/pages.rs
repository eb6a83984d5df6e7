//! The registration page.

use super::forms::{PasswordChangeForm, RegisterForm};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn RegisterPage() -> impl IntoView {
    view! {
        <Title text="Register"/>
        <h1>"Create an account"</h1>
        <p>"One account works in every lab. Registering does not log you in."</p>
        <RegisterForm/>
    }
}

#[component]
pub fn PasswordPage() -> impl IntoView {
    view! {
        <Title text="Change password"/>
        <h1>"Change your password"</h1>
        <p>
            "Changing the password logs you out everywhere: every session, signed cookie and "
            "token issued before the change stops working at once, on every server process."
        </p>
        <PasswordChangeForm/>
    }
}
