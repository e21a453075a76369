//! Domain packs: the built-in signal rules, one pack per kind of customer data, and the choice of
//! pack from the column vocabulary.
//!
//! The `general` pack holds rules that fit any customer data (age, household, tenure, recency,
//! complaints, support, satisfaction, churn, campaign response, activity, loyalty, preferred
//! channel). Each other pack adds the rules of one kind of business, worded for it: a loan amount
//! is described as borrowing, not as spend.

use serde::{Deserialize, Serialize};

use super::catalogue::{match_words, Rule};

/// A kind of customer data, each with its own pack of signal rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Domain {
    /// Only the rules that fit any customer data.
    General,
    /// Retail and e-commerce: spend by category, deals, web, store and catalogue purchases.
    Retail,
    /// Subscriptions and telecoms: contracts, tenure, monthly charges, services, churn.
    Subscription,
    /// Banking, credit and insurance: income, balances, debt, assets, loan amounts, default,
    /// premiums, claims.
    Finance,
    /// Business customers: company size, budget, decision authority, buying timeline.
    B2b,
}

impl Domain {
    /// Every domain, in the order ties between vocabulary scores are broken.
    pub const ALL: [Domain; 5] = [
        Domain::General,
        Domain::Retail,
        Domain::Subscription,
        Domain::Finance,
        Domain::B2b,
    ];

    /// The domain's name as written in JSON ("retail", "b2b", …).
    pub fn as_str(self) -> &'static str {
        match self {
            Domain::General => "general",
            Domain::Retail => "retail",
            Domain::Subscription => "subscription",
            Domain::Finance => "finance",
            Domain::B2b => "b2b",
        }
    }

    fn source(self) -> &'static str {
        match self {
            Domain::General => include_str!("domains/general.json"),
            Domain::Retail => include_str!("domains/retail.json"),
            Domain::Subscription => include_str!("domains/subscription.json"),
            Domain::Finance => include_str!("domains/finance.json"),
            Domain::B2b => include_str!("domains/b2b.json"),
        }
    }

    /// The domain's built-in pack.
    pub(crate) fn pack(self) -> Pack {
        // The bundled packs are checked by a unit test, so failing to parse one is a build defect.
        let pack = serde_json::from_str(self.source()).unwrap_or(Pack {
            domain: self,
            vocabulary: Vec::new(),
            rules: Vec::new(),
        });
        debug_assert_eq!(pack.domain, self, "a pack file names its own domain");
        pack
    }
}

/// One bundled pack: the words that point to its domain, and its rules.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Pack {
    pub(crate) domain: Domain,
    pub(crate) vocabulary: Vec<String>,
    pub(crate) rules: Vec<Rule>,
}

/// Which domain pack a drafter used, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DomainChoice {
    /// The domain whose pack was added to the general rules.
    pub domain: Domain,
    /// Why: the attributes whose names matched the domain's vocabulary, or that it was set.
    pub reason: String,
}

/// Chooses the domain from attribute names and labels: each domain scores the number of
/// attributes with a name or label matching one of its vocabulary terms (every word of the term
/// among the attribute's words); the highest score wins, ties going to the earlier domain in
/// [`Domain::ALL`]; with no match at all the general rules are used alone.
pub(crate) fn choose(attributes: &[(&str, &str)]) -> DomainChoice {
    let mut best: Option<(Domain, Vec<String>)> = None;
    for domain in Domain::ALL.into_iter().skip(1) {
        let pack = domain.pack();
        let terms: Vec<Vec<String>> = pack.vocabulary.iter().map(|t| match_words(&[t])).collect();
        let matched: Vec<String> = attributes
            .iter()
            .filter(|(name, label)| {
                let words = match_words(&[name, label]);
                terms
                    .iter()
                    .any(|t| !t.is_empty() && t.iter().all(|w| words.contains(w)))
            })
            .map(|(_, label)| label.to_string())
            .collect();
        if !matched.is_empty() && best.as_ref().is_none_or(|(_, b)| matched.len() > b.len()) {
            best = Some((domain, matched));
        }
    }
    match best {
        Some((domain, matched)) => {
            let shown: Vec<&str> = matched.iter().take(6).map(String::as_str).collect();
            let more = if matched.len() > shown.len() {
                format!(" and {} more", matched.len() - shown.len())
            } else {
                String::new()
            };
            DomainChoice {
                domain,
                reason: format!(
                    "{} of {} attributes {} {} words ({}{more})",
                    matched.len(),
                    attributes.len(),
                    if matched.len() == 1 { "uses" } else { "use" },
                    domain.as_str(),
                    shown.join(", ")
                ),
            }
        }
        None => DomainChoice {
            domain: Domain::General,
            reason: "no attribute uses the words of a specific domain".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pack_parses_with_unique_ids() {
        let mut ids = Vec::new();
        for domain in Domain::ALL {
            let pack: Pack = serde_json::from_str(domain.source()).unwrap();
            assert_eq!(pack.domain, domain);
            assert!(!pack.rules.is_empty());
            ids.extend(pack.rules.iter().map(|r| r.id.clone()));
        }
        let n = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), n, "rule ids must be unique across packs");
    }

    #[test]
    fn the_vocabulary_decides_the_domain() {
        let pick = |names: &[&str]| {
            let pairs: Vec<(&str, &str)> = names.iter().map(|n| (*n, *n)).collect();
            choose(&pairs).domain
        };
        assert_eq!(
            pick(&["tenure", "Contract", "MonthlyCharges", "Churn", "gender"]),
            Domain::Subscription
        );
        assert_eq!(
            pick(&["Income", "Debt", "Assets", "Amount", "Age"]),
            Domain::Finance
        );
        assert_eq!(
            pick(&["MntWines", "NumDealsPurchases", "NumWebPurchases", "Income"]),
            Domain::Retail
        );
        assert_eq!(
            pick(&["employees", "industry", "budget", "region"]),
            Domain::B2b
        );
        assert_eq!(pick(&["zodiac", "shoe_size"]), Domain::General);
        // A spending score is retail, not a credit score; a tie goes to the earlier domain.
        assert_eq!(
            pick(&[
                "Genre",
                "Age",
                "Annual Income (k$)",
                "Spending Score (1-100)"
            ]),
            Domain::Retail
        );
    }
}
