//! The `<head>` tags that bring a page's islands to life: hints that fetch the JS glue and the
//! wasm early, and the loader that hydrates each `#[island]` once they are in.
//!
//! This stands in for leptos' `<HydrationScripts islands=true/>`, whose loader waits for the
//! browser to be idle before it even imports the module. On `/inspector` that wait was most of
//! the time to interactive (the wasm had long arrived), so our copy of the loader
//! (`island_loader.js`) starts at once. Everything else is as leptos does it.

use super::site_files::Bundle;
use leptos::{config::LeptosOptions, nonce::use_nonce, prelude::*};

/// Leptos 0.8's island loader, minus the idle wait. Called with (root, pkg dir, JS file name,
/// wasm file name).
const LOADER: &str = include_str!("island_loader.js");

/// Loads `bundle` (or the complete bundle, where it was not built) and hydrates the page's
/// islands with it.
#[component]
pub fn IslandScripts(options: LeptosOptions, bundle: Bundle) -> impl IntoView {
    // As leptos' HydrationScripts does in islands mode: the server renders no hydration
    // markers outside islands, because nothing outside them hydrates.
    if let Some(context) = Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
    let pkg = format!("/{}", options.site_pkg_dir);
    // cargo-leptos names the JS glue and the wasm after the output name (no `_bg` suffix, as
    // `LEPTOS_OUTPUT_NAME` is set at build time); `scripts/bundles.sh` names them the same way.
    let name = bundle.file();
    let js = format!("{pkg}/{name}.js");
    let wasm = format!("{pkg}/{name}.wasm");
    // The file's header comment stays out of every page.
    let code = &LOADER[LOADER.find("((root").unwrap_or(0)..];
    let call = format!("{code}(\"\", {:?}, {name:?}, {name:?});", &pkg[1..]);
    view! {
        <link rel="modulepreload" href=js crossorigin="anonymous"/>
        <link rel="preload" href=wasm r#as="fetch" r#type="application/wasm" crossorigin="anonymous"/>
        <script type="module" nonce=use_nonce()>{call}</script>
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use leptos::nonce::Nonce;

    fn render(nonce: Option<Nonce>) -> String {
        let options = LeptosOptions::builder()
            .output_name("session-lab")
            .site_pkg_dir("pkg/0123456789abcdef")
            .build();
        Owner::new().with(|| {
            if let Some(nonce) = nonce {
                provide_context(nonce);
            }
            view! { <IslandScripts options bundle=Bundle::Shop/> }.to_html()
        })
    }

    /// `island_loader.js` is a copy of leptos' loader with one change, so leptos is pinned
    /// (`=0.8.23`) and this fails when the pinned loader is not the one that was copied.
    #[test]
    fn the_copy_matches_the_pinned_leptos_loader() {
        use sha2::{Digest, Sha256};
        let metadata = std::process::Command::new(env!("CARGO"))
            .args(["metadata", "--format-version=1", "--offline"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("cargo metadata");
        let metadata: serde_json::Value = serde_json::from_slice(&metadata.stdout).unwrap();
        let leptos = metadata["packages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|package| package["name"] == "leptos")
            .expect("leptos among the packages");
        let manifest = std::path::Path::new(leptos["manifest_path"].as_str().unwrap());
        let upstream = manifest.with_file_name("src/hydration/island_script.js");
        let upstream = std::fs::read(&upstream).expect("leptos' island_script.js");
        assert_eq!(
            hex(&Sha256::digest(&upstream)),
            "ceb71195c4a8aad1f390f5798aa7163f8e976c49b6fc8414458f265b31e9293d",
            "leptos {} changed its island loader: copy it into island_loader.js again, \
             re-apply the change described there, and update this hash",
            leptos["version"]
        );
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|byte| format!("{byte:02x}")).collect()
    }

    #[test]
    fn the_loader_starts_at_once_from_the_versioned_files() {
        let html = render(None);
        assert!(html.contains(
            r#"<link rel="modulepreload" href="/pkg/0123456789abcdef/session-lab.js" crossorigin="anonymous">"#
        ));
        assert!(html.contains(r#"href="/pkg/0123456789abcdef/session-lab.wasm" as="fetch""#));
        assert!(html
            .contains(r#"("", "pkg/0123456789abcdef", "session-lab", "session-lab");</script>"#));
        assert!(html.contains("hydrateIslands(document.body, mod)"));
        assert!(
            !html.contains("requestIdleCallback"),
            "the loader must not wait for idle time"
        );
        assert!(
            !html.contains("Leptos 0.8.23's island loader"),
            "the file's comment stays out"
        );
    }

    #[test]
    fn the_loader_carries_the_responses_nonce() {
        let nonce = Nonce::new();
        let html = render(Some(nonce.clone()));
        assert!(html.contains(&format!(r#"<script type="module" nonce="{nonce}">"#)));
    }
}
