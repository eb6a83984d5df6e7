//! The wasm entry point: hydrates the server-rendered page so its buttons come alive.

use leptos::prelude::set_timeout;
use std::time::Duration;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Rust panic messages in the console, while developing: in the release bundle the hook
    // costs more bytes than the sessions page's live list (docs/design.md).
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    // Islands mode: only the `#[island]` components of `app` come alive; the rest of the page
    // stays the server's HTML. Leptos' loader hydrates each island right after this returns.
    app::hydrate_islands();
    // A marker for tests and the curious: from here on, the page is live. A zero timeout runs
    // after the loader has hydrated every island, so the marker means all of them.
    set_timeout(mark_hydrated, Duration::ZERO);
}

fn mark_hydrated() {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
