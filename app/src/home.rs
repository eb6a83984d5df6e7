//! The landing page: what Session Lab is and where each lab lives.

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="Home"/>
        <h1>"Session Lab"</h1>
        <p class="lead">
            "How does a server recognise your browser from one request to the next? "
            "Try it live: every lab below uses the same account."
        </p>
        <ol class="cards">
            <li>
                <h2><a href="/register">"1. Create an account"</a></h2>
                <p>
                    "Passwords are stored only as argon2id hashes. Registering does not log you in: "
                    "each lab has its own login."
                </p>
            </li>
            <li>
                <h2><a href="/shop">"2. The apple shop"</a></h2>
                <p>
                    "A server-side session, as in the express-session tutorial: the cookie holds only "
                    "a random session id; who you are lives on the server, and your cart in a store "
                    "that survives restarts."
                </p>
            </li>
        </ol>
    }
}
