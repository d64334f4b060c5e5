//! The planner: from a Compose project and a cluster inventory to a `Plan` of decisions,
//! each with a reason (`homeport plan` shows them; `homeport-render` only translates them).

pub mod addons;
pub mod cluster;
pub mod codes;
mod decide;
pub mod diagram;
pub mod facts;
mod host_summary;
pub mod images;
pub mod plan;
mod planner;
pub mod production;
pub mod pull_secrets;
mod report;
pub mod rightsize;
pub mod tenancy;

pub use plan::*;
pub use planner::{dns_label, plan, plan_with_facts, plan_with_sources};
pub use production::*;
pub use pull_secrets::{PullSecretOrigin, PullSecretPlan};
pub use rightsize::RightsizePlan;
pub use tenancy::*;
