//! Right-sizing: a VerticalPodAutoscaler per workload in recommendation mode. Its
//! recommender watches the pods' real use and publishes requests to set; it never changes a
//! pod (`updateMode: Off`), so it cannot fight a HorizontalPodAutoscaler scaling the same
//! workload on CPU or memory utilisation.

/// The VerticalPodAutoscaler of one workload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RightsizePlan {
    /// `Off`: recommendations only (the only mode homeport writes).
    pub update_mode: &'static str,
    /// Resources it recommends for (`cpu`, `memory`).
    pub controlled_resources: Vec<&'static str>,
    /// Why, for the plan.
    pub reason: String,
}

impl RightsizePlan {
    /// How to read the recommendations of the VPA `name` in `namespace`.
    pub fn how_to_read(name: &str, namespace: &str) -> String {
        format!("kubectl describe vpa {name} -n {namespace} (Status > Recommendation: `Target` is the request to set, `Lower Bound`/`Upper Bound` the range; give it a few days of real load)")
    }
}
