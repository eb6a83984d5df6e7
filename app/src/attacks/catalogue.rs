//! The attacks, each with the requests that run it and what this server answers. The expected
//! reasons are the server's own messages (`TokenError`, `AppError`), so the page cannot drift
//! from the checks; `server/tests/api/attacks.rs` sends every request the page shows and holds
//! the server to them.

use super::{forge, naive::Model, runner::Script};
use crate::{
    cookies::jar::LabCookie,
    error::AppError,
    jwt::service::TokenError,
    labs::{notice, plain_cookie::PlainCookieLab, signed_cookie::SignedCookieLab, Lab, Notice},
    state::AppState,
};
use serde_json::{json, Value};

/// One request as an attacker would send it.
#[derive(Debug, Clone, Default)]
pub struct Crafted {
    pub method: &'static str,
    pub path: &'static str,
    /// The whole `Authorization` header value.
    pub authorization: Option<String>,
    /// The whole `Cookie` header value.
    pub cookie: Option<String>,
    pub origin: Option<String>,
    /// An `application/x-www-form-urlencoded` body.
    pub form: Option<&'static str>,
    /// The forged token in it, decoded on the card.
    pub token: Option<String>,
}

/// What this server answers: the status, and words of its answer (the JSON message, the
/// page, or the notice cookie's value) that say why.
#[derive(Debug, Clone, Default)]
pub struct Answer {
    pub status: u16,
    pub reason: String,
    /// What the page says instead of a notice code: the login page's words.
    pub explained: Option<String>,
}

/// One way of running an attack: a label, the request, the answer.
#[derive(Debug, Clone, Default)]
pub struct Variant {
    pub label: String,
    pub request: Crafted,
    pub answer: Answer,
    /// The naive server's own key, where its answer depends on one (the published public key
    /// an algorithm-confusion verifier holds).
    pub naive_key: Option<String>,
    /// A page on the lab's second origin that sends the request (a browser's page cannot
    /// forge `Origin`).
    pub run: Option<String>,
}

/// A card of the lab.
#[derive(Debug, Clone)]
pub struct Attack {
    pub slug: &'static str,
    pub title: &'static str,
    /// What the attacker wants.
    pub goal: &'static str,
    /// Requests that run it as they are. Attacks that need a login first list `steps` too.
    pub variants: Vec<Variant>,
    pub steps: Option<&'static str>,
    /// The check that stops it, and where it is.
    pub defence: &'static str,
    /// The rule it follows.
    pub reference: (&'static str, &'static str),
    /// What a verifier that trusts the header, or a session layer that adopts any id, would do.
    pub naive: &'static str,
    /// How the runner computes the naive server's answer in the page.
    pub model: Model,
    /// For an attack of several requests: the script the runner plays, and the words of the
    /// server's decisive answer.
    pub script: Option<(Script, String)>,
}

/// The attack lab's second origin (`server/src/second_origin.rs`): pages on another port of
/// this host, under the name the visitor used (same site) and the other loopback name (cross
/// site), that post a form to this server.
#[derive(Debug, Clone)]
pub struct SecondOrigin {
    pub same_site: String,
    pub cross_site: String,
}

/// What the forged tokens claim: to be account 1, "admin", of this issuer and audience.
fn payload(state: &AppState) -> Value {
    let settings = state.tokens.keys().settings();
    let now = crate::clock::unix_now();
    json!({
        "iss": settings.issuer, "aud": settings.audience, "sub": "1", "name": "admin",
        "count": 0, "iat": now, "exp": now + 600, "auth_time": now,
        "jti": "forged", "sid": "forged", "ver": 1
    })
}

fn bearer(label: impl Into<String>, token: String, answer: Answer) -> Variant {
    Variant {
        label: label.into(),
        request: Crafted {
            method: "GET",
            path: "/api/me",
            authorization: Some(format!("Bearer {token}")),
            token: Some(token),
            ..Crafted::default()
        },
        answer,
        ..Variant::default()
    }
}

