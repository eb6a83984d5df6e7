//! The credential forms. They post to plain server routes, so they work before hydration and
//! with JavaScript off; labels are real `<label>`s for screen readers.

use super::validation::{PASSWORD_MAX, PASSWORD_MIN, USERNAME_MAX, USERNAME_MIN};
use leptos::prelude::*;

/// The error of the last attempt, above the fields.
#[component]
fn FormError(error: Option<String>) -> impl IntoView {
    error.map(|e| view! { <p class="form-error" role="alert">{e}</p> })
}

/// The username of an existing account (the login and password-change forms).
#[component]
fn UsernameField(username: String) -> impl IntoView {
    view! {
        <label for="username">"Username"</label>
        <input id="username" name="username" type="text" autocomplete="username"
            required maxlength=USERNAME_MAX.to_string() value=username/>
    }
}

/// The rule a new password follows, said next to its field.
fn password_rule() -> String {
    format!("{PASSWORD_MIN}–{PASSWORD_MAX} characters. Any characters.")
}

/// Username and password, posted to `action`. `error` is shown above the fields.
#[component]
pub fn LoginForm(
    #[prop(into)] action: String,
    #[prop(optional, into)] error: Option<String>,
    #[prop(optional, into)] username: String,
) -> impl IntoView {
    view! {
        <form class="stack" method="post" action=action>
            <FormError error/>
            <UsernameField username/>
            <label for="password">"Password"</label>
            <input id="password" name="password" type="password" autocomplete="current-password"
                required maxlength=PASSWORD_MAX.to_string()/>
            <button type="submit">"Log in"</button>
        </form>
    }
}

/// The registration form with the rules spelled out next to the fields.
#[component]
pub fn RegisterForm(
    #[prop(optional, into)] error: Option<String>,
    #[prop(optional, into)] username: String,
) -> impl IntoView {
    let username_rule =
        format!("{USERNAME_MIN}–{USERNAME_MAX} characters: letters, digits, '_', '.' or '-'.");
    let password_rule = password_rule();
    view! {
        <form class="stack" method="post" action="/register">
            <FormError error/>
            <label for="username">"Username"</label>
            <input id="username" name="username" type="text" autocomplete="username" required
                minlength=USERNAME_MIN.to_string() maxlength=USERNAME_MAX.to_string()
                pattern="[A-Za-z0-9_.\\-]+" aria-describedby="username-rule" value=username/>
            <small id="username-rule">{username_rule}</small>
            <label for="password">"Password"</label>
            <input id="password" name="password" type="password" autocomplete="new-password"
                required minlength=PASSWORD_MIN.to_string() maxlength=PASSWORD_MAX.to_string()
                aria-describedby="password-rule"/>
            <small id="password-rule">{password_rule}</small>
            <label for="confirm">"Confirm password"</label>
            <input id="confirm" name="confirm" type="password" autocomplete="new-password"
                required maxlength=PASSWORD_MAX.to_string()/>
            <button type="submit">"Create account"</button>
        </form>
    }
}

/// The password change form: the account, its current password, and the new one twice.
#[component]
pub fn PasswordChangeForm(
    #[prop(optional, into)] error: Option<String>,
    #[prop(optional, into)] username: String,
) -> impl IntoView {
    let password_rule = password_rule();
    view! {
        <form class="stack" method="post" action="/account/password">
            <FormError error/>
            <UsernameField username/>
            <label for="current">"Current password"</label>
            <input id="current" name="current" type="password" autocomplete="current-password"
                required maxlength=PASSWORD_MAX.to_string()/>
            <label for="password">"New password"</label>
            <input id="password" name="password" type="password" autocomplete="new-password"
                required minlength=PASSWORD_MIN.to_string() maxlength=PASSWORD_MAX.to_string()
                aria-describedby="password-rule"/>
            <small id="password-rule">{password_rule}</small>
            <label for="confirm">"Confirm new password"</label>
            <input id="confirm" name="confirm" type="password" autocomplete="new-password"
                required maxlength=PASSWORD_MAX.to_string()/>
            <button type="submit">"Change password"</button>
        </form>
    }
}
