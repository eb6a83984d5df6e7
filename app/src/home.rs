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
            <li>
                <h2>"3. Four ways to stay logged in"</h2>
                <p>
                    "The same login, profile and logout, four times: the login state kept in a "
                    <a href="/cookie/login">"plain cookie"</a>" you can edit, a "
                    <a href="/signed-cookie/login">"signed cookie"</a>" you cannot, a "
                    <a href="/session/login">"server-side session"</a>", and a "
                    <a href="/jwt/login">"JSON Web Token"</a>
                    ". Each profile counts your visits; compare what logging out really does."
                </p>
            </li>
            <li>
                <h2>"4. The JSON API"</h2>
                <p>
                    "Trade your password for a token at "<code>"POST /api/token"</code>", call "
                    <code>"GET /api/me"</code>" with it as a Bearer token, and see what the server "
                    "makes of your cookies at "<a href="/api/echo">"/api/echo"</a>". "
                    "The API is described at "
                    <a href="/api/openapi.json">"/api/openapi.json"</a>"."
                </p>
            </li>
            <li>
                <h2><a href="/inspector">"5. The cookie and token viewer"</a></h2>
                <p>
                    "See every cookie your browser holds for this site and the ones scripts cannot "
                    "see, your session record on the server, and what the server makes of each lab's "
                    "cookie. Edit the plain cookie and become someone else; decode, check and forge "
                    "JSON Web Tokens and watch the server refuse them."
                </p>
            </li>
            <li>
                <h2><a href="/account/password">"6. Change your password"</a></h2>
                <p>"It revokes every session, signed cookie and token issued before, at once."</p>
            </li>
        </ol>
    }
}