fn refused(reason: TokenError) -> Answer {
    Answer {
        status: 401,
        reason: reason.to_string(),
        explained: None,
    }
}

/// A lab's redirect to its login page, which names the refusal.
fn redirected<L: Lab>(why: Notice) -> Answer {
    Answer {
        status: 303,
        reason: notice::value(&L::INFO, why),
        explained: Some(format!(
            "to the login page, which says \"{}\"",
            why.message(&L::INFO)
        )),
    }
}

/// Every attack, with tokens forged now for this server's issuer, audience and algorithm.
pub fn attacks(state: &AppState, second: Option<&SecondOrigin>) -> Vec<Attack> {
    let keys = state.tokens.keys();
    let algorithm = keys.settings().algorithm.name();
    let claims = payload(state);
    let header = |extra: Value| {
        let mut header = json!({"alg": algorithm, "typ": "JWT"});
        if let (Some(header), Some(extra)) = (header.as_object_mut(), extra.as_object()) {
            header.extend(extra.clone());
        }
        header
    };
    let hs256 = json!({"alg": "HS256", "typ": "JWT"});
    // Forgeries in the server's own algorithm, so that the signature check is what refuses
    // them whatever the algorithm; their signatures are HMACs, which an EdDSA or RS256
    // verifier refuses just the same.
    let ours = header(json!({}));
    let by_guess = forge::hs256(&hs256, &claims, b"secret");
    let other = forge::hs256(&ours, &json!({"sub": "2", "name": "someone"}), b"secret");
    let other_signature = other.rsplit('.').next().unwrap_or_default();
    let bad_signature = refused(TokenError::BadSignature);
    let plain = state.cookies.name(LabCookie::PlainUser);
    let signed = state.cookies.name(LabCookie::SignedUser);
    let admin_cookie = "%7B%22username%22%3A%22admin%22%2C%22count%22%3A1000%7D";

    vec![
        Attack {
            slug: "alg-none",
            title: "alg: none",
            goal: "Send a token with no signature at all, claiming to be the admin, and have the server believe it because the header says it needs no signature.",
            variants: ["none", "None", "NONE", "nOnE"]
                .into_iter()
                .map(|alg| {
                    let token = forge::with_signature(&json!({"alg": alg, "typ": "JWT"}), &claims, "");
                    bearer(format!("alg \"{alg}\""), token, refused(TokenError::Unsigned))
                })
                .collect(),
            steps: None,
            defence: "check_header (app/src/jwt/service.rs) refuses any spelling of \"none\" before anything else, and only the one configured algorithm is ever accepted: the header never chooses.",
            reference: ("RFC 8725 §3.1: perform algorithm verification", "https://www.rfc-editor.org/rfc/rfc8725#section-3.1"),
            naive: "A library that reads the algorithm from the header verifies \"none\" as valid: 200 with the admin's claims.",
            model: Model::TrustsHeader,
            script: None,
        },
        Attack {
            slug: "signature",
            title: "Stripped or borrowed signature",
            goal: "Keep the header and payload the attacker wrote and drop the signature, or copy in another token's, hoping the server only decodes.",
            variants: vec![
                bearer("signature stripped", forge::with_signature(&ours, &claims, ""), bad_signature.clone()),
                bearer("signature of another token", forge::with_signature(&ours, &claims, other_signature), bad_signature.clone()),
            ],
            steps: None,
            defence: "jsonwebtoken's decode in check_signed verifies the signature over the exact header and payload received; any change to either, or to the signature, fails.",
            reference: ("RFC 7515 §5.2: validating a JWS", "https://www.rfc-editor.org/rfc/rfc7515#section-5.2"),
            naive: "Code that base64-decodes the payload without verifying (a \"decode\" where \"verify\" was meant) answers 200 as admin.",
            model: Model::DecodesOnly,
            script: None,
        },
        Attack {
            slug: "weak-secret",
            title: "Weak HMAC secret",
            goal: "Sign the admin's token with a guessed secret (\"secret\", the classic tutorial value) and hope the server uses it too.",
            variants: vec![bearer(
                "signed with \"secret\"",
                by_guess,
                if algorithm == "HS256" {
                    bad_signature.clone()
                } else {
                    refused(TokenError::WrongAlgorithm { expected: algorithm })
                },
            )],
            steps: None,
            defence: if algorithm == "HS256" {
                "This server's HS256 secret is at least 32 bytes: drawn from the OS random generator at first start in development; in production the server will not start without one, or with one shorter than 32 bytes or visibly patterned. A random 32-byte secret is one of 2^256 ≈ 1.2 × 10^77; at a trillion guesses a second, trying half of them takes about 1.8 × 10^57 years."
            } else {
                "This server signs with a private key (EdDSA or RS256), so there is no shared secret to guess: an HS256 token is refused for its algorithm before any key is used."
            },
            reference: ("RFC 8725 §3.5: ensure cryptographic keys have sufficient entropy", "https://www.rfc-editor.org/rfc/rfc8725#section-3.5"),
            naive: "A server whose secret is a dictionary word is cracked offline from one token (hashcat runs billions of HMACs a second), then any token it wants is accepted.",
            model: Model::WeakSecret,
            script: None,
        },
        Attack {
            slug: "alg-confusion",
            title: "Algorithm confusion",
            goal: "Take the server's public key (published in its JWKS) and use it as an HMAC secret, in a token whose header says HS256, hoping the server verifies HS256 with whatever key it holds.",
            variants: vec![confusion(state, &claims)],
            steps: (algorithm == "HS256").then_some("This server uses HS256 and publishes no key (its JWKS is empty), so there is nothing to confuse: the request shows the header check refusing any algorithm but the configured one. Started with jwt_algorithm = EdDSA or RS256, this card signs an HS256 token with the published key."),
            defence: "The key and the algorithm are fixed at start (JwtKeys); a token whose header names another algorithm is refused before any key is used.",
            reference: ("RFC 8725 §2.1 and §3.1: algorithm verification", "https://www.rfc-editor.org/rfc/rfc8725#section-2.1"),
            naive: "A verifier that passes the header's \"alg\" and the one key it has to the library checks an HMAC made with the public key: 200 as admin.",
            model: Model::TrustsHeader,
            script: None,
        },
        Attack {
            slug: "key-in-header",
            title: "A key named by the token: jwk, jku, x5u",
            goal: "Embed the attacker's own public key in the header (jwk), or point at a URL that serves it (jku, x5u), sign with the matching private key, and have the server verify with it.",
            variants: [
                ("jwk", embedded_key(algorithm)),
                ("jku", json!({"jku": "https://attacker.example/jwks.json"})),
                ("x5u", json!({"x5u": "https://attacker.example/cert.pem"})),
            ]
            .into_iter()
            .map(|(name, extra)| {
                // Under HS256 the embedded key is the HMAC key that signs the token: exactly
                // the attack. Under EdDSA or RS256 the signature is a stand-in: the header is
                // refused before any key is used.
                let token = forge::hs256(&header(extra), &claims, b"attacker-key");
                bearer(format!("\"{name}\" in the header"), token, refused(TokenError::KeyHint(name)))
            })
            .collect(),
            steps: None,
            defence: "check_header refuses any header that embeds or points at a key or certificate (jku, x5u, jwk, x5c, x5t, x5t#S256) and any crit; a kid must equal the server's own. The server has one key and never fetches another (and RFC 7515 §10.3 asks that a key's origin be authenticated).",
            reference: ("RFC 8725 §3.10: do not trust received claims (jku, x5u)", "https://www.rfc-editor.org/rfc/rfc8725#section-3.10"),
            naive: "jwt.io-style verification with \"the key from the header\" accepts any token whose author also wrote the key: 200 as admin.",
            model: Model::TrustsHeader,
            script: None,
        },
        Attack {
            slug: "kid",
            title: "kid: path traversal and SQL injection",
            goal: "Make the server look its key up with an attacker's kid: a path to an empty file (../../dev/null, so the key is empty) or SQL that returns a key the attacker chose.",
            variants: [
                ("path traversal", "../../../../../../dev/null", &b""[..]),
                ("SQL injection", "x' UNION SELECT 'attacker-key' -- ", &b"attacker-key"[..]),
            ]
            .into_iter()
            .map(|(label, kid, key)| {
                let token = forge::hs256(&header(json!({"kid": kid})), &claims, key);
                bearer(format!("kid {label}"), token, refused(TokenError::UnknownKey))
            })
            .collect(),
            steps: None,
            defence: "The kid is compared with the one key id the server has (its RFC 7638 thumbprint, none for HS256); it is never a file name or a query.",
            reference: ("RFC 8725 §3.10: do not trust received claims (kid)", "https://www.rfc-editor.org/rfc/rfc8725#section-3.10"),
            naive: "A server that reads the key from a file named by the kid verifies with an empty key; one that selects it with string-built SQL verifies with the attacker's: 200 as admin.",
            model: Model::TrustsHeader,
            script: None,
        },
        Attack {
            slug: "claims",
            title: "Expired, not yet valid, mistyped or misaddressed",
            goal: "Use a token past its exp, before its nbf, with exp as a string, or made for another issuer or audience.",
            variants: [
                ("expired", json!({"exp": 1})),
                ("nbf in the future", json!({"nbf": 4_102_444_800_u64})),
                ("exp as a string", json!({"exp": "9999999999"})),
                ("another issuer", json!({"iss": "https://attacker.example"})),
                ("another audience", json!({"aud": "another-service"})),
            ]
            .into_iter()
            .map(|(label, change)| {
                let mut forged = claims.clone();
                if let (Some(forged), Some(change)) = (forged.as_object_mut(), change.as_object()) {
                    forged.extend(change.clone());
                }
                bearer(label, forge::hs256(&ours, &forged, b"secret"), bad_signature.clone())
            })
            .collect(),
            steps: Some("An attacker cannot sign these, so the signature check refuses them first, as above. The claim checks guard tokens this server did sign: a captured token after its exp answers \"the token has expired (exp)\", and exp and nbf are checked with a 5 s leeway (the integration tests sign such tokens with the server's real key to prove each check)."),
            defence: "check_signed validates exp, nbf, iss and aud with jsonwebtoken, explain() names a missing or mistyped claim, and check_login_age refuses a login older than its absolute lifetime (auth_time).",
            reference: ("RFC 7519 §4.1 (exp, nbf, iss, aud) and RFC 8725 §3.8–3.9", "https://www.rfc-editor.org/rfc/rfc7519#section-4.1"),
            naive: "A decoder that skips the registered claims accepts a token for ever, from anyone's issuer, for any service.",
            model: Model::DecodesOnly,
            script: None,
        },
        Attack {
            slug: "replay-after-logout",
            title: "Replay after logout",
            goal: "Copy a token (or a session cookie) before its owner logs out, and keep using it.",
            variants: Vec::new(),
            steps: Some("Log in through the API (POST /api/token), keep the access token, POST /api/logout with it, then send it to GET /api/me: 401, \"the token was revoked by a logout\". For the session lab, the logout deletes the record, so the copied sid is anonymous."),
            defence: "Tokens::revoke puts the token's jti and its login's sid on the denylist, beside the sessions, until they would have expired; LabSession::log_out deletes the session record, or moves the other labs' logins to a new id: the copied sid is dead either way.",
            reference: ("OWASP JWT cheat sheet: token explicit revocation by the user", "https://cheatsheetseries.owasp.org/cheatsheets/JSON_Web_Token_for_Java_Cheat_Sheet.html#token-explicit-revocation-by-the-user"),
            naive: "A stateless server that only checks signatures accepts the copied token until its exp.",
            model: Model::Explained,
            script: Some((Script::Replay, TokenError::Revoked.to_string())),
        },
        Attack {
            slug: "session-fixation",
            title: "Session fixation",
            goal: "Plant a session id in the victim's browser before they log in, then use the same id once they have.",
            variants: Vec::new(),
            steps: Some("Send POST /session/login with a Cookie: sid=<an id you chose> (__Host-sid over https) and the right password: the answer sets a new sid, and the planted one stays anonymous (an id the store does not know is never adopted)."),
            defence: "LabSession::log_in cycles the session id at every login; tower-sessions never adopts an id its store does not know.",
            reference: ("OWASP session fixation", "https://owasp.org/www-community/attacks/Session_fixation"),
            naive: "A session layer that keeps the id across login (or adopts any id it is sent) logs the attacker in with the victim.",
            model: Model::Explained,
            script: Some((Script::Fixation, String::new())),
        },
        Attack {
            slug: "cookie-tampering",
            title: "Cookie tampering",
            goal: "Edit a cookie to become someone else.",
            variants: vec![
                Variant {
                    label: "the plain user cookie, edited: this one works".into(),
                    request: Crafted { method: "GET", path: "/cookie/profile", cookie: Some(format!("{plain}={admin_cookie}")), ..Crafted::default() },
                    answer: Answer { status: 200, reason: "welcome admin with the count: 1001".into(), explained: None },
                    ..Variant::default()
                },
                Variant {
                    label: "the signed cookie, forged: sent to the login page, which says it failed its seal check".into(),
                    request: Crafted { method: "GET", path: "/signed-cookie/profile", cookie: Some(format!("{signed}=bm90LXNlYWxlZC1ieS10aGUtc2VydmVy")), ..Crafted::default() },
                    answer: redirected::<SignedCookieLab>(Notice::SealBroken),
                    ..Variant::default()
                },
                Variant {
                    label: "the plain cookie, sent twice: sent to the login page, which says so".into(),
                    request: Crafted { method: "GET", path: "/cookie/profile", cookie: Some(format!("{plain}={admin_cookie}; {plain}={admin_cookie}")), ..Crafted::default() },
                    answer: redirected::<PlainCookieLab>(Notice::Twice),
                    ..Variant::default()
                },
            ],
            steps: None,
            defence: "The plain cookie lab trusts its cookie on purpose: that is the tutorial's lesson. The signed cookie is AES-256-GCM sealed with its name bound in (signed_cookie::open); a cookie sent twice is refused by the plain cookie, signed cookie and JWT labs (RequestCookies::get reports it as duplicated).",
            reference: ("OWASP: testing for cookie attributes", "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/06-Session_Management_Testing/02-Testing_for_Cookies_Attributes"),
            naive: "Exactly the plain cookie lab: whatever the browser sends is who you are.",
            model: Model::TrustsCookie,
            script: None,
        },
        Attack {
            slug: "csrf",
            title: "Cross-site POST (CSRF)",
            goal: "Make a logged-in visitor's browser post a form to this server from another site, with their cookies.",
            variants: csrf(second),
            steps: Some("Another port of the same host is the same site, so SameSite=Lax cookies still go along and only the Origin check stops it; another host name (localhost against 127.0.0.1) is cross-site, where SameSite=Lax keeps the cookies home as well."),
            defence: "refuse_cross_site (server/src/security/origin.rs) answers 403, before any handler runs, to every state-changing request whose Sec-Fetch-Site is anything but same-origin or none (same-site is refused too), or whose Origin is not one of this server's own origins (scheme, host and port). A request with neither header, such as curl, is not from a browser page and carries no borrowed cookies.",
            reference: ("OWASP CSRF prevention: Fetch Metadata headers", "https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html#fetch-metadata-headers"),
            naive: "A server relying on cookies alone performs the logout (or the payment) for the attacker's page.",
            model: Model::CookiesAlone,
            script: None,
        },
        Attack {
            slug: "brute-force",
            title: "Login brute force",
            goal: "Guess a password by trying many, fast.",
            variants: Vec::new(),
            steps: Some("POST a wrong password for one account five times from one address: the sixth answer is 429 \"Too many failed logins for this account from your address. Try again in N seconds.\" with Retry-After. Other addresses keep their own allowance, and the account as a whole is only slowed (by at most 2 s), so nobody is locked out."),
            defence: "LoginThrottle (app/src/accounts/throttle.rs) per account and client, a per-client allowance of password checks, and argon2id hashing gated per core.",
            reference: ("OWASP authentication: protect against automated attacks", "https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html#protect-against-automated-attacks"),
            naive: "A login without a throttle answers as fast as it can hash: a dictionary of common passwords finds weak ones in minutes.",
            model: Model::Explained,
            script: Some((Script::BruteForce, throttled())),
        },
    ]
}

