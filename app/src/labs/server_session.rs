//! The `session` lab: the cookie holds only a random id; `{username, count}` live in the
//! server's session store, under that id.
//!
//! This is express-session's way. The browser cannot change what it cannot see, so there is
//! nothing to forge; the id changes at login (a planted id is worthless) and the record is
//! deleted at logout (a copied cookie is worthless). The price is state on the server: it must
//! be stored, survive restarts (SQLite does, memory does not) and be shared between processes.

use crate::{
    accounts::service::AuthenticatedUser,
    cookies::jar::SetCookie,
    error::AppError,
    labs::{Lab, LabInfo, LabLogin, Notice, Outcome, Visitor},
    logins::LoginKind,
    sessions::{Ended, Lookup, SessionEntry},
    state::AppState,
};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// What this lab keeps in the session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionLogin {
    pub user: AuthenticatedUser,
    pub count: u64,
}

impl SessionEntry for SessionLogin {
    const KEY: &'static str = "session";
    const KIND: LoginKind = LoginKind::Session;
    fn account(&self) -> &AuthenticatedUser {
        &self.user
    }
}

pub struct ServerSessionLab;

/// What the login page says about a session entry that ended.
fn notice(ended: Ended) -> Notice {
    match ended {
        Ended::TimedOut => Notice::TimedOut,
        Ended::PasswordChanged => Notice::PasswordChanged,
        Ended::Remotely => Notice::Ended,
    }
}

#[async_trait]
impl Lab for ServerSessionLab {
    const INFO: LabInfo = LabInfo {
        slug: "session",
        cookie: crate::cookies::jar::LabCookie::Session,
        title: "Server-side session",
        lesson: "Your browser gets a cookie holding only a random session id; your name and count \
                 live in the server's session store, under that id. There is nothing in the \
                 cookie to edit, and the id changes at every login. The price is server state: a \
                 memory store forgets everyone at restart, SQLite or Redis keep them.",
        logout_lesson: "Logging out deletes your record from the server's store. A copy of the \
                        old cookie now points at nothing, so it logs nobody in.",
        logged_out:
            "The server deleted your session record; the old session id now points at nothing.",
    };

    async fn current(state: &AppState, visitor: &Visitor) -> Result<Outcome, AppError> {
        Ok(
            match visitor
                .session
                .find::<SessionLogin>(&state.accounts)
                .await?
            {
                Lookup::Found(login) => {
                    Outcome::logged_in(login.user.username, login.count, Vec::new())
                }
                Lookup::Absent => Outcome::anonymous(),
                Lookup::Ended(ended) => Outcome::refused(notice(ended), None),
            },
        )
    }

    async fn log_in(
        _: &AppState,
        visitor: &Visitor,
        user: AuthenticatedUser,
    ) -> Result<Vec<SetCookie>, AppError> {
        // The session layer sets the cookie; the new id comes from `log_in`.
        visitor
            .session
            .log_in(SessionLogin { user, count: 0 })
            .await?;
        Ok(Vec::new())
    }

    async fn visit(state: &AppState, visitor: &Visitor) -> Result<Outcome, AppError> {
        let mut login = match visitor
            .session
            .find::<SessionLogin>(&state.accounts)
            .await?
        {
            Lookup::Found(login) => login,
            Lookup::Absent => return Ok(Outcome::anonymous()),
            Lookup::Ended(ended) => return Ok(Outcome::refused(notice(ended), None)),
        };
        login.count = login.count.saturating_add(1);
        let outcome = Outcome::logged_in(login.user.username.clone(), login.count, Vec::new());
        visitor.session.update(login).await?;
        Ok(outcome)
    }

    async fn log_out(_: &AppState, visitor: &Visitor) -> Result<Vec<SetCookie>, AppError> {
        visitor.session.log_out::<SessionLogin>().await?;
        Ok(Vec::new())
    }

    async fn login(state: &AppState, visitor: &Visitor) -> Result<Option<LabLogin>, AppError> {
        let Some(login) = visitor.session.get::<SessionLogin>(&state.accounts).await? else {
            return Ok(None);
        };
        let id = visitor.session.login_id::<SessionLogin>().await?;
        Ok(id.map(|id| LabLogin {
            user: login.user,
            id,
        }))
    }
}
