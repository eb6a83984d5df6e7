//! "On a naive server": what a server built the way the attack expects would answer the same
//! request. Computed in the browser from the request itself — the token's header, its claims,
//! the cookie — never by a vulnerable endpoint on this server. Plain Rust, so it is tested
//! natively; the one step that needs cryptography (checking an HMAC under the key the naive
//! server picked) is left to the caller, which asks WebCrypto.

use crate::inspector::{base64, jar_model, token};
use serde_json::{Map, Value};

/// How the naive server of an attack's card is built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// A verifier that lets the token choose: its `alg`, its key (`jwk`, `jku`, `x5u`), where
    /// to look the key up (`kid`).
    TrustsHeader,
    /// Code that base64-decodes the payload and never verifies the signature or the claims.
    DecodesOnly,
    /// A verifier whose HMAC secret is a dictionary word.
    WeakSecret,
    /// The tutorial's cookie login: whatever the cookie says is who you are.
    TrustsCookie,
    /// A server that acts on any request carrying its cookies.
    CookiesAlone,
    /// No computation applies: the card explains in words.
    Explained,
}

impl Model {
    /// The code on the card (`data-naive`), read back by the runner.
    pub fn code(self) -> &'static str {
        match self {
            Self::TrustsHeader => "trusts-header",
            Self::DecodesOnly => "decodes-only",
            Self::WeakSecret => "weak-secret",
            Self::TrustsCookie => "trusts-cookie",
            Self::CookiesAlone => "cookies-alone",
            Self::Explained => "explained",
        }
    }

    pub fn from_code(code: &str) -> Self {
        [
            Self::TrustsHeader,
            Self::DecodesOnly,
            Self::WeakSecret,
            Self::TrustsCookie,
            Self::CookiesAlone,
        ]
        .into_iter()
        .find(|model| model.code() == code)
        .unwrap_or(Self::Explained)
    }
}

/// What the naive server does with the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Naive {
    /// It answers, and says why it let the request through.
    Answers {
        status: u16,
        body: String,
        why: String,
    },
    /// It accepts if the token's HMAC-SHA256 checks out under `key` (found at `from`).
    ChecksHmac {
        key: Vec<u8>,
        from: String,
        body: String,
        signed: Signed,
    },
    /// It guesses its own secret is one of these, and accepts if one checks out.
    Cracks { body: String, signed: Signed },
    /// It refuses as well.
    Refuses(String),
}

/// What the token's signature covers, and the signature: what an HMAC check needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    pub input: String,
    pub signature: Vec<u8>,
}

impl Signed {
    fn of(token: &token::DecodedToken) -> Self {
        Self {
            input: token.signing_input(),
            signature: token.signature.clone().unwrap_or_default(),
        }
    }
}

/// Words a weak-secret naive server might have chosen, as a guessing tool tries them. The demo
/// token's secret ("secret", the tutorial's) is among them, not first.
pub const WORDS: &[&str] = &[
    "123456",
    "password",
    "12345678",
    "qwerty",
    "123456789",
    "12345",
    "1234",
    "111111",
    "1234567",
    "dragon",
    "123123",
    "baseball",
    "abc123",
    "football",
    "monkey",
    "letmein",
    "shadow",
    "master",
    "666666",
    "qwertyuiop",
    "123321",
    "mustang",
    "1234567890",
    "michael",
    "654321",
    "superman",
    "1qaz2wsx",
    "7777777",
    "121212",
    "000000",
    "qazwsx",
    "123qwe",
    "killer",
    "trustno1",
    "jordan",
    "jennifer",
    "zxcvbnm",
    "asdfgh",
    "hunter",
    "buster",
    "soccer",
    "harley",
    "batman",
    "andrew",
    "tigger",
    "sunshine",
    "iloveyou",
    "2000",
    "charlie",
    "robert",
    "thomas",
    "hockey",
    "ranger",
    "daniel",
    "starwars",
    "klaster",
    "112233",
    "george",
    "computer",
    "michelle",
    "jessica",
    "pepper",
    "1111",
    "zxcvbn",
    "555555",
    "11111111",
    "131313",
    "freedom",
    "777777",
    "pass",
    "maggie",
    "159753",
    "aaaaaa",
    "ginger",
    "princess",
    "joshua",
    "cheese",
    "amanda",
    "summer",
    "love",
    "ashley",
    "nicole",
    "chelsea",
    "biteme",
    "matthew",
    "access",
    "yankees",
    "987654321",
    "dallas",
    "austin",
    "thunder",
    "taylor",
    "matrix",
    "jwt",
    "key",
    "changeme",
    "test",
    "admin",
    "your-256-bit-secret",
    "supersecret",
    "secret",
    "secretkey",
    "jwtsecret",
    "mysecret",
    "default",
    "token",
];

