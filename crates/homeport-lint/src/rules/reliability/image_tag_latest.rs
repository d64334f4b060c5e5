use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "REL010",
    name: "image-tag-latest",
    category: Category::Reliability,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "An image without a tag, or tagged `latest`",
    fix: "pin a version tag (`nginx:1.27.3`) or a digest (`nginx@sha256:...`)",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports container images with no tag (which means `latest`) or the `latest` tag, unless
they are pinned by digest. (kube-linter's `latest-tag`, kube-score's
`container-image-tag`.)

## Why is this bad?
`latest` is whatever was pushed last. Two nodes can run different versions of the "same"
pod, a restart can upgrade a database across a major version, and a rollback has nothing
to roll back to.

## Example
```yaml
image: jellyfin/jellyfin
```

## Fix
```yaml
image: jellyfin/jellyfin:10.10.3
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
        let problem = match r.tag {
            None => "has no tag (so it means `latest`)",
            Some("latest") => "uses the `latest` tag",
            _ => continue,
        };
        out.report(
            c.path.key("image"),
            format!("image `{image}` of {} {problem}", c.describe()),
        );
    }
}
