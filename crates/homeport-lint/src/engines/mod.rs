//! Engines run a whole family of rules at once: the Pod Security controls (one evaluation per
//! pod for all controls) and the schema checks (one validation per object).

pub mod pod_security;
pub mod schema;
