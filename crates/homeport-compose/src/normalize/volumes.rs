//! Service `volumes` (short `SOURCE:TARGET:MODE` and long syntax) and `tmpfs`.

use crate::load::Loader;
use crate::model::{MountType, VolumeMount};
use crate::schema;
use homeport_yaml::{Node, Value};

const SHORT_OPTIONS: &[&str] = &[
    "z",
    "Z",
    "shared",
    "slave",
    "private",
    "rshared",
    "rslave",
    "rprivate",
    "nocopy",
    "consistent",
    "cached",
    "delegated",
];

pub(crate) fn volumes(ld: &mut Loader, node: &Node, what: &str) -> Vec<VolumeMount> {
    let Some(items) = ld.seq_of(node, what) else {
        return Vec::new();
    };
    let mut out: Vec<VolumeMount> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let item_what = format!("{what}[{i}]");
        let parsed = match &item.value {
            Value::Map(_) => long(ld, item, &item_what),
            Value::Scalar(s, _) if !item.is_null() => match parse_short(s) {
                Ok(v) => Some(v),
                Err(reason) => {
                    ld.invalid(
                        item.span,
                        format!("`{item_what}`: `{s}` is not a volume: {reason}"),
                        "write TARGET, NAME:TARGET[:ro] or ./HOST_PATH:TARGET[:ro]",
                    );
                    None
                }
            },
            _ => {
                ld.wrong_type(item, &item_what, "a volume string or mapping");
                None
            }
        };
        if let Some(mut v) = parsed {
            v.span = Some(item.span);
            // One mount per target; a later definition replaces an earlier one.
            match out.iter_mut().find(|m| m.target == v.target) {
                Some(slot) => *slot = v,
                None => out.push(v),
            }
        }
    }
    out
}

fn is_path(source: &str) -> bool {
    source.starts_with('/') || source.starts_with('.') || source.starts_with('~')
}

pub(crate) fn parse_short(spec: &str) -> Result<VolumeMount, String> {
    let parts: Vec<&str> = spec.split(':').collect();
    let (source, target, mode) = match parts.as_slice() {
        [t] => (None, *t, None),
        [s, t] => (Some(*s), *t, None),
        [s, t, m] => (Some(*s), *t, Some(*m)),
        _ => return Err("too many `:`".into()),
    };
    if target.is_empty() {
        return Err("the container path is empty".into());
    }
    if !target.starts_with('/') {
        return Err(format!("the container path `{target}` is not absolute"));
    }
    let mut read_only = false;
    let mut options = Vec::new();
    for flag in mode.unwrap_or("").split(',').filter(|f| !f.is_empty()) {
        match flag {
            "ro" => read_only = true,
            "rw" => {}
            f if SHORT_OPTIONS.contains(&f) => options.push(f.to_string()),
            f => return Err(format!("unknown option `{f}`")),
        }
    }
    let kind = match source {
        Some("") => return Err("the source is empty".into()),
        Some(s) if is_path(s) => MountType::Bind,
        _ => MountType::Volume,
    };
    Ok(VolumeMount {
        kind,
        source: source.map(str::to_owned),
        target: target.to_string(),
        read_only,
        subpath: None,
        options,
        tmpfs_size_bytes: None,
        span: None,
    })
}

