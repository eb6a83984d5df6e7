//! `#[app_test]`: an async test on a two-thread tokio runtime, like the binary's.
//!
//! On a single-threaded test runtime a page request twice hung a loaded CI run, and the server
//! never runs that way in production. One attribute says so once instead of on every test.

use proc_macro::TokenStream;

/// Runs an `async fn` test on a multi-threaded tokio runtime with two workers.
#[proc_macro_attribute]
pub fn app_test(args: TokenStream, item: TokenStream) -> TokenStream {
    if !args.is_empty() {
        return r##"compile_error!("#[app_test] takes no arguments");"##
            .parse()
            .unwrap();
    }
    let mut test: TokenStream = r#"#[::tokio::test(flavor = "multi_thread", worker_threads = 2)]"#
        .parse()
        .unwrap();
    test.extend(item);
    test
}
