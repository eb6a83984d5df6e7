//! The sessions page's one island: it keeps the list current without a reload. Every few
//! seconds it asks the server for the rows again (`GET /account/sessions/rows`, rendered there
//! exactly as on the page) and swaps them in, so a login started or ended elsewhere shows up
//! while the page stays open. Without JavaScript the page is the same list, as of its load.

use crate::browser;
use leptos::{prelude::*, task::spawn_local};
use std::time::Duration;

/// The `<tbody>` that holds the rows.
pub const ROWS_ID: &str = "login-rows";

/// Where the rows are rendered on their own.
pub const ROWS_URL: &str = "/account/sessions/rows";

/// Seconds between two refreshes.
pub const REFRESH_SECS: u64 = 5;

/// Renders nothing; once hydrated, refreshes the rows every [`REFRESH_SECS`] seconds. A row
/// set that fails to load (a network error, a login that ended meanwhile) leaves the last one.
// An island in the bundles that hydrate it; a plain component, left out, in the others.
#[cfg_attr(any(feature = "ssr", feature = "islands-sessions"), island)]
#[cfg_attr(not(any(feature = "ssr", feature = "islands-sessions")), component)]
pub fn LiveLogins() -> impl IntoView {
    browser::every(Duration::from_secs(REFRESH_SECS), || {
        spawn_local(async {
            if let Ok(answer) = browser::fetch("GET", ROWS_URL, &[], None).await {
                if answer.status == 200 {
                    browser::set_html(ROWS_ID, &answer.body);
                }
            }
        });
    });
}
