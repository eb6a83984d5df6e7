//! Base64 for the viewer, written out: the `base64` crate's generic engines cost about 6 KB of
//! wasm, as much as the whole token decoder, while the viewer needs only two alphabets, no
//! streaming and no configuration. The tests hold it to the crate's answers.

/// Which two characters stand for 62 and 63.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alphabet {
    /// `+` and `/`: PEM bodies.
    Standard,
    /// `-` and `_`: JWTs and JWKs (RFC 4648 section 5), never padded.
    UrlSafe,
}

const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

impl Alphabet {
    /// The 6-bit value of one character, if it belongs to this alphabet.
    pub fn value(self, c: u8) -> Option<u8> {
        match (c, self) {
            (b'A'..=b'Z', _) => Some(c - b'A'),
            (b'a'..=b'z', _) => Some(c - b'a' + 26),
            (b'0'..=b'9', _) => Some(c - b'0' + 52),
            (b'-', Alphabet::UrlSafe) | (b'+', Alphabet::Standard) => Some(62),
            (b'_', Alphabet::UrlSafe) | (b'/', Alphabet::Standard) => Some(63),
            _ => None,
        }
    }
}

/// Decodes unpadded base64. `None` for a character outside the alphabet, a length no base64
/// text can have, or stray bits after the last byte (a non-canonical encoding).
pub fn decode(text: &str, alphabet: Alphabet) -> Option<Vec<u8>> {
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut bits, mut pending) = (0u32, 0u32);
    for c in text.bytes() {
        bits = (bits << 6) | u32::from(alphabet.value(c)?);
        pending += 6;
        if pending >= 8 {
            pending -= 8;
            out.push((bits >> pending) as u8);
            bits &= (1 << pending) - 1;
        }
    }
    (bits == 0).then_some(out)
}

/// Encodes bytes as unpadded base64url, as JWTs do.
pub fn encode_url_safe(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let group = chunk
            .iter()
            .enumerate()
            .fold(0u32, |group, (i, b)| group | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(URL_SAFE[(group >> (18 - 6 * i)) as usize & 63]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::{
        engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD},
        Engine,
    };

    #[test]
    fn agrees_with_the_base64_crate_on_every_length() {
        for len in 0..70 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + len * 11) as u8 ^ 0xa5).collect();
            let url = encode_url_safe(&bytes);
            assert_eq!(url, URL_SAFE_NO_PAD.encode(&bytes), "{len} bytes");
            assert_eq!(decode(&url, Alphabet::UrlSafe).as_ref(), Some(&bytes));
            let standard = STANDARD_NO_PAD.encode(&bytes);
            assert_eq!(decode(&standard, Alphabet::Standard).as_ref(), Some(&bytes));
        }
    }

    #[test]
    fn refuses_what_the_base64_crate_refuses() {
        for text in [
            "A", "AAAAA", "AB", "AAB", "A+", "A/", "a=", "ab c", "é", "-_8",
        ] {
            for (alphabet, engine) in [
                (Alphabet::UrlSafe, URL_SAFE_NO_PAD),
                (Alphabet::Standard, STANDARD_NO_PAD),
            ] {
                assert_eq!(
                    decode(text, alphabet),
                    engine.decode(text).ok(),
                    "{text:?} in {alphabet:?}"
                );
            }
        }
    }
}
