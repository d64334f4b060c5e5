//! `meta`: problems with the linter's own inputs (suppression annotations). Reported by the
//! checker ([`crate::suppression`]); their files hold their documentation.

mod suppression_unknown_code;
mod suppression_without_reason;

pub use suppression_unknown_code::RULE as SUPPRESSION_UNKNOWN_CODE;
pub use suppression_without_reason::RULE as SUPPRESSION_WITHOUT_REASON;
