//! Lossless text encoding of file-name bytes for the manifest: every byte outside printable
//! ASCII, plus `%`, `#` and space, becomes `%XX`. Any name (newlines, tabs, non-UTF-8) round
//! trips, and a manifest line never contains a tab or newline inside a field.

/// Encode `bytes` as manifest text.
pub fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if (0x21..=0x7e).contains(&b) && b != b'%' && b != b'#' {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(hex_digit(b >> 4));
            out.push(hex_digit(b & 0xf));
        }
    }
    out
}

/// Decode manifest text back to bytes; `None` for a malformed escape.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = hex_value(*bytes.get(i + 1)?)?;
            let lo = hex_value(*bytes.get(i + 2)?)?;
            out.push(hi << 4 | lo);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

fn hex_digit(n: u8) -> char {
    char::from(b"0123456789ABCDEF"[usize::from(n)])
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_round_trips() {
        let all: Vec<u8> = (0..=255).collect();
        let text = encode(&all);
        assert!(!text.contains(['\t', '\n', ' ', '\r']));
        assert_eq!(decode(&text).as_deref(), Some(&all[..]));
    }

    #[test]
    fn plain_names_stay_readable() {
        assert_eq!(
            encode(b"photos/2024/IMG_0001.jpg"),
            "photos/2024/IMG_0001.jpg"
        );
        assert_eq!(encode(b"a b\nc%"), "a%20b%0Ac%25");
    }

    #[test]
    fn malformed_escapes_are_rejected() {
        assert_eq!(decode("%4"), None);
        assert_eq!(decode("%zz"), None);
    }
}
