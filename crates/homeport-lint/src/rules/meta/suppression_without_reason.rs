use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "LNT001",
    name: "suppression-without-reason",
    category: Category::Meta,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A `homeport.dev/ignore` annotation without a `homeport.dev/ignore-reason`",
    fix: "add `homeport.dev/ignore-reason: \"...\"` saying why the findings do not apply",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Checker,
    doc: r#"## What it does
Findings on one object can be suppressed with the annotation `homeport.dev/ignore` (a
comma-separated list of rule codes, code prefixes, rule names or categories), on the object
or on its pod template. The suppression must say why, in `homeport.dev/ignore-reason`. This
rule reports suppressions without a reason; the findings are suppressed all the same.

## Why is this bad?
A suppression without a reason cannot be reviewed: nobody can tell later whether the reason
still holds, and suppressions pile up.

## Example
```yaml
metadata:
  annotations:
    homeport.dev/ignore: "PSS014"
```

## Fix
```yaml
metadata:
  annotations:
    homeport.dev/ignore: "PSS014"
    homeport.dev/ignore-reason: "s6-overlay init starts as root and drops to PUID 1000"
```
"#,
};
