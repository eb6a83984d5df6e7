//! Carrying a [`Notice`] across a redirect: the profile or the logout sets the `notice`
//! cookie (`<lab>:<code>`, a minute long), and that lab's login page shows it once and deletes
//! it. A cookie rather than a query string, so the redirect goes to the plain login URL; the
//! value only picks one of the server's own sentences, so a forged one can say nothing new.

use super::{Lab, LabInfo, Notice};
use crate::cookies::jar::{CookieRules, LabCookie, RequestCookies, Sent, SetCookie};

/// The cookie that takes `why` to `L`'s login page.
pub fn carry<L: Lab>(rules: &CookieRules, why: Notice) -> Option<SetCookie> {
    let value = value(&L::INFO, why);
    // A note is never worth failing the request.
    rules.set(LabCookie::Notice, value, None).ok()
}

/// The notice the request carries for `L`, if any; a notice cookie, for `L` or not, is
/// deleted by adding its removal to `cookies`.
pub fn take<L: Lab>(
    rules: &CookieRules,
    request: &RequestCookies,
    cookies: &mut Vec<SetCookie>,
) -> Option<Notice> {
    let raw = match request.get(rules.name(LabCookie::Notice)) {
        Sent::Absent => return None,
        Sent::One(raw) => Some(raw),
        Sent::Duplicated => None,
    };
    cookies.push(rules.remove(LabCookie::Notice));
    let (lab, code) = raw?.split_once(':')?;
    (lab == L::INFO.slug)
        .then(|| Notice::from_code(code))
        .flatten()
}

/// The notice cookie's value: `<lab>:<code>`.
pub fn value(lab: &LabInfo, why: Notice) -> String {
    format!("{}:{}", lab.slug, why.code())
}