/// The answer of the naive server of `model` to a request with this `Authorization` or
/// `Cookie` header. `key` is the naive server's own key text where the card names one (the
/// published public key an algorithm-confusion verifier holds).
pub fn judge(
    model: Model,
    authorization: Option<&str>,
    cookie: Option<&str>,
    key: Option<&str>,
) -> Naive {
    match model {
        Model::TrustsCookie => trusts_cookie(cookie.unwrap_or_default()),
        Model::CookiesAlone => Naive::Answers {
            status: 200,
            body: "the logout done, for the attacker's page".into(),
            why: "the browser sent the visitor's cookies with the form, and that is all it checks"
                .into(),
        },
        Model::Explained => Naive::Refuses("nothing to compute: see the card".into()),
        Model::TrustsHeader | Model::DecodesOnly | Model::WeakSecret => {
            let Some(token) = authorization.and_then(|a| token::decode(a).ok()) else {
                return Naive::Refuses("the request carries no token it can read".into());
            };
            let body = match &token.payload {
                Ok(claims) => answer_as(&claims.map),
                Err(error) => {
                    return Naive::Refuses(format!("the payload does not decode: {error}"))
                }
            };
            match model {
                Model::DecodesOnly => Naive::Answers {
                    status: 200,
                    body,
                    why: "it decodes the payload and never checks the signature or the claims"
                        .into(),
                },
                Model::WeakSecret => Naive::Cracks {
                    body,
                    signed: Signed::of(&token),
                },
                _ => trusts_header(&token, body, key),
            }
        }
    }
}

/// `/api/me`'s answer for these claims, as a server that believes them would give it.
fn answer_as(claims: &Map<String, Value>) -> String {
    let field = |name: &str| match claims.get(name) {
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
        None => "?".into(),
    };
    format!("you are {} (account {})", field("name"), field("sub"))
}

fn trusts_header(token: &token::DecodedToken, body: String, key: Option<&str>) -> Naive {
    let header = match &token.header {
        Ok(header) => &header.map,
        Err(error) => return Naive::Refuses(format!("the header does not decode: {error}")),
    };
    let text = |name: &str| header.get(name).and_then(Value::as_str);
    let alg = text("alg").unwrap_or_default();
    if alg.eq_ignore_ascii_case("none") {
        return Naive::Answers {
            status: 200,
            body,
            why: format!("the header says alg \"{alg}\", so it checks no signature"),
        };
    }
    if let Some(jwk) = header.get("jwk").and_then(Value::as_object) {
        return match jwk.get("k").and_then(Value::as_str) {
            Some(k) => match base64::decode(k, base64::Alphabet::UrlSafe) {
                Some(key) => Naive::ChecksHmac { key, from: "the jwk in the token's own header".into(), body, signed: Signed::of(token) },
                None => Naive::Refuses("the embedded key does not decode".into()),
            },
            None => Naive::Answers {
                status: 200,
                body,
                why: "it verifies with the public key in the token's header, whose private half the attacker signed with".into(),
            },
        };
    }
    for pointer in ["jku", "x5u"] {
        if let Some(url) = text(pointer) {
            return Naive::Answers {
                status: 200,
                body,
                why: format!("it fetches the key from {url}, which the attacker serves with the key that signed the token"),
            };
        }
    }
    if let Some(kid) = text("kid") {
        return match kid_lookup(kid) {
            Some((key, from)) => Naive::ChecksHmac {
                key,
                from,
                body,
                signed: Signed::of(token),
            },
            None => Naive::Refuses(format!("no key is found under kid {kid:?}")),
        };
    }
    match (alg, key) {
        ("HS256", Some(key)) => Naive::ChecksHmac {
            key: key.as_bytes().to_vec(),
            from: "its own public key (the published JWK), used as an HMAC secret because the header says HS256".into(),
            body,
            signed: Signed::of(token),
        },
        _ => Naive::Refuses(format!(
            "it has no key for {alg}: a naive server that only has an HMAC secret has nothing to confuse"
        )),
    }
}

/// The key a server that builds file paths or SQL from the kid would find.
fn kid_lookup(kid: &str) -> Option<(Vec<u8>, String)> {
    if let Some(at) = kid.to_ascii_uppercase().find("SELECT '") {
        let literal = &kid[at + "SELECT '".len()..];
        let end = literal.find('\'')?;
        return Some((
            literal.as_bytes()[..end].to_vec(),
            format!(
                "the row its string-built SQL returns: '{}'",
                &literal[..end]
            ),
        ));
    }
    if kid.contains("..") || kid.starts_with('/') {
        let file = kid.rsplit("../").next().unwrap_or(kid);
        // HMAC pads its key with zeros to the hash's block, so an empty key (an empty file)
        // signs exactly like 64 zero bytes, which WebCrypto accepts where it refuses "".
        return Some((
            vec![0; 64],
            format!(
                "the file the kid names (/{}: empty)",
                file.trim_start_matches('/')
            ),
        ));
    }
    None
}

