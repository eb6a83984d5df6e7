//! A short device line from a `User-Agent` header, by woothee (a kept parser with a
//! cross-language test suite), e.g. "Firefox 128 on Linux". Only the line is stored.

use std::sync::LazyLock;
use woothee::parser::Parser;

/// Longer headers are cut before parsing: a device line needs only the start.
const MAX_PARSED_BYTES: usize = 512;

static PARSER: LazyLock<Parser> = LazyLock::new(Parser::new);

/// "Browser major-version on OS", or the product name for a client woothee does not know,
/// or "unknown device".
pub fn describe(user_agent: Option<&str>) -> String {
    let Some(agent) = user_agent.map(str::trim).filter(|a| !a.is_empty()) else {
        return "unknown device (no User-Agent)".to_owned();
    };
    let agent = cut(agent, MAX_PARSED_BYTES);
    if let Some(found) = PARSER.parse(agent).filter(|r| r.name != "UNKNOWN") {
        let major = found.version.split('.').next().unwrap_or("");
        let browser = if major.is_empty() || major == "UNKNOWN" {
            found.name.to_owned()
        } else {
            format!("{} {major}", found.name)
        };
        return if found.os == "UNKNOWN" {
            browser
        } else {
            format!("{browser} on {}", found.os)
        };
    }
    let product: String = agent
        .split(['/', ' '])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(40)
        .collect();
    if product.is_empty() {
        "unknown device".to_owned()
    } else {
        product
    }
}

/// At most `max` bytes of `text`, on a character boundary.
fn cut(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn names_browsers_systems_and_tools() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                      Chrome/131.0.0.0 Safari/537.36";
        assert_eq!(describe(Some(chrome)), "Chrome 131 on Linux");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 \
                      (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
        assert!(
            describe(Some(iphone)).contains("iPhone"),
            "{}",
            describe(Some(iphone))
        );
        assert!(describe(Some("curl/8.5.0")).contains("curl"));
        assert_eq!(
            describe(Some("SessionLabTest/1.0 (probe)")),
            "SessionLabTest"
        );
        assert_eq!(describe(None), "unknown device (no User-Agent)");
        assert_eq!(describe(Some("   ")), "unknown device (no User-Agent)");
        assert_eq!(describe(Some("\u{1}\u{2}")), "unknown device");
        let long = format!("{}é", "x".repeat(511));
        assert_eq!(describe(Some(&long)).len(), 40);
    }
}
