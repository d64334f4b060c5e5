use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "REL011",
    name: "image-pull-policy",
    category: Category::Reliability,
    severity: Severity::Info,
    default_enabled: true,
    summary: "A mutable image tag is not pulled with `imagePullPolicy: Always`",
    fix: "pin the image by digest, or set `imagePullPolicy: Always`",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports containers whose image is not pinned by digest and whose `imagePullPolicy` is
`IfNotPresent` or `Never` (explicitly, or by default for tagged images). kube-score's
`container-image-pull-policy` asks for `Always` everywhere; this rule accepts any image
pinned by digest, which is immutable, as the better fix.

## Why is this bad?
A tag can be pushed again. With `IfNotPresent`, each node keeps whatever it pulled first:
after a re-push, pods of one Deployment run different code depending on their node, and
`imagePullSecrets` are not checked again for an image already on the node.

## Example
```yaml
image: ghcr.io/example/api:1.4
imagePullPolicy: IfNotPresent
```

## Fix
```yaml
image: ghcr.io/example/api:1.4@sha256:4c1e0d3d7f0c6c6a4f5fbb6ad8f0c1a3e6c5e8f2b1d6c9a7e4f3b2a1c0d9e8f7
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
        let r = parse_image(image);
        if r.digest.is_some() {
            continue;
        }
        let explicit = c.get("imagePullPolicy").and_then(Value::as_str);
        let effective = explicit.unwrap_or(match r.tag {
            None | Some("latest") => "Always",
            _ => "IfNotPresent",
        });
        if effective != "Always" {
            let path = match explicit {
                Some(_) => c.path.key("imagePullPolicy"),
                None => c.path.key("image"),
            };
            out.report(
                path,
                format!(
                    "{} pulls mutable image `{image}` with `{effective}`{}",
                    c.describe(),
                    if explicit.is_none() {
                        " (the default for a tagged image)"
                    } else {
                        ""
                    }
                ),
            );
        }
    }
}
