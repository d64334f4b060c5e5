use crate::rules::prelude::*;

pub static RULE: Rule = Rule {
    code: "SCH006",
    name: "custom-resource-unchecked",
    category: Category::Schema,
    severity: Severity::Info,
    default_enabled: false,
    summary: "A custom resource that the built-in schema cannot check",
    fix: "check custom resources against their CRD's schema (for example with kubeconform and the CRD catalog)",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Schema,
    doc: r#"## What it does
Notes each custom resource (an `apiVersion` whose group has no built-in kinds, such as
`cert-manager.io/v1` or `traefik.io/v1alpha1`): the built-in Kubernetes schema does not
describe it, so its fields were not checked. Off by default; the summary line of every run
counts these objects. Enable it with `--select SCH006` to list them.

## Why is this bad?
It is not bad in itself; it tells you which objects the schema checks did not cover.

## Example
```yaml
apiVersion: cert-manager.io/v1
kind: Certificate
```

## Fix
Nothing to fix. Validate custom resources with their CRD's own schema.
"#,
};