/// The key a `jwk` header embeds: under HS256 the attacker's HMAC key (`attacker-key`, which
/// signs the token), else an Ed25519 public key of the attacker's.
fn embedded_key(algorithm: &str) -> Value {
    if algorithm == "HS256" {
        json!({"jwk": {"kty": "oct", "k": "YXR0YWNrZXIta2V5"}})
    } else {
        json!({"jwk": {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}})
    }
}

/// Under HS256 there is no public key to confuse with: the token claims RS256 instead. Under
/// EdDSA or RS256 it claims HS256 and is signed with the published key's text.
fn confusion(state: &AppState, claims: &Value) -> Variant {
    let keys = state.tokens.keys();
    let expected = keys.settings().algorithm.name();
    let answer = refused(TokenError::WrongAlgorithm { expected });
    match keys.jwks().keys.first() {
        None => {
            let header = json!({"alg": "RS256", "typ": "JWT"});
            bearer(
                "RS256 to an HS256 server",
                forge::with_signature(&header, claims, "c2lnbmF0dXJl"),
                answer,
            )
        }
        Some(jwk) => {
            // The published JWK's JSON text as the HMAC key (a naive server would use the PEM
            // it holds; either way the algorithm check comes first).
            let public = serde_json::to_string(jwk).unwrap_or_default();
            let header = json!({"alg": "HS256", "typ": "JWT"});
            let token = forge::hs256(&header, claims, public.as_bytes());
            Variant {
                naive_key: Some(public),
                ..bearer(
                    format!(
                        "HS256 signed with the published key (its JWK text), to an {expected} server"
                    ),
                    token,
                    answer,
                )
            }
        }
    }
}

