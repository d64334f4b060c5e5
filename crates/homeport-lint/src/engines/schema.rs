//! The `schema` category: `homeport_k8s_schema` validates each object against the OpenAPI
//! schema of the target version; this maps its violations to rules.

use crate::finding::RawFinding;
use crate::registry::rule_by_code;
use crate::selection::Selection;
use homeport_k8s_schema::{SchemaViolation, VersionSchema, ViolationKind};
use homeport_manifest::{FieldPath, Object, PathSegment};

pub const UNKNOWN_FIELD: &str = "SCH001";
pub const WRONG_TYPE: &str = "SCH002";
pub const MISSING_REQUIRED: &str = "SCH003";
pub const INVALID_VALUE: &str = "SCH004";
pub const UNKNOWN_KIND: &str = "SCH005";
pub const CUSTOM_RESOURCE: &str = "SCH006";

/// Whether the object is a custom resource (its group has no built-in kinds).
pub fn is_custom_resource(obj: &Object) -> bool {
    !homeport_k8s_schema::is_builtin_group(&obj.api_version)
}

/// Validate one object. Returns whether it was checked (false for custom resources).
pub fn check(
    index: usize,
    obj: &Object,
    schema: &VersionSchema,
    selection: &Selection,
    out: &mut Vec<RawFinding>,
) -> bool {
    let mut checked = true;
    for v in schema.validate(&obj.value) {
        let code = match v.kind {
            ViolationKind::UnknownField => UNKNOWN_FIELD,
            ViolationKind::WrongType => WRONG_TYPE,
            ViolationKind::MissingRequired => MISSING_REQUIRED,
            ViolationKind::InvalidEnum | ViolationKind::InvalidFormat | ViolationKind::Other => {
                INVALID_VALUE
            }
            ViolationKind::UnknownKind => {
                // Removed APIs are reported by the api-version rules, with the replacement.
                if homeport_k8s_schema::removed_in(&obj.api_version, &obj.kind).is_some() {
                    continue;
                }
                if is_custom_resource(obj) {
                    checked = false;
                    CUSTOM_RESOURCE
                } else {
                    UNKNOWN_KIND
                }
            }
        };
        if !selection.contains(code) {
            continue;
        }
        let Some(rule) = rule_by_code(code) else {
            continue;
        };
        let message = match code {
            CUSTOM_RESOURCE => format!(
                "`{}` `{}` is a custom resource: the Kubernetes {} schema does not describe it, so it was not checked",
                obj.api_version,
                obj.kind,
                schema.version()
            ),
            _ => message_of(&v),
        };
        out.push(RawFinding {
            rule,
            severity: rule.severity,
            object: index,
            path: to_path(&v),
            message,
            help: None,
        });
    }
    checked
}

fn message_of(v: &SchemaViolation) -> String {
    if v.path.is_empty() {
        v.message.clone()
    } else {
        format!("{}: {}", v.path_string(), v.message)
    }
}

fn to_path(v: &SchemaViolation) -> FieldPath {
    FieldPath(
        v.path
            .iter()
            .map(|s| match s {
                homeport_k8s_schema::PathSegment::Key(k) => PathSegment::Key(k.clone()),
                homeport_k8s_schema::PathSegment::Index(i) => PathSegment::Index(*i),
            })
            .collect(),
    )
}
