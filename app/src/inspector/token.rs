//! Reading a JWT without trusting it: split it in three, decode each part on its own, and say
//! exactly which part is wrong. This is all a JWT decoder does — anyone holding a token can read
//! it, which is why a token must never carry a secret. Checking the signature is `crypto`'s job.

use super::base64::{self, Alphabet};
use super::json_text;
use crate::browser;
use serde_json::{Map, Value};

/// The example token of jwt.io's debugger: HS256, signed with [`EXAMPLE_SECRET`].
pub const EXAMPLE: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiYWRtaW4iOnRydWUsImlhdCI6MTUxNjIzOTAyMn0.KMUFsIDTnFmyG3nMiGM6H9FNFUROf3wh7SmqJp-QV30";
/// The secret [`EXAMPLE`] is signed with.
pub const EXAMPLE_SECRET: &str = "a-string-secret-at-least-256-bits-long";

/// One of the three dot-separated parts of a compact JWT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Header,
    Payload,
    Signature,
}

impl Part {
    pub fn name(self) -> &'static str {
        match self {
            Part::Header => "header",
            Part::Payload => "payload",
            Part::Signature => "signature",
        }
    }
}

/// Why a token could not be read at all, or which part of it is broken.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("Paste a token: three base64url parts separated by dots (header.payload.signature).")]
    Empty,
    #[error("A compact JWT has 3 parts separated by dots; this one has {0}.")]
    PartCount(usize),
    #[error("The {} is not base64url: character {position} ('{found}') is not in A–Z a–z 0–9 - _.", .part.name())]
    Base64 {
        part: Part,
        position: usize,
        found: char,
    },
    #[error("The {} has an impossible length for base64url ({len} characters).", .part.name())]
    Base64Length { part: Part, len: usize },
    #[error("The {} decodes to bytes that are not UTF-8 text.", .part.name())]
    Utf8 { part: Part },
    #[error("The {} is not JSON: {message}", .part.name())]
    Json { part: Part, message: String },
    #[error("The {} is JSON but not an object ({{…}}).", .part.name())]
    NotObject { part: Part },
}

impl DecodeError {
    /// The part the error is about, if it is about one part.
    pub fn part(&self) -> Option<Part> {
        match self {
            DecodeError::Empty | DecodeError::PartCount(_) => None,
            DecodeError::Base64 { part, .. }
            | DecodeError::Base64Length { part, .. }
            | DecodeError::Utf8 { part }
            | DecodeError::Json { part, .. }
            | DecodeError::NotObject { part } => Some(*part),
        }
    }
}

/// A JWT split into its parts. Each part decodes independently, so a broken payload still
/// shows its header, and the error names the part.
#[derive(Clone, Debug, PartialEq)]
pub struct DecodedToken {
    /// The three parts as pasted (base64url text).
    pub raw: [String; 3],
    pub header: Result<Json, DecodeError>,
    pub payload: Result<Json, DecodeError>,
    pub signature: Result<Vec<u8>, DecodeError>,
}

/// A decoded JSON object part: the text as the issuer wrote it, whose key order the page
/// shows, and the parsed map, which the checks read.
#[derive(Clone, Debug, PartialEq)]
pub struct Json {
    pub text: String,
    pub map: Map<String, Value>,
}

impl Json {
    /// Pretty-printed, keys in the token's order.
    pub fn pretty(&self) -> String {
        json_text::pretty(&self.text)
    }
}

impl DecodedToken {
    /// The bytes the signature covers: `base64url(header) "." base64url(payload)`.
    pub fn signing_input(&self) -> String {
        format!("{}.{}", self.raw[0], self.raw[1])
    }

    /// The `alg` header, if the header decoded and has one.
    pub fn algorithm(&self) -> Option<&str> {
        self.header.as_ref().ok()?.map.get("alg")?.as_str()
    }
}

/// Splits and decodes a compact JWT. Surrounding whitespace and a leading `Bearer ` are
/// ignored, since that is how tokens get copied.
pub fn decode(input: &str) -> Result<DecodedToken, DecodeError> {
    let token = input.trim();
    let token = token.strip_prefix("Bearer ").unwrap_or(token).trim();
    if token.is_empty() {
        return Err(DecodeError::Empty);
    }
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err(DecodeError::PartCount(parts.len()));
    }
    Ok(DecodedToken {
        raw: [parts[0].into(), parts[1].into(), parts[2].into()],
        header: decode_json(Part::Header, parts[0]),
        payload: decode_json(Part::Payload, parts[1]),
        signature: decode_base64url(Part::Signature, parts[2]),
    })
}