fn long(ld: &mut Loader, item: &Node, what: &str) -> Option<VolumeMount> {
    let m = item.as_map()?;
    ld.check_keys(m, &format!("`{what}`"), schema::VOLUME_MOUNT);
    let Some(type_node) = m.get("type") else {
        ld.wrong_type(
            item,
            &format!("{what}.type"),
            "one of bind, volume, tmpfs, npipe, cluster, image",
        );
        return None;
    };
    let kind_text = ld.str_of(type_node, &format!("{what}.type"))?;
    let kind = match kind_text.as_str() {
        "bind" => MountType::Bind,
        "volume" => MountType::Volume,
        "tmpfs" => MountType::Tmpfs,
        "npipe" => MountType::Npipe,
        "cluster" => MountType::Cluster,
        "image" => MountType::Image,
        other => {
            ld.invalid(
                type_node.span,
                format!("`{what}.type`: `{other}` is not a mount type"),
                "use bind, volume, tmpfs, npipe, cluster or image",
            );
            return None;
        }
    };
    let source = m
        .get("source")
        .and_then(|n| ld.str_of(n, &format!("{what}.source")))
        .filter(|s| !s.is_empty());
    let Some(target) = m
        .get("target")
        .and_then(|n| ld.str_of(n, &format!("{what}.target")))
    else {
        ld.wrong_type(item, &format!("{what}.target"), "a container path");
        return None;
    };
    if kind == MountType::Bind && source.is_none() {
        ld.invalid(
            item.span,
            format!("`{what}`: a bind mount needs a `source`"),
            "set `source:` to a host path",
        );
        return None;
    }
    let read_only = m
        .get("read_only")
        .and_then(|n| ld.bool_of(n, &format!("{what}.read_only")))
        .unwrap_or(false);
    let mut options = Vec::new();
    let mut subpath = None;
    let mut tmpfs_size_bytes = None;
    if let Some(bind) = m
        .get("bind")
        .and_then(|n| ld.map_of(n, &format!("{what}.bind")))
    {
        ld.check_keys(bind, &format!("`{what}.bind`"), schema::VOLUME_BIND);
        for key in ["propagation", "selinux"] {
            if let Some(v) = bind
                .get(key)
                .and_then(|n| ld.str_of(n, &format!("{what}.bind.{key}")))
            {
                options.push(v);
            }
        }
        if let Some(false) = bind
            .get("create_host_path")
            .and_then(|n| ld.bool_of(n, &format!("{what}.bind.create_host_path")))
        {
            options.push("create_host_path=false".into());
        }
        if let Some(v) = bind
            .get("recursive")
            .and_then(|n| ld.str_of(n, &format!("{what}.bind.recursive")))
        {
            options.push(format!("recursive={v}"));
        }
    }
    if let Some(vol) = m
        .get("volume")
        .and_then(|n| ld.map_of(n, &format!("{what}.volume")))
    {
        ld.check_keys(vol, &format!("`{what}.volume`"), schema::VOLUME_VOLUME);
        if let Some(true) = vol
            .get("nocopy")
            .and_then(|n| ld.bool_of(n, &format!("{what}.volume.nocopy")))
        {
            options.push("nocopy".into());
        }
        subpath = vol
            .get("subpath")
            .and_then(|n| ld.str_of(n, &format!("{what}.volume.subpath")));
    }
    if let Some(img) = m
        .get("image")
        .and_then(|n| ld.map_of(n, &format!("{what}.image")))
    {
        ld.check_keys(img, &format!("`{what}.image`"), schema::VOLUME_IMAGE);
        subpath = img
            .get("subpath")
            .and_then(|n| ld.str_of(n, &format!("{what}.image.subpath")))
            .or(subpath);
    }
    if let Some(t) = m
        .get("tmpfs")
        .and_then(|n| ld.map_of(n, &format!("{what}.tmpfs")))
    {
        ld.check_keys(t, &format!("`{what}.tmpfs`"), schema::VOLUME_TMPFS);
        tmpfs_size_bytes = t
            .get("size")
            .and_then(|n| ld.bytes_of(n, &format!("{what}.tmpfs.size")));
        if let Some(mode) = t
            .get("mode")
            .and_then(|n| ld.str_of(n, &format!("{what}.tmpfs.mode")))
        {
            options.push(format!("mode={mode}"));
        }
    }
    if let Some(c) = m
        .get("consistency")
        .and_then(|n| ld.str_of(n, &format!("{what}.consistency")))
    {
        options.push(c);
    }
    Some(VolumeMount {
        kind,
        source,
        target,
        read_only,
        subpath,
        options,
        tmpfs_size_bytes,
        span: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms() {
        let v = parse_short("/data").unwrap();
        assert_eq!(
            (v.kind, v.source, v.target.as_str()),
            (MountType::Volume, None, "/data")
        );
        let v = parse_short("db:/var/lib/db").unwrap();
        assert_eq!(
            (v.kind, v.source.as_deref()),
            (MountType::Volume, Some("db"))
        );
        let v = parse_short("/srv/x:/x:ro,Z").unwrap();
        assert_eq!(
            (v.kind, v.read_only, v.options.clone()),
            (MountType::Bind, true, vec!["Z".to_string()])
        );
        assert!(parse_short("/a:/b:bogus").is_err());
        assert!(parse_short("a:b").is_err());
        assert!(parse_short("a:/b:ro:x").is_err());
    }
}
