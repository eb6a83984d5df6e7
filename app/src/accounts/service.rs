//! Registration and authentication: the account rules applied in a fixed order, so every
//! failure a user can see is decided before any expensive or revealing work is done.

use super::{
    password,
    store::{AccountStore, InsertOutcome},
    throttle::LoginThrottle,
    validation::{check_password, check_username, username_key},
    versions::VersionCache,
};
use crate::{error::AppError, limits::PasswordCheck};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The fields of the registration form. Missing fields arrive empty and fail validation.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Registration {
    pub username: String,
    pub password: String,
    pub confirm: String,
}

/// The fields of every login form.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

/// The fields of the password change form (`POST /account/password`).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PasswordChange {
    pub username: String,
    pub current: String,
    pub password: String,
    pub confirm: String,
}

/// Who proved their password, and under which credentials version. Every login state a lab
/// keeps (session entry, signed cookie, JWT) carries this, so a password change, which bumps
/// the version, revokes all of them at once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticatedUser {
    pub id: i64,
    pub username: String,
    pub version: i64,
}

impl AuthenticatedUser {
    /// The account and version a login of this user is recorded under.
    pub fn holder(&self) -> crate::logins::service::Holder {
        crate::logins::service::Holder {
            account_id: self.id,
            version: self.version,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Accounts {
    store: Arc<dyn AccountStore>,
    throttle: Arc<LoginThrottle>,
    versions: Arc<VersionCache>,
}

impl Accounts {
    pub fn new(
        store: Arc<dyn AccountStore>,
        throttle: Arc<LoginThrottle>,
        versions: VersionCache,
    ) -> Self {
        Self {
            store,
            throttle,
            versions: Arc::new(versions),
        }
    }

    /// Creates an account. Hashing the password spends a password check (`_check`).
    pub async fn register(
        &self,
        form: Registration,
        _check: PasswordCheck,
    ) -> Result<(), AppError> {
        let username = form.username.trim();
        check_username(username).map_err(AppError::Invalid)?;
        check_password(&form.password).map_err(AppError::Invalid)?;
        if form.password != form.confirm {
            return Err(AppError::Invalid("The two passwords do not match.".into()));
        }
        let hash = password::hash(form.password).await?;
        match self
            .store
            .insert(username, &username_key(username), &hash)
            .await?
        {
            InsertOutcome::Created => {
                tracing::info!(username, "account registered");
                Ok(())
            }
            InsertOutcome::UsernameTaken => Err(AppError::UsernameTaken),
        }
    }

    /// Checks a username and password. Unknown user and wrong password give the same error
    /// after the same amount of work. Repeated failures from one client on one account make
    /// that client wait; failures on one account from anywhere slow every attempt on it a
    /// little, but never refuse the right password ([`super::throttle`]).
    pub async fn authenticate(
        &self,
        credentials: Credentials,
        check: PasswordCheck,
    ) -> Result<AuthenticatedUser, AppError> {
        let Credentials { username, password } = credentials;
        // Malformed input can match no account: answer at once, without hashing a huge input.
        if check_username(&username).is_err() || check_password(&password).is_err() {
            return Err(AppError::InvalidCredentials);
        }
        let key = username_key(&username);
        let client = check.client;
        // The attempt counts as a failure from here on, forgiven if the password is right.
        match self.throttle.begin(&key, client) {
            Err(wait) => {
                tracing::warn!(username_key = %key, "login throttled for this client");
                return Err(AppError::TooManyAttempts {
                    retry_after_secs: wait.as_secs().max(1),
                });
            }
            Ok(delay) if !delay.is_zero() => {
                tracing::info!(username_key = %key, ?delay, "login slowed: failures on this account");
                tokio::time::sleep(delay).await;
            }
            Ok(_) => {}
        }
        let checked = async {
            let account = self.store.find_by_key(&key).await?;
            let stored_hash = account.as_ref().map(|a| a.password_hash.clone());
            Ok::<_, AppError>((password::verify(stored_hash, password).await?, account))
        };
        let (matches, account) = match checked.await {
            Ok(checked) => checked,
            Err(error) => {
                // No verdict (store down, server busy): the attempt does not count.
                self.throttle.undo(&key, client);
                return Err(error);
            }
        };
        if matches {
            let account = account.expect("verify succeeds only for a stored hash");
            self.throttle.succeeded(&key, client);
            Ok(AuthenticatedUser {
                id: account.id,
                username: account.username,
                version: account.credentials_version,
            })
        } else {
            tracing::info!(username_key = %key, "login failed");
            Err(AppError::InvalidCredentials)
        }
    }

    /// Whether a login state issued for `user` still stands: the account exists and its
    /// password has not changed since. The version comes from the [`VersionCache`] when it
    /// was read a moment ago, so a page view does not always cost a database query.
    pub async fn is_current(&self, user: &AuthenticatedUser) -> Result<bool, AppError> {
        let version = match self.versions.get(user.id) {
            Some(version) => version,
            None => {
                let version = self.store.credentials_version(user.id).await?;
                self.versions.put(user.id, version);
                version
            }
        };
        Ok(version == Some(user.version))
    }

    /// Changes a password after checking the current one (with the login throttle). Every
    /// session, signed cookie and token issued before is revoked by the version bump.
    /// Changes the password and returns the account under its new credentials version: every
    /// earlier login is revoked.
    pub async fn change_password(
        &self,
        form: PasswordChange,
        check: PasswordCheck,
    ) -> Result<crate::logins::service::Holder, AppError> {
        check_password(&form.password).map_err(AppError::Invalid)?;
        if form.password != form.confirm {
            return Err(AppError::Invalid(
                "The two new passwords do not match.".into(),
            ));
        }
        let user = self
            .authenticate(
                Credentials {
                    username: form.username,
                    password: form.current,
                },
                check,
            )
            .await?;
        let hash = password::hash(form.password).await?;
        match self.store.change_password(user.id, &hash).await? {
            Some(version) => {
                self.versions.put(user.id, Some(version));
                tracing::info!(username = %user.username, version, "password changed; earlier logins revoked");
                Ok(crate::logins::service::Holder {
                    account_id: user.id,
                    version,
                })
            }
            None => Err(AppError::InvalidCredentials),
        }
    }

    pub async fn ping(&self) -> Result<(), AppError> {
        self.store.ping().await
    }
}