/// A logout form posted from another origin: from the second origin's pages when it runs
/// (the runner opens them), else from a made-up one (curl shows the request).
fn csrf(second: Option<&SecondOrigin>) -> Vec<Variant> {
    let post = |label: &str, origin: String, run: Option<String>| Variant {
        label: label.into(),
        request: Crafted {
            method: "POST",
            path: "/session/logout",
            origin: Some(origin),
            form: Some(""),
            ..Crafted::default()
        },
        answer: Answer {
            status: 403,
            reason: AppError::CrossSite.to_string(),
            explained: None,
        },
        run,
        ..Variant::default()
    };
    match second {
        Some(second) => vec![
            post(
                "from another port of this host: the same site, so the cookies go along",
                origin_of(&second.same_site),
                Some(second.same_site.clone()),
            ),
            post(
                "from another host name: cross-site, so SameSite=Lax keeps the cookies home too",
                origin_of(&second.cross_site),
                Some(second.cross_site.clone()),
            ),
        ],
        None => vec![post(
            "a logout posted from another origin",
            "https://attacker.example".into(),
            None,
        )],
    }
}

/// `scheme://host:port` of a URL.
fn origin_of(url: &str) -> String {
    let after_scheme = url.find("://").map_or(0, |at| at + 3);
    let end = url[after_scheme..]
        .find('/')
        .map_or(url.len(), |at| after_scheme + at);
    url[..end].to_owned()
}

/// The throttle's words, without the seconds that vary.
fn throttled() -> String {
    let message = AppError::TooManyAttempts {
        retry_after_secs: 0,
    }
    .to_string();
    message
        .split_once(" Try again")
        .map_or(message.clone(), |(words, _)| words.to_owned())
}
