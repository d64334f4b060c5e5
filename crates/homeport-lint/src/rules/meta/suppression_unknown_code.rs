use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "LNT002",
    name: "suppression-unknown-code",
    category: Category::Meta,
    severity: Severity::Warning,
    default_enabled: true,
    summary: "A `homeport.dev/ignore` annotation naming no rule",
    fix: "use codes from `homeport rule --list`",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Checker,
    doc: r#"## What it does
Reports entries of `homeport.dev/ignore` that are not a rule code, code prefix, rule name
or category.

## Why is this bad?
A typo in a suppression suppresses nothing, and the finding you meant to silence keeps
coming back (or, worse, you believe a rule is silenced that is not).

## Example
```yaml
metadata:
  annotations:
    homeport.dev/ignore: "PSS14"
    homeport.dev/ignore-reason: "runs as root by design"
```

## Fix
```yaml
metadata:
  annotations:
    homeport.dev/ignore: "PSS014"
    homeport.dev/ignore-reason: "runs as root by design"
```
"#,
};
