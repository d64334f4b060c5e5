//! The value formats the API server enforces when it decodes an object.

/// Whether `s` decodes as the API server decodes `[]byte` fields (Go's
/// `base64.StdEncoding`: standard alphabet, `=` padding required, `\r` and `\n` ignored).
/// On failure, the offset of the first offending byte.
pub(crate) fn check_base64(s: &str) -> Result<(), usize> {
    let mut count = 0usize; // significant characters seen
    let mut pad = 0usize;
    for (i, b) in s.bytes().enumerate() {
        match b {
            b'\r' | b'\n' => continue,
            b'=' => {
                // Padding is only valid as the last one or two characters of a quantum.
                if count % 4 < 2 || pad >= 2 {
                    return Err(i);
                }
                pad += 1;
            }
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' => {
                if pad > 0 {
                    return Err(i);
                }
            }
            _ => return Err(i),
        }
        count += 1;
    }
    if count % 4 != 0 {
        return Err(s.len());
    }
    Ok(())
}

/// Whether `s` is an RFC 3339 date-time as Go's `time.Parse(time.RFC3339, s)` accepts it
/// (what `metav1.Time` uses): `2006-01-02T15:04:05Z` or `...+07:00`, optional fraction.
pub(crate) fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    fn num(b: &[u8], at: usize, len: usize) -> Option<u32> {
        let part = b.get(at..at + len)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(part.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    }
    let (Some(year), Some(month), Some(day), Some(hour), Some(min), Some(sec)) = (
        num(b, 0, 4),
        num(b, 5, 2),
        num(b, 8, 2),
        num(b, 11, 2),
        num(b, 14, 2),
        num(b, 17, 2),
    ) else {
        return false;
    };
    if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return false;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > days || hour > 23 || min > 59 || sec > 59 {
        return false;
    }
    let mut i = 19;
    if b.get(i) == Some(&b'.') || b.get(i) == Some(&b',') {
        let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return false;
        }
        i += 1 + digits;
    }
    match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            let (Some(h), Some(m)) = (num(b, i + 1, 2), num(b, i + 4, 2)) else {
                return false;
            };
            b[i + 3] == b':' && h <= 23 && m <= 59 && i + 6 == b.len()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64() {
        for ok in [
            "",
            "YQ==",
            "YWI=",
            "YWJj",
            "YWJj\nZGVm",
            "aGVsbG8gd29ybGQ=\r\n",
            "+/+/",
        ] {
            assert_eq!(check_base64(ok), Ok(()), "{ok:?}");
        }
        for bad in [
            "a",
            "YQ",
            "YQ=",
            "Y===",
            "YQ==YQ==",
            "hello world",
            "YW=j",
            "YQ!=",
            "=YQ=",
        ] {
            assert!(check_base64(bad).is_err(), "{bad:?}");
        }
        assert_eq!(check_base64("ab$d"), Err(2));
    }

    #[test]
    fn rfc3339() {
        for ok in [
            "2024-02-29T12:00:00Z",
            "2024-01-01T00:00:00.123456Z",
            "1999-12-31T23:59:59+05:30",
            "2023-06-01T10:00:00-07:00",
        ] {
            assert!(is_rfc3339(ok), "{ok}");
        }
        for bad in [
            "",
            "2024-01-01",
            "2023-02-29T12:00:00Z",
            "2024-01-01 00:00:00Z",
            "2024-01-01T00:00:00",
            "2024-01-01T24:00:00Z",
            "2024-13-01T00:00:00Z",
            "2024-01-01T00:00:00.Z",
            "2024-01-01T00:00:00+0530",
            "2024-01-01t00:00:00z",
            "2024-01-01T00:00:00Zjunk",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }
}
