//! The plain cookie lab reads `user=<percent-encoded JSON>` the way cookie-parser does. Any
//! value must give a user or `None`, and a user it gives must obey the lab's name rules.
#![no_main]

use app::labs::plain_cookie::PlainUser;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|raw: &str| {
    if let Some(user) = PlainUser::parse(raw) {
        let chars = user.username.chars().count();
        assert!(
            (1..=64).contains(&chars),
            "name of {chars} characters accepted"
        );
        assert!(!user.username.chars().any(char::is_control));
    }
});
