//! Where pages link the built site files (the wasm, its JS glue, the stylesheet) from.
//!
//! The server serves them under `/pkg/<version>/`, the version being a hash of their contents
//! (`server/src/assets.rs`), so browsers may keep them for good: a new build has a new URL. The
//! version is fixed when the server starts and every page of the process links the same one,
//! error pages rendered far from any state included, so it is kept here, set once.
//!
//! Each page loads the wasm of its own islands only ([`Bundle`]): a visitor of the shop does
//! not download the token viewer. cargo-leptos builds one bundle with every island;
//! `scripts/bundles.sh` builds one per page group beside it. A page whose bundle was not built
//! (`cargo leptos watch` builds only the first) loads the complete one.

use std::sync::OnceLock;

/// What the server found built when it started.
struct Published {
    dir: String,
    bundles: Vec<Bundle>,
}

static PUBLISHED: OnceLock<Published> = OnceLock::new();

/// A page group's wasm: the islands its pages hydrate, and no others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bundle {
    /// The apple page's "Add an apple"; also loaded by pages with no island, which hydrate
    /// nothing but load the smallest bundle, the one the shop needs next.
    Shop,
    /// The cookie and token viewer.
    Inspector,
    /// The sessions page's live list.
    Sessions,
    /// The attack lab's runner.
    Attacks,
}

impl Bundle {
    pub const ALL: [Bundle; 4] = [Self::Shop, Self::Inspector, Self::Sessions, Self::Attacks];

    /// Its files' name under the pkg directory: `<name>.js` and `<name>.wasm`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Shop => "shop",
            Self::Inspector => "inspector",
            Self::Sessions => "sessions",
            Self::Attacks => "attacks",
        }
    }

    /// The files a page links: this bundle's if it was built, else the complete one.
    pub fn file(self) -> &'static str {
        match PUBLISHED.get() {
            Some(published) if published.bundles.contains(&self) => self.name(),
            _ => crate::OUTPUT_NAME,
        }
    }
}

/// What a built site holds: a hash of its files, and which bundles it has.
pub struct Site {
    pub version: String,
    pub bundles: Vec<Bundle>,
}

/// The directory, relative to the site root, that pages link: `pkg/<version>`, or `pkg` while
/// no version is known (a site not built, `cargo leptos watch`, unit tests).
pub fn pkg_dir() -> &'static str {
    PUBLISHED.get().map_or("pkg", |published| &published.dir)
}

/// Sets the version and the bundles once per process and returns the directory pages link;
/// later calls (more servers in one test process, on the same site) keep the first. `site`
/// runs only if nothing is set yet, so the files are hashed once.
pub fn publish(site: impl FnOnce() -> Option<Site>) -> &'static str {
    &PUBLISHED
        .get_or_init(|| match site() {
            Some(site) => Published {
                dir: format!("pkg/{}", site.version),
                bundles: site.bundles,
            },
            None => Published {
                dir: "pkg".to_string(),
                bundles: Vec::new(),
            },
        })
        .dir
}

/// The stylesheet's URL, for the `<head>` of every page.
pub fn stylesheet_url() -> String {
    format!("/{}/{}.css", pkg_dir(), crate::OUTPUT_NAME)
}
