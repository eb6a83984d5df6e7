//! The username and password rules of docs/spec.md §2, in one place.

pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 32;
pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 128;

/// A username is 3–32 characters of `[A-Za-z0-9_.-]`.
pub fn check_username(username: &str) -> Result<(), String> {
    let length = username.chars().count();
    if !(USERNAME_MIN..=USERNAME_MAX).contains(&length) {
        return Err(format!(
            "The username must be {USERNAME_MIN} to {USERNAME_MAX} characters long."
        ));
    }
    if !username
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    {
        return Err("The username may contain only letters, digits, '_', '.' and '-'.".into());
    }
    Ok(())
}

/// A password is 8–128 characters (not bytes); no composition rules, as NIST advises.
pub fn check_password(password: &str) -> Result<(), String> {
    // Count at most PASSWORD_MAX + 1 characters so a huge input costs nothing.
    let length = password.chars().take(PASSWORD_MAX + 1).count();
    if !(PASSWORD_MIN..=PASSWORD_MAX).contains(&length) {
        return Err(format!(
            "The password must be {PASSWORD_MIN} to {PASSWORD_MAX} characters long."
        ));
    }
    Ok(())
}

/// Usernames are unique regardless of case: `Alice` and `alice` are one account.
pub fn username_key(username: &str) -> String {
    username.to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_follow_the_length_and_character_rules() {
        assert!(check_username("bob").is_ok());
        assert!(check_username("a.b-c_9").is_ok());
        assert!(check_username(&"x".repeat(32)).is_ok());
        assert!(check_username("ab").is_err());
        assert!(check_username(&"x".repeat(33)).is_err());
        assert!(check_username("bob smith").is_err());
        assert!(check_username("bøb").is_err());
        assert!(check_username("bob<script>").is_err());
    }

    #[test]
    fn passwords_are_counted_in_characters_not_bytes() {
        assert!(check_password("12345678").is_ok());
        assert!(check_password("1234567").is_err());
        assert!(check_password(&"é".repeat(128)).is_ok());
        assert!(check_password(&"é".repeat(129)).is_err());
        assert!(check_password(&"x".repeat(1_000_000)).is_err());
    }

    #[test]
    fn username_keys_ignore_case() {
        assert_eq!(username_key("Alice"), username_key("aLICE"));
    }
}
