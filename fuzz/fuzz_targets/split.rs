//! Splitting one fuzz input into several files without reserving any byte: each part but the
//! last is prefixed by its length (two bytes, little-endian). NUL bytes stay in the text, so
//! the parsers see them (a NUL once silently ended a file).

/// Up to `n` parts of `data`.
pub fn parts(data: &[u8], n: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(n);
    let mut rest = data;
    for _ in 1..n {
        if rest.len() < 2 {
            break;
        }
        let len = usize::from(u16::from_le_bytes([rest[0], rest[1]])).min(rest.len() - 2);
        out.push(String::from_utf8_lossy(&rest[2..2 + len]).into_owned());
        rest = &rest[2 + len..];
    }
    out.push(String::from_utf8_lossy(rest).into_owned());
    out
}
