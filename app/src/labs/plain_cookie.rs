//! The `cookie` lab, exactly as the tutorial does it: `res.cookie('user', {username, count})`.
//!
//! The whole login is a cookie named `user` holding `{"username": …, "count": …}` as
//! percent-encoded JSON, with no `HttpOnly`, so page scripts can read it — and no signature,
//! so anyone can write it. The server believes whatever comes back. That is the lesson: open
//! the viewer, change the name, reload the profile, and you are someone else.
//!
//! This cookie is read **only** by this lab; nothing else in the app trusts it.

use crate::{
    accounts::service::AuthenticatedUser,
    cookies::jar::{CookieRules, LabCookie, Sent, SetCookie},
    error::AppError,
    labs::{Lab, LabInfo, Notice, Outcome, Visitor},
    state::AppState,
};
use async_trait::async_trait;
use percent_encoding::percent_decode_str;
use serde::{Deserialize, Serialize};

/// The cookie's JSON. Whatever a browser sends here is taken at its word.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlainUser {
    pub username: String,
    pub count: u64,
}

/// The longest name this lab will greet; the cookie is untrusted input like any other.
const MAX_NAME_CHARS: usize = 64;

impl PlainUser {
    /// Reads a cookie value the way the tutorial's cookie-parser would: percent-decoded JSON
    /// (a leading `j:`, Express's marker for JSON cookies, is accepted too). `None` for
    /// anything else, including names that are empty, too long or hold control characters.
    pub fn parse(raw: &str) -> Option<PlainUser> {
        let decoded = percent_decode_str(raw).decode_utf8().ok()?;
        let json = decoded.strip_prefix("j:").unwrap_or(&decoded);
        let user: PlainUser = serde_json::from_str(json).ok()?;
        let length = user.username.chars().count();
        let printable = !user.username.chars().any(char::is_control);
        (length > 0 && length <= MAX_NAME_CHARS && printable).then_some(user)
    }

    fn cookie(&self, rules: &CookieRules) -> Result<SetCookie, AppError> {
        let json = serde_json::to_string(self).map_err(|e| AppError::internal("cookie json", e))?;
        rules.set(LabCookie::PlainUser, json, None)
    }
}

pub struct PlainCookieLab;

impl PlainCookieLab {
    /// The `user` cookie's content, or the outcome to answer with when there is none.
    fn read(state: &AppState, visitor: &Visitor) -> Result<PlainUser, Outcome> {
        let rules = &state.cookies;
        match visitor.cookies.get(rules.name(LabCookie::PlainUser)) {
            Sent::Absent => Err(Outcome::anonymous()),
            Sent::One(raw) => PlainUser::parse(raw).ok_or_else(|| {
                Outcome::refused(Notice::Unreadable, Some(rules.remove(LabCookie::PlainUser)))
            }),
            Sent::Duplicated => Err(Outcome::refused(
                Notice::Twice,
                Some(rules.remove(LabCookie::PlainUser)),
            )),
        }
    }
}

#[async_trait]
impl Lab for PlainCookieLab {
    const INFO: LabInfo = LabInfo {
        slug: "cookie",
        cookie: crate::cookies::jar::LabCookie::PlainUser,
        title: "Plain cookie",
        lesson:
            "Your name and visit count travel in a cookie called user, as plain JSON that page \
                 scripts can read and change. The server keeps nothing and believes whatever the \
                 browser sends back, so anyone who edits the cookie becomes whoever they wrote.",
        logout_lesson: "Logging out only asks your browser to delete the cookie. The server has \
                        nothing to forget, and a saved copy of the cookie (or one typed by hand) \
                        logs in again at once.",
        logged_out: "Your browser deleted the user cookie; the server had nothing to forget.",
    };

    async fn current(state: &AppState, visitor: &Visitor) -> Result<Outcome, AppError> {
        Ok(match Self::read(state, visitor) {
            Ok(user) => Outcome::logged_in(user.username, user.count, Vec::new()),
            Err(outcome) => outcome,
        })
    }

    async fn log_in(
        state: &AppState,
        _: &Visitor,
        user: AuthenticatedUser,
    ) -> Result<Vec<SetCookie>, AppError> {
        let cookie = PlainUser {
            username: user.username,
            count: 0,
        }
        .cookie(&state.cookies)?;
        Ok(vec![cookie])
    }

    async fn visit(state: &AppState, visitor: &Visitor) -> Result<Outcome, AppError> {
        let mut user = match Self::read(state, visitor) {
            Ok(user) => user,
            Err(outcome) => return Ok(outcome),
        };
        user.count = user.count.saturating_add(1);
        let cookie = user.cookie(&state.cookies)?;
        Ok(Outcome::logged_in(user.username, user.count, vec![cookie]))
    }

    async fn log_out(state: &AppState, _: &Visitor) -> Result<Vec<SetCookie>, AppError> {
        Ok(vec![state.cookies.remove(LabCookie::PlainUser)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_browsers_and_express_write() {
        let expected = Some(PlainUser {
            username: "mallory".into(),
            count: 7,
        });
        let json = r#"{"username":"mallory","count":7}"#;
        assert_eq!(PlainUser::parse(json), expected);
        let encoded = "%7B%22username%22%3A%22mallory%22%2C%22count%22%3A7%7D";
        assert_eq!(PlainUser::parse(encoded), expected);
        assert_eq!(PlainUser::parse(&format!("j%3A{encoded}")), expected);
    }

    #[test]
    fn rejects_what_is_not_a_user() {
        for raw in [
            "",
            "mallory",
            "%ff%fe",
            r#"{"username":"","count":1}"#,
            r#"{"username":"m","count":-1}"#,
            r#"{"username":"m","count":"1"}"#,
            r#"{"username":"a\nb","count":1}"#,
            &format!(r#"{{"username":"{}","count":1}}"#, "x".repeat(65)),
        ] {
            assert_eq!(PlainUser::parse(raw), None, "{raw}");
        }
    }
}
