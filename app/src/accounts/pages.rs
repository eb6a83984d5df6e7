//! The registration page.

use crate::components::forms::RegisterForm;
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
