//! Pieces every page shares: the layout, error views, forms, and (server only) whole pages
//! rendered without hydration for answers to form posts.

/// The `<head>` tags that load the wasm and hydrate the islands.
pub mod island_scripts;
/// The page frame (header, navigation, main) and error views.
pub mod layout;
/// The URL of the built site files (wasm, JS, CSS), versioned by their contents.
pub mod site_files;
/// Full HTML documents for responses to form posts.
#[cfg(feature = "ssr")]
pub mod static_page;
