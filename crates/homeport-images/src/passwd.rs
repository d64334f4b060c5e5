//! `/etc/passwd` in an image layer (a tar, gzip-compressed or not), to give a named
//! `config.User` its uid.

use std::io::Read;

/// The text of `etc/passwd` in the layer, if the layer has one.
pub fn passwd_in_layer(blob: &[u8]) -> Option<String> {
    let gz = blob.starts_with(&[0x1f, 0x8b]);
    let reader: Box<dyn Read + '_> = if gz {
        Box::new(flate2::read::GzDecoder::new(blob))
    } else {
        Box::new(blob)
    };
    let mut archive = tar::Archive::new(reader);
    for entry in archive.entries().ok()? {
        let mut entry = entry.ok()?;
        let path = entry.path().ok()?.to_string_lossy().to_string();
        let path = path.trim_start_matches("./").trim_start_matches('/');
        if path == "etc/passwd" {
            let mut text = String::new();
            entry
                .by_ref()
                .take(1 << 20)
                .read_to_string(&mut text)
                .ok()?;
            return Some(text);
        }
    }
    None
}

/// uid and gid of the user `name` (a name, or a uid given as a number) in passwd text.
pub fn lookup(passwd: &str, name: &str) -> Option<(u32, u32)> {
    passwd.lines().find_map(|line| {
        let mut f = line.split(':');
        let user = f.next()?;
        let _password = f.next()?;
        let uid: u32 = f.next()?.parse().ok()?;
        let gid: u32 = f.next()?.parse().ok()?;
        (user == name || name.parse::<u32>() == Ok(uid)).then_some((uid, gid))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_users() {
        let text = "root:x:0:0:root:/root:/bin/sh\nnginx:x:101:101:nginx:/nonexistent:/bin/false\n";
        assert_eq!(lookup(text, "nginx"), Some((101, 101)));
        assert_eq!(lookup(text, "root"), Some((0, 0)));
        assert_eq!(lookup(text, "nobody"), None);
        assert_eq!(lookup(text, "101"), Some((101, 101)));
    }

    #[test]
    fn reads_plain_and_gzip_layers() {
        let mut builder = tar::Builder::new(Vec::new());
        let data = b"app:x:1234:1234::/:/bin/false\n";
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        builder
            .append_data(&mut header, "etc/passwd", &data[..])
            .unwrap();
        let plain = builder.into_inner().unwrap();
        assert_eq!(
            lookup(&passwd_in_layer(&plain).unwrap(), "app"),
            Some((1234, 1234))
        );
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &plain).unwrap();
        let gz = gz.finish().unwrap();
        assert!(passwd_in_layer(&gz).is_some());
        assert_eq!(passwd_in_layer(b"garbage"), None);
    }
}
