//! `schema`: the Kubernetes OpenAPI schema of the target version. These rules are run by
//! the schema engine ([`crate::engines::schema`]); their files hold their documentation.

mod custom_resource_unchecked;
mod invalid_value;
mod missing_required_field;
mod unknown_api_kind;
mod unknown_field;
mod wrong_type;

pub use custom_resource_unchecked::RULE as CUSTOM_RESOURCE_UNCHECKED;
pub use invalid_value::RULE as INVALID_VALUE;
pub use missing_required_field::RULE as MISSING_REQUIRED_FIELD;
pub use unknown_api_kind::RULE as UNKNOWN_API_KIND;
pub use unknown_field::RULE as UNKNOWN_FIELD;
pub use wrong_type::RULE as WRONG_TYPE;