/// Decodes unpadded base64url, naming the first character that does not belong.
pub fn decode_base64url(part: Part, text: &str) -> Result<Vec<u8>, DecodeError> {
    if let Some((position, found)) = text
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii() || Alphabet::UrlSafe.value(*c as u8).is_none())
    {
        return Err(DecodeError::Base64 {
            part,
            position: position + 1,
            found,
        });
    }
    base64::decode(text, Alphabet::UrlSafe).ok_or(DecodeError::Base64Length {
        part,
        len: text.len(),
    })
}

/// Encodes bytes as unpadded base64url, as JWTs do.
pub fn encode_base64url(bytes: &[u8]) -> String {
    base64::encode_url_safe(bytes)
}

fn decode_json(part: Part, text: &str) -> Result<Json, DecodeError> {
    let bytes = decode_base64url(part, text)?;
    let text = String::from_utf8(bytes).map_err(|_| DecodeError::Utf8 { part })?;
    let map = json_object(part, &text)?;
    Ok(Json { text, map })
}

/// A JSON text that must be an object; the error names the part.
fn json_object(part: Part, text: &str) -> Result<Map<String, Value>, DecodeError> {
    match browser::parse_json(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(DecodeError::NotObject { part }),
        Err(message) => Err(DecodeError::Json { part, message }),
    }
}

/// What an encoder signs: `base64url(header) "." base64url(payload)`, and the header's `alg`.
#[derive(Clone, Debug, PartialEq)]
pub struct Unsigned {
    pub signing_input: String,
    pub alg: Option<String>,
}

/// Builds the [`Unsigned`] token from edited JSON texts. Each text must be a JSON object; the
/// error names the part. The texts are encoded as written, without the whitespace, so the
/// keys keep the order the learner typed them in.
pub fn unsigned_from_json(header: &str, payload: &str) -> Result<Unsigned, DecodeError> {
    let header_map = json_object(Part::Header, header)?;
    json_object(Part::Payload, payload)?;
    let encode = |text: &str| encode_base64url(json_text::compact(text).as_bytes());
    Ok(Unsigned {
        signing_input: format!("{}.{}", encode(header), encode(payload)),
        alg: header_map
            .get("alg")
            .and_then(Value::as_str)
            .map(str::to_string),
    })
}

