use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SEC021",
    name: "image-not-pinned-by-digest",
    category: Category::Security,
    severity: Severity::Info,
    default_enabled: false,
    summary: "An image is referenced by tag, not pinned by digest",
    fix: "append the digest the tag points to today: `image: nginx:1.27.3@sha256:...` (`homeport images` lists them)",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports container images without a `@sha256:` digest. Off by default (most home stacks
update by tag on purpose); enable it with `--select default,SEC021` or
`extend-select = ["SEC021"]` in `.homeport.toml`. (Checkov's CKV_K8S_43.)

## Why is this bad?
A tag is a pointer the registry owner can move: the same manifest pulls different code on
different nodes and days, and a compromised registry account ships code to every cluster
that restarts a pod. A digest names exactly one image.

## Example
```yaml
image: ghcr.io/example/api:1.4
```

## Fix
```yaml
image: ghcr.io/example/api:1.4@sha256:4bf3d2a3c5e1f8e7a1e0c9b6d2f4a8b7c3d1e5f9a2b4c6d8e0f1a3b5c7d9e1f3
```
"#,
};

fn check(cx: &Context<'_>, _obj: &Object, out: &mut Emitter<'_>) {
    let Some((_, containers)) = declared_containers(cx, out) else {
        return;
    };
    for c in containers {
        let image = c.image();
        if image.is_empty() || is_placeholder(image) {
            continue;
        }
        if parse_image(image).digest.is_none() {
            out.report(
                c.path.key("image"),
                format!(
                    "image `{image}` of {} is not pinned by digest",
                    c.describe()
                ),
            );
        }
    }
}