/// The tutorial's cookie login reading the first cookie of its name.
fn trusts_cookie(cookie: &str) -> Naive {
    let Some((_, value)) = jar_model::parse_document_cookie(cookie).into_iter().next() else {
        return Naive::Refuses("the request carries no cookie".into());
    };
    let text = jar_model::percent_decode(&value).unwrap_or(value);
    // The browser's JSON.parse in the page (serde_json's parser would weigh on the bundle).
    let welcome = match crate::browser::parse_json(&text) {
        Ok(Value::Object(user)) => {
            let name = user.get("username").and_then(Value::as_str).unwrap_or("?");
            let count = user.get("count").and_then(Value::as_i64).unwrap_or(0) + 1;
            format!("welcome {name} with the count: {count}")
        }
        _ => {
            let decoded = base64::decode(&text, base64::Alphabet::Standard)
                .and_then(|bytes| String::from_utf8(bytes).ok())
                .unwrap_or(text);
            format!("welcome {decoded}")
        }
    };
    Naive::Answers {
        status: 200,
        body: welcome,
        why: "it believes what the cookie says; nothing seals it".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADMIN: &str = "eyJzdWIiOiIxIiwibmFtZSI6ImFkbWluIn0"; // {"sub":"1","name":"admin"}

    fn token(header: &str) -> String {
        format!(
            "Bearer {}.{ADMIN}.c2ln",
            token::encode_base64url(header.as_bytes())
        )
    }

    #[test]
    fn a_verifier_that_trusts_the_header_takes_its_word() {
        let none = judge(
            Model::TrustsHeader,
            Some(&token(r#"{"alg":"nOnE"}"#)),
            None,
            None,
        );
        assert!(
            matches!(none, Naive::Answers { status: 200, ref body, .. } if body == "you are admin (account 1)")
        );
        let jwk = judge(
            Model::TrustsHeader,
            Some(&token(
                r#"{"alg":"HS256","jwk":{"kty":"oct","k":"YXR0YWNrZXIta2V5"}}"#,
            )),
            None,
            None,
        );
        assert!(matches!(jwk, Naive::ChecksHmac { ref key, .. } if key == b"attacker-key"));
        let sql = judge(
            Model::TrustsHeader,
            Some(&token(
                r#"{"alg":"HS256","kid":"x' UNION SELECT 'k3y' -- "}"#,
            )),
            None,
            None,
        );
        assert!(matches!(sql, Naive::ChecksHmac { ref key, .. } if key == b"k3y"));
        let path = judge(
            Model::TrustsHeader,
            Some(&token(r#"{"alg":"HS256","kid":"../../dev/null"}"#)),
            None,
            None,
        );
        assert!(
            matches!(path, Naive::ChecksHmac { ref key, ref from, .. } if key == &[0; 64] && from.contains("/dev/null"))
        );
        let confused = judge(
            Model::TrustsHeader,
            Some(&token(r#"{"alg":"HS256"}"#)),
            None,
            Some("{\"kty\":\"OKP\"}"),
        );
        assert!(
            matches!(confused, Naive::ChecksHmac { ref key, .. } if key == b"{\"kty\":\"OKP\"}")
        );
        let nothing = judge(
            Model::TrustsHeader,
            Some(&token(r#"{"alg":"RS256"}"#)),
            None,
            None,
        );
        assert!(matches!(nothing, Naive::Refuses(_)));
    }

    #[test]
    fn the_empty_key_and_sixty_four_zero_bytes_sign_alike() {
        use jsonwebtoken::{crypto::sign, Algorithm, EncodingKey};
        let empty = sign(b"input", &EncodingKey::from_secret(b""), Algorithm::HS256).unwrap();
        let zeros = sign(
            b"input",
            &EncodingKey::from_secret(&[0; 64]),
            Algorithm::HS256,
        )
        .unwrap();
        assert_eq!(empty, zeros);
    }

    #[test]
    fn a_cookie_login_believes_its_cookie() {
        let edited = "user=%7B%22username%22%3A%22admin%22%2C%22count%22%3A1000%7D";
        assert!(
            matches!(judge(Model::TrustsCookie, None, Some(edited), None),
            Naive::Answers { ref body, .. } if body == "welcome admin with the count: 1001")
        );
        assert!(
            matches!(judge(Model::TrustsCookie, None, Some("s=bm90LXNlYWxlZC1ieS10aGUtc2VydmVy"), None),
            Naive::Answers { ref body, .. } if body == "welcome not-sealed-by-the-server")
        );
        assert_eq!(
            Model::from_code(Model::WeakSecret.code()),
            Model::WeakSecret
        );
        assert!(WORDS.contains(&"secret") && WORDS[0] != "secret");
    }
}