/// The `alg: none` forgery: the edited header with its `alg` replaced by `none`, the payload,
/// and an empty signature. The best-known JWT attack; a server that accepts it trusts anyone.
pub fn unsigned_none(header: &str, payload: &str) -> Result<String, DecodeError> {
    json_object(Part::Header, header)?;
    let header = json_text::with_member(header, "alg", r#""none""#);
    let unsigned = unsigned_from_json(&header, payload)?;
    Ok(format!("{}.", unsigned.signing_input))
}

#[cfg(test)]
mod tests {
    use super::*;

    const JWT_IO: &str = EXAMPLE;

    #[test]
    fn the_none_forgery_has_alg_none_and_an_empty_signature() {
        let forged = unsigned_none(r#"{"alg":"HS256","typ":"JWT"}"#, r#"{"sub":"1"}"#).unwrap();
        assert!(forged.ends_with('.'), "{forged}");
        let token = decode(&forged).unwrap();
        assert_eq!(token.header.as_ref().unwrap().map["alg"], "none");
        assert_eq!(token.payload.as_ref().unwrap().map["sub"], "1");
        assert!(unsigned_none("[]", "{}").is_err());
        // The header keeps its order; only alg changes.
        let forged = unsigned_none(r#"{"typ":"JWT","alg":"HS256"}"#, "{}").unwrap();
        let header = decode(&forged).unwrap().header.unwrap();
        assert_eq!(header.text, r#"{"typ":"JWT","alg":"none"}"#);
    }

    #[test]
    fn decodes_the_three_parts() {
        let token = decode(JWT_IO).unwrap();
        let header = &token.header.as_ref().unwrap().map;
        assert_eq!(header["alg"], "HS256");
        assert_eq!(header["typ"], "JWT");
        let payload = token.payload.as_ref().unwrap();
        assert_eq!(payload.map["iat"], 1516239022);
        assert_eq!(token.signature.as_ref().unwrap().len(), 32);
        assert_eq!(token.algorithm(), Some("HS256"));
        // Shown in the token's own key order, as jwt.io shows it, not sorted.
        assert_eq!(
            payload.pretty(),
            "{\n  \"sub\": \"1234567890\",\n  \"name\": \"John Doe\",\n  \"admin\": true,\n  \"iat\": 1516239022\n}"
        );
        assert_eq!(
            token.signing_input(),
            JWT_IO.rsplit_once('.').unwrap().0,
            "the signature covers the first two parts as sent"
        );
    }

    #[test]
    fn a_copied_bearer_header_and_whitespace_are_accepted() {
        let token = decode(&format!("  Bearer {JWT_IO}\n")).unwrap();
        assert_eq!(token, decode(JWT_IO).unwrap());
        assert!(token.header.is_ok() && token.payload.is_ok() && token.signature.is_ok());
    }

    #[test]
    fn the_wrong_number_of_parts_is_named() {
        assert_eq!(decode("").unwrap_err(), DecodeError::Empty);
        assert_eq!(decode("abc").unwrap_err(), DecodeError::PartCount(1));
        assert_eq!(decode("a.b").unwrap_err(), DecodeError::PartCount(2));
        assert_eq!(decode("a.b.c.d.e").unwrap_err(), DecodeError::PartCount(5));
    }

    #[test]
    fn each_broken_part_is_reported_at_that_part_and_the_others_still_decode() {
        let [h, p, s] = JWT_IO.split('.').collect::<Vec<_>>()[..] else {
            unreachable!()
        };
        // A character outside base64url, in the payload.
        let token = decode(&format!("{h}.{p}*x.{s}")).unwrap();
        assert!(token.header.is_ok() && token.signature.is_ok());
        let error = token.payload.unwrap_err();
        assert_eq!(
            error,
            DecodeError::Base64 {
                part: Part::Payload,
                position: p.len() + 1,
                found: '*'
            }
        );
        assert!(error
            .to_string()
            .starts_with("The payload is not base64url"));

        // Padding is not base64url either.
        let token = decode(&format!("{h}.{p}.{s}=")).unwrap();
        assert_eq!(token.signature.unwrap_err().part(), Some(Part::Signature));

        // A length no base64 text can have.
        let token = decode(&format!("{h}.{p}.{s}AB")).unwrap();
        assert!(matches!(
            token.signature.unwrap_err(),
            DecodeError::Base64Length { .. }
        ));

        // Valid base64url, but not JSON; JSON, but not an object; not UTF-8.
        let not_json = encode_base64url(b"{\"alg\":");
        let token = decode(&format!("{not_json}.{p}.{s}")).unwrap();
        let error = token.header.unwrap_err();
        assert!(
            matches!(
                error,
                DecodeError::Json {
                    part: Part::Header,
                    ..
                }
            ),
            "{error:?}"
        );
        assert!(token.payload.is_ok());
        let array = encode_base64url(b"[1,2]");
        let token = decode(&format!("{h}.{array}.{s}")).unwrap();
        assert_eq!(
            token.payload.unwrap_err(),
            DecodeError::NotObject {
                part: Part::Payload
            }
        );
        let latin1 = encode_base64url(&[0x7b, 0xff, 0x7d]);
        let token = decode(&format!("{latin1}.{p}.{s}")).unwrap();
        assert_eq!(
            token.header.unwrap_err(),
            DecodeError::Utf8 { part: Part::Header }
        );
    }

    #[test]
    fn the_encoder_builds_the_signing_input_and_reads_alg_from_json() {
        let unsigned =
            unsigned_from_json(r#"{"alg":"HS256","typ":"JWT"}"#, r#"{"sub":"1"}"#).unwrap();
        assert_eq!(unsigned.alg.as_deref(), Some("HS256"));
        let token = decode(&format!("{}.AAAA", unsigned.signing_input)).unwrap();
        assert_eq!(token.header.unwrap().map["alg"], "HS256");
        assert_eq!(token.payload.unwrap().map["sub"], "1");
        // Typed order survives encoding; whitespace does not.
        let unsigned = unsigned_from_json("{}", "{ \"z\": 1,\n \"a\": \"b c\" }").unwrap();
        let token = decode(&format!("{}.AAAA", unsigned.signing_input)).unwrap();
        assert_eq!(token.payload.unwrap().text, r#"{"z":1,"a":"b c"}"#);
        assert_eq!(
            unsigned_from_json("{}", "{nope").unwrap_err().part(),
            Some(Part::Payload)
        );
        assert_eq!(
            unsigned_from_json("1", "{}").unwrap_err(),
            DecodeError::NotObject { part: Part::Header }
        );
    }
}
