use crate::rules::prelude::*;
use crate::selector::Selector;

pub static RULE: Rule = Rule {
    code: "REL013",
    name: "selector-mismatch",
    category: Category::Reliability,
    severity: Severity::Error,
    default_enabled: true,
    summary: "A workload's selector does not match its own pod template's labels",
    fix: "make `spec.selector` match `spec.template.metadata.labels`",
    overlaps: &[],
    needs_cluster: false,
    check: Check::Object(check),
    doc: r#"## What it does
Reports Deployments, StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers and
Jobs (with a manual selector) whose `spec.selector` does not select the labels of their own
pod template. (kube-linter's `mismatching-selector`, kube-score's
`*-pod-selector-labels-match-template-metadata-labels`.)

## Why is this bad?
The API server rejects the object ("selector does not match template labels"); for a
ReplicationController without a selector match, the controller creates pods it never
counts, forever.

## Example
```yaml
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: frontend}
```

## Fix
```yaml
spec:
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
```
"#,
};

fn check(cx: &Context<'_>, obj: &Object, out: &mut Emitter<'_>) {
    let Some(t) = template(cx, out) else { return };
    let selector = match obj.kind.as_str() {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" => {
            match obj.value.get("spec").and_then(|s| s.get("selector")) {
                Some(s) => Selector::from_label_selector(s),
                None => return,
            }
        }
        "ReplicationController" => {
            match obj
                .value
                .get("spec")
                .and_then(|s| s.get("selector"))
                .and_then(Value::as_object)
            {
                Some(m) => Selector::from_map(m),
                None => return,
            }
        }
        "Job" => {
            let spec = obj.value.get("spec");
            if spec
                .and_then(|s| s.get("manualSelector"))
                .and_then(Value::as_bool)
                != Some(true)
            {
                return;
            }
            match spec.and_then(|s| s.get("selector")) {
                Some(s) => Selector::from_label_selector(s),
                None => return,
            }
        }
        _ => return,
    };
    if selector.is_empty() {
        return;
    }
    if !selector.matches(t.labels()) {
        out.report(
            FieldPath::parse("spec.selector"),
            format!(
                "{} `{}` selects labels its pod template does not have",
                obj.kind, obj.name
            ),
        );
    }
}
