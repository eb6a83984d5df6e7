//! The attacks, each with the requests that run it and what this server answers. The expected
//! reasons are the server's own messages (`TokenError`, `AppError`), so the page cannot drift
//! from the checks; `server/tests/api/attacks.rs` sends every request the page shows and holds
//! the server to them.

use super::forge;
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
    pub origin: Option<&'static str>,
    /// An `application/x-www-form-urlencoded` body.
    pub form: Option<&'static str>,
    /// The forged token in it, decoded on the card.
    pub token: Option<String>,
}

/// What this server answers: the status, and words of its answer (the JSON message, the
/// page, or a `Set-Cookie` header) that say why.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub reason: String,
}

/// One way of running an attack: a label, the request, the answer.
#[derive(Debug, Clone)]
pub struct Variant {
    pub label: String,
    pub request: Crafted,
    pub answer: Answer,
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
    }
}

fn refused(reason: TokenError) -> Answer {
    Answer {
        status: 401,
        reason: reason.to_string(),
    }
}

/// Every attack, with tokens forged now for this server's issuer, audience and algorithm.
pub fn attacks(state: &AppState) -> Vec<Attack> {
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
    let by_guess = forge::hs256(&hs256, &claims, b"secret");
    let other = forge::hs256(&hs256, &json!({"sub": "2", "name": "someone"}), b"secret");
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
        },
        Attack {
            slug: "signature",
            title: "Stripped, truncated or borrowed signature",
            goal: "Keep the header and payload the attacker wrote and drop, shorten or copy in the signature, hoping the server only decodes.",
            variants: vec![
                bearer("signature stripped", forge::with_signature(&hs256, &claims, ""), bad_signature.clone()),
                bearer("signature of another token", forge::with_signature(&hs256, &claims, other_signature), bad_signature.clone()),
            ],
            steps: None,
            defence: "jsonwebtoken's decode in check_signed verifies the signature over the exact header and payload received; any change to either, or to the signature, fails.",
            reference: ("RFC 7515 §5.2: validating a JWS", "https://www.rfc-editor.org/rfc/rfc7515#section-5.2"),
            naive: "Code that base64-decodes the payload without verifying (a \"decode\" where \"verify\" was meant) answers 200 as admin.",
        },
        Attack {
            slug: "weak-secret",
            title: "Weak HMAC secret",
            goal: "Sign the admin's token with a guessed secret (\"secret\", the classic tutorial value) and hope the server uses it too.",
            variants: vec![bearer("signed with \"secret\"", by_guess.clone(), bad_signature.clone())],
            steps: None,
            defence: "This server's HS256 secret is 32 random bytes, generated at first start or required in production: 2^256 ≈ 1.2 × 10^77 keys. At a trillion guesses a second, trying half of them takes about 1.8 × 10^57 years.",
            reference: ("RFC 8725 §3.5: ensure cryptographic keys have sufficient entropy", "https://www.rfc-editor.org/rfc/rfc8725#section-3.5"),
            naive: "A server whose secret is a dictionary word is cracked offline from one token (hashcat runs billions of HMACs a second), then any token it wants is accepted.",
        },
        Attack {
            slug: "alg-confusion",
            title: "Algorithm confusion",
            goal: "Take the server's public key (published in its JWKS) and use it as an HMAC secret, in a token whose header says HS256, hoping the server verifies HS256 with whatever key it holds.",
            variants: vec![confusion(state, &claims)],
            steps: None,
            defence: "The key and the algorithm are fixed at start (JwtKeys); a token whose header names another algorithm is refused before any key is used.",
            reference: ("RFC 8725 §2.1 and §3.1: algorithm verification", "https://www.rfc-editor.org/rfc/rfc8725#section-2.1"),
            naive: "A verifier that passes the header's \"alg\" and the one key it has to the library checks an HMAC made with the public key: 200 as admin.",
        },
        Attack {
            slug: "key-in-header",
            title: "A key named by the token: jwk, jku, x5u",
            goal: "Embed the attacker's own public key in the header (jwk), or point at a URL that serves it (jku, x5u), sign with the matching private key, and have the server verify with it.",
            variants: [
                ("jwk", json!({"jwk": {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}})),
                ("jku", json!({"jku": "https://attacker.example/jwks.json"})),
                ("x5u", json!({"x5u": "https://attacker.example/cert.pem"})),
            ]
            .into_iter()
            .map(|(name, extra)| {
                let token = forge::hs256(&header(extra), &claims, b"attacker-key");
                bearer(format!("\"{name}\" in the header"), token, refused(TokenError::KeyHint(name)))
            })
            .collect(),
            steps: None,
            defence: "check_header refuses any header that names, embeds or points at a key (jku, x5u, jwk, x5c, x5t, crit): the server has one key and never fetches another.",
            reference: ("RFC 8725 §3.10: do not trust received claims (jku, x5u)", "https://www.rfc-editor.org/rfc/rfc8725#section-3.10"),
            naive: "jwt.io-style verification with \"the key from the header\" accepts any token whose author also wrote the key: 200 as admin.",
        },
        Attack {
            slug: "kid",
            title: "kid: path traversal and SQL injection",
            goal: "Make the server look its key up with an attacker's kid: a path to an empty file (../../dev/null, so the key is empty) or SQL that returns a key the attacker chose.",
            variants: [
                ("path traversal", "../../../../../../dev/null"),
                ("SQL injection", "x' UNION SELECT 'attacker-key' -- "),
            ]
            .into_iter()
            .map(|(label, kid)| {
                let token = forge::hs256(&header(json!({"kid": kid})), &claims, b"");
                bearer(format!("kid {label}"), token, refused(TokenError::UnknownKey))
            })
            .collect(),
            steps: None,
            defence: "The kid is compared with the one key id the server has (its RFC 7638 thumbprint, none for HS256); it is never a file name or a query.",
            reference: ("OWASP JWT cheat sheet: kid", "https://cheatsheetseries.owasp.org/cheatsheets/JSON_Web_Token_for_Java_Cheat_Sheet.html"),
            naive: "A server that reads the key from a file named by the kid verifies with an empty key; one that selects it with string-built SQL verifies with the attacker's: 200 as admin.",
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
                bearer(label, forge::hs256(&hs256, &forged, b"secret"), bad_signature.clone())
            })
            .collect(),
            steps: Some("An attacker cannot sign these, so the signature check refuses them first, as above. The claim checks guard tokens this server did sign: a captured token after its exp answers \"the token has expired (exp)\", and every claim is checked with a 5 s leeway (the integration tests sign such tokens with the server's real key to prove each check)."),
            defence: "check_signed validates exp, nbf, iss and aud with jsonwebtoken, and explain() names a missing or mistyped claim.",
            reference: ("RFC 8725 §3.8 and §3.9: validate issuer and audience", "https://www.rfc-editor.org/rfc/rfc8725#section-3.8"),
            naive: "A decoder that skips the registered claims accepts a token for ever, from anyone's issuer, for any service.",
        },
        Attack {
            slug: "replay-after-logout",
            title: "Replay after logout",
            goal: "Copy a token (or a session cookie) before its owner logs out, and keep using it.",
            variants: Vec::new(),
            steps: Some("Log in through the API (POST /api/token), keep the access token, POST /api/logout with it, then send it to GET /api/me: 401, \"the token was revoked by a logout\". For the session lab, the logout deletes the record, so the copied sid is anonymous."),
            defence: "Tokens::revoke puts the token's jti and its login's sid on the denylist, beside the sessions, until they would have expired; LabSession::log_out deletes the session record.",
            reference: ("OWASP session management: session expiration", "https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#session-expiration"),
            naive: "A stateless server that only checks signatures accepts the copied token until its exp.",
        },
        Attack {
            slug: "session-fixation",
            title: "Session fixation",
            goal: "Plant a session id in the victim's browser before they log in, then use the same id once they have.",
            variants: Vec::new(),
            steps: Some("Send POST /session/login with a Cookie: sid=<an id you chose> and the right password: the answer sets a new sid, and the planted one stays anonymous (an id the store does not know is never adopted)."),
            defence: "LabSession::log_in cycles the session id at every login; tower-sessions never adopts an id its store does not know.",
            reference: ("OWASP session fixation", "https://owasp.org/www-community/attacks/Session_fixation"),
            naive: "A session layer that keeps the id across login (or adopts any id it is sent) logs the attacker in with the victim.",
        },
        Attack {
            slug: "cookie-tampering",
            title: "Cookie tampering",
            goal: "Edit a cookie to become someone else.",
            variants: vec![
                Variant {
                    label: "the plain user cookie, edited: this one works".into(),
                    request: Crafted { method: "GET", path: "/cookie/profile", cookie: Some(format!("{plain}={admin_cookie}")), ..Crafted::default() },
                    answer: Answer { status: 200, reason: "welcome admin with the count: 1001".into() },
                },
                Variant {
                    label: "the signed cookie, forged: sent to the login page, which says it failed its seal check".into(),
                    request: Crafted { method: "GET", path: "/signed-cookie/profile", cookie: Some(format!("{signed}=bm90LXNlYWxlZC1ieS10aGUtc2VydmVy")), ..Crafted::default() },
                    answer: Answer { status: 303, reason: notice::value(&SignedCookieLab::INFO, Notice::SealBroken) },
                },
                Variant {
                    label: "the plain cookie, sent twice: sent to the login page, which says so".into(),
                    request: Crafted { method: "GET", path: "/cookie/profile", cookie: Some(format!("{plain}={admin_cookie}; {plain}={admin_cookie}")), ..Crafted::default() },
                    answer: Answer { status: 303, reason: notice::value(&PlainCookieLab::INFO, Notice::Twice) },
                },
            ],
            steps: None,
            defence: "The plain cookie lab trusts its cookie on purpose: that is the tutorial's lesson. The signed cookie is AES-256-GCM sealed with its name bound in (signed_cookie::open); a cookie sent twice is refused by every lab (RequestCookies::get).",
            reference: ("OWASP: testing for cookie attributes", "https://owasp.org/www-project-web-security-testing-guide/latest/4-Web_Application_Security_Testing/06-Session_Management_Testing/02-Testing_for_Cookies_Attributes"),
            naive: "Exactly the plain cookie lab: whatever the browser sends is who you are.",
        },
        Attack {
            slug: "csrf",
            title: "Cross-site POST (CSRF)",
            goal: "Make a logged-in visitor's browser post a form to this server from another site, with their cookies.",
            variants: vec![Variant {
                label: "a logout posted from another origin".into(),
                request: Crafted { method: "POST", path: "/session/logout", origin: Some("https://attacker.example"), form: Some(""), ..Crafted::default() },
                answer: Answer { status: 403, reason: AppError::CrossSite.to_string() },
            }],
            steps: Some("Another port of the same host is the same site, so SameSite=Lax cookies still go along and only the Origin check stops it; another host name (localhost against 127.0.0.1) is cross-site, where SameSite=Lax keeps the cookies home as well."),
            defence: "refuse_cross_site (server/src/security/origin.rs) refuses every state-changing request whose Origin is not this site, or whose Sec-Fetch-Site says cross-site, before any handler runs.",
            reference: ("OWASP CSRF prevention: verifying origin with standard headers", "https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html"),
            naive: "A server relying on cookies alone performs the logout (or the payment) for the attacker's page.",
        },
        Attack {
            slug: "brute-force",
            title: "Login brute force",
            goal: "Guess a password by trying many, fast.",
            variants: Vec::new(),
            steps: Some("POST a wrong password to any login five times from one address: the sixth answer is 429 \"Too many failed logins for this account from your address. Try again in N seconds.\" with Retry-After. Other addresses keep their own allowance, so nobody is locked out."),
            defence: "LoginThrottle (app/src/accounts/throttle.rs) per account and client, a per-client allowance of password checks, and argon2id hashing gated per core.",
            reference: ("OWASP authentication: protect against automated attacks", "https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html#protect-against-automated-attacks"),
            naive: "A login without a throttle answers as fast as it can hash: a dictionary of common passwords finds weak ones in minutes.",
        },
    ]
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
            let public = serde_json::to_string(jwk).unwrap_or_default();
            let header = json!({"alg": "HS256", "typ": "JWT"});
            let token = forge::hs256(&header, claims, public.as_bytes());
            bearer(
                format!("HS256 signed with the public key, to an {expected} server"),
                token,
                answer,
            )
        }
    }
}
