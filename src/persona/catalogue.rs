//! The signal catalogue: rules that turn a marked difference into persona statements.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::domain::Domain;
use crate::error::{Error, Result};
use crate::text::words;

/// Which way a segment differs from all customers: the direction a rule needs to apply, and the
/// direction a planted signal of the sample data goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// The segment's mean (or share of `true`, or share of the level) is markedly higher.
    High,
    /// The segment's mean (or share of `true`) is markedly lower.
    Low,
}

/// The dominant motivation behind a segment's purchases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuyerType {
    /// Buys when a need arises, for function and quality.
    Need,
    /// Buys for the price: discounts, offers and campaigns drive purchases.
    Deal,
    /// Buys spontaneously, often online or on a whim.
    Impulse,
    /// Buys again and again from a brand they trust.
    Loyalty,
    /// No single motivation dominates.
    Mixed,
}

impl BuyerType {
    /// The buyer type in words: "need-based", "deal-based", …
    pub fn as_str(self) -> &'static str {
        match self {
            BuyerType::Need => "need-based",
            BuyerType::Deal => "deal-based",
            BuyerType::Impulse => "impulse-based",
            BuyerType::Loyalty => "loyalty-based",
            BuyerType::Mixed => "mixed",
        }
    }
}

/// One signal rule; see [`Catalogue`] for how rules are matched.
///
/// In JSON, an object with the fields' names as keys; an unknown key (a typo such as `"goal"`
/// for `"goals"`) is an error naming it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// A unique id; a user rule with a built-in rule's id replaces it.
    pub id: String,
    /// Attribute-name patterns (words separated by spaces).
    pub attributes: Vec<String>,
    /// Level patterns; empty for rules on numeric means and boolean shares.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<String>,
    /// Which way the difference must go.
    pub direction: Direction,
    /// What the rule speaks about, so that a persona never states both sides of it: rules of
    /// one concept with opposite directions contradict each other. When absent, the id without
    /// a trailing `_high`, `_low`, `_short` or `_long` (`spend_high` -> `spend`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concept: Option<String>,
    /// Words that must not appear in the attribute's name or label for the rule to match
    /// (`purchases` unless `deals`: a count of deal purchases is not purchase frequency).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unless: Vec<String>,
    /// Rules (by id) beside which this one says nothing: when one of them fires for the same
    /// persona, this one is dropped (a long tenure reads as loyalty, except in a segment that
    /// has stopped buying).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_with: Vec<String>,
    /// For a number: the rule fires only when the segment's value is at least this many times
    /// all customers' (direction `high`) or at most its inverse (`low`), besides the effect size.
    /// For durations and counts, where a difference of a few percent can be many standard
    /// deviations when everyone is alike (customers who all joined in one quarter are not
    /// "new" for having joined a month later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_ratio: Option<f64>,
    /// A descriptor for persona names ("Deal-Hunting").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub descriptor: Option<String>,
    /// A phrase for the persona summary ("hunts for discounts").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The buyer type this signal points to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_type: Option<BuyerType>,
    /// Goal statements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goals: Vec<String>,
    /// Pain point statements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pain_points: Vec<String>,
    /// Objection statements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub objections: Vec<String>,
    /// Motivation statements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub motivations: Vec<String>,
    /// Buying behaviour statements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buying_behaviour: Vec<String>,
    /// Channel statements.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<String>,
}

impl Rule {
    /// A rule with no statements yet, for an attribute pattern and direction.
    pub fn new(id: impl Into<String>, attribute: impl Into<String>, direction: Direction) -> Self {
        Rule {
            id: id.into(),
            attributes: vec![attribute.into()],
            levels: Vec::new(),
            direction,
            concept: None,
            unless: Vec::new(),
            not_with: Vec::new(),
            min_ratio: None,
            descriptor: None,
            summary: None,
            buyer_type: None,
            goals: Vec::new(),
            pain_points: Vec::new(),
            objections: Vec::new(),
            motivations: Vec::new(),
            buying_behaviour: Vec::new(),
            channels: Vec::new(),
        }
    }

    /// Makes this a level rule for levels named like `level`.
    pub fn with_level(mut self, level: impl Into<String>) -> Self {
        self.levels.push(level.into());
        self
    }

    /// Adds an attribute-name pattern.
    pub fn with_attribute(mut self, pattern: impl Into<String>) -> Self {
        self.attributes.push(pattern.into());
        self
    }

    /// The concept the rule speaks about; see [`Rule::concept`](Rule#structfield.concept).
    pub fn concept(&self) -> &str {
        if let Some(c) = &self.concept {
            return c;
        }
        ["_high", "_low", "_short", "_long"]
            .iter()
            .find_map(|s| self.id.strip_suffix(s))
            .unwrap_or(&self.id)
    }

    /// Sets the concept.
    pub fn with_concept(mut self, concept: impl Into<String>) -> Self {
        self.concept = Some(concept.into());
        self
    }

    /// Adds a word that stops the rule from matching.
    pub fn with_unless(mut self, word: impl Into<String>) -> Self {
        self.unless.push(word.into());
        self
    }

    /// Sets the name descriptor.
    pub fn with_descriptor(mut self, descriptor: impl Into<String>) -> Self {
        self.descriptor = Some(descriptor.into());
        self
    }

    /// Sets the summary phrase.
    pub fn with_summary(mut self, summary: impl Into<String>) -> Self {
        self.summary = Some(summary.into());
        self
    }

    /// Sets the buyer type.
    pub fn with_buyer_type(mut self, buyer_type: BuyerType) -> Self {
        self.buyer_type = Some(buyer_type);
        self
    }

    /// Adds a goal.
    pub fn with_goal(mut self, text: impl Into<String>) -> Self {
        self.goals.push(text.into());
        self
    }

    /// Adds a pain point.
    pub fn with_pain_point(mut self, text: impl Into<String>) -> Self {
        self.pain_points.push(text.into());
        self
    }

    /// Adds an objection.
    pub fn with_objection(mut self, text: impl Into<String>) -> Self {
        self.objections.push(text.into());
        self
    }

    /// Adds a motivation.
    pub fn with_motivation(mut self, text: impl Into<String>) -> Self {
        self.motivations.push(text.into());
        self
    }

    /// Adds a buying behaviour.
    pub fn with_buying_behaviour(mut self, text: impl Into<String>) -> Self {
        self.buying_behaviour.push(text.into());
        self
    }

    /// Adds a channel.
    pub fn with_channel(mut self, text: impl Into<String>) -> Self {
        self.channels.push(text.into());
        self
    }

    fn validate(&self) -> Result<()> {
        let bad = |reason: &str| Error::InvalidParameter {
            name: "rule",
            value: crate::error::shorten(&self.id),
            reason: match reason {
                "id" => "a rule needs a non-empty id",
                "attributes" => "a rule needs at least one non-empty attribute pattern",
                _ => "a level pattern is empty",
            },
        };
        if self.id.trim().is_empty() {
            return Err(bad("id"));
        }
        if self.attributes.is_empty() || self.attributes.iter().any(|a| words(a).is_empty()) {
            return Err(bad("attributes"));
        }
        if self.levels.iter().any(|l| words(l).is_empty()) {
            return Err(bad("levels"));
        }
        Ok(())
    }
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    rules: Vec<Rule>,
}

/// An ordered set of [`Rule`]s: the signal catalogue.
///
/// A [`Rule`] says: "when an attribute named like one of `attributes` (and, for level rules, a
/// level named like one of `levels`) is markedly high (or low) in a segment, say these goals,
/// pain points, objections, motivations, buying behaviours and channels". Rules are data: the
/// built-in rules are JSON packs bundled with the crate, one per [`Domain`]
/// (`src/persona/domains/*.json`), and users add or replace rules in Rust
/// ([`Catalogue::with_rule`]) or from their own JSON ([`Catalogue::with_rules_json`]).
///
/// [`Catalogue::builtin`] is the built-in packs plus any rules added to it: when drafting, the
/// rules used are the added rules first, then the `general` pack, then the pack of the chosen
/// domain ([`Catalogue::for_domain`]); an added rule with a built-in rule's id replaces it.
/// [`Catalogue::new`] is exactly the rules given, whatever the domain.
///
/// ## Matching
/// Attribute names and labels are split into lower-case words (`web_visits_per_month`,
/// `WebVisitsPerMonth` and "Web visits per month" all give `web visits month`: small words such
/// as "per" and "of" are dropped). A pattern matches when every word of it appears among the
/// attribute's words (a trailing `s` is ignored, so `purchase` matches `purchases`) and none of
/// the rule's `unless` words does. When several rules match the same difference, the one whose
/// pattern has the most words wins (`spend groceries` beats `spend`), then the earlier rule.
/// Level rules match the level text the same way.
///
/// ## Wording
/// Statement texts and summary phrases may contain `{more}` and `{less}`: they become "more" and
/// "less" for an effect below 1 sd (a lift below 2), and "far more" and "far less" from there.
///
/// ## Ids and cost
/// Ids are unique within one set of rules given at once ([`Catalogue::new`],
/// [`Catalogue::with_rules`], one JSON file): a repeated id is an error naming it. Loading `n`
/// rules costs time linear in `n` (replacement by id is a hash lookup), so packs of tens of
/// thousands of rules load in well under a second; [`Catalogue::with_rule`] costs time linear in
/// the rules already there, so add many rules at once with [`Catalogue::with_rules`].
#[derive(Debug, Clone, PartialEq)]
pub struct Catalogue {
    rules: Vec<Rule>,
    /// Pre-split words of every rule's patterns, parallel to `rules`.
    patterns: Vec<Patterns>,
    /// Whether the built-in packs follow `rules`.
    builtin: bool,
}

#[derive(Debug, Clone, PartialEq)]
struct Patterns {
    attributes: Vec<Vec<String>>,
    levels: Vec<Vec<String>>,
    unless: Vec<String>,
}

impl Patterns {
    fn of(rule: &Rule) -> Self {
        Patterns {
            attributes: rule.attributes.iter().map(|a| split(a)).collect(),
            levels: rule.levels.iter().map(|l| split(l)).collect(),
            unless: rule.unless.iter().flat_map(|u| split(u)).collect(),
        }
    }
}

/// Checks every rule and that no two share an id.
fn check_rules(rules: &[Rule]) -> Result<()> {
    let mut seen: HashSet<&str> = HashSet::with_capacity(rules.len());
    for rule in rules {
        rule.validate()?;
        if !seen.insert(rule.id.as_str()) {
            return Err(Error::InvalidParameter {
                name: "rule",
                value: crate::error::shorten(&rule.id),
                reason: "two rules have this id; an id names one rule (a rule replaces the \
                         built-in rule of its id), so give each rule its own id",
            });
        }
    }
    Ok(())
}

/// Words that carry no meaning for matching.
const STOP_WORDS: &[&str] = &[
    "of", "per", "the", "a", "an", "and", "to", "in", "on", "for",
];

fn stem(word: &str) -> &str {
    if word.len() > 3 {
        word.strip_suffix('s').unwrap_or(word)
    } else {
        word
    }
}

fn split(pattern: &str) -> Vec<String> {
    words(pattern)
        .iter()
        .filter(|w| !STOP_WORDS.contains(&w.as_str()))
        .map(|w| stem(w).to_string())
        .collect()
}

/// The number of words of the longest pattern all of whose words are in `words`.
fn best_match(patterns: &[Vec<String>], words: &[String]) -> Option<usize> {
    patterns
        .iter()
        .filter(|p| !p.is_empty() && p.iter().all(|w| words.contains(w)))
        .map(Vec::len)
        .max()
}

/// The stemmed words of a name or label, for matching.
pub(crate) fn match_words(texts: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = texts.iter().flat_map(|t| split(t)).collect();
    out.sort();
    out.dedup();
    out
}

impl Catalogue {
    /// The built-in rules: the `general` pack and the pack of the domain chosen when drafting
    /// (rules for age, household and children, tenure, recency, complaints, support,
    /// satisfaction, churn, campaign response, loyalty and preferred channel everywhere; spend
    /// by category, deals and purchase channels in retail; contracts, charges and services in
    /// subscriptions; income, debt, assets, loans, home, job and default in finance; company
    /// size, budget, authority and timeline in B2B).
    pub fn builtin() -> Self {
        Catalogue {
            rules: Vec::new(),
            patterns: Vec::new(),
            builtin: true,
        }
    }

    /// The built-in rules for one domain, with nothing added: the `general` pack, then the
    /// domain's pack.
    pub fn builtin_for(domain: Domain) -> Self {
        Self::builtin().for_domain(domain)
    }

    /// A catalogue of exactly these rules (no built-in ones).
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a rule without id or patterns, or naming an id that two
    /// rules share.
    pub fn new(rules: Vec<Rule>) -> Result<Self> {
        check_rules(&rules)?;
        Ok(Self::from_rules(rules, false))
    }

    fn from_rules(rules: Vec<Rule>, builtin: bool) -> Self {
        let patterns = rules.iter().map(Patterns::of).collect();
        Catalogue {
            rules,
            patterns,
            builtin,
        }
    }

    /// Whether the built-in packs follow this catalogue's own rules when drafting.
    pub fn uses_builtin(&self) -> bool {
        self.builtin
    }

    /// The rules used for a domain: this catalogue's own rules, then (for a catalogue built on
    /// [`Catalogue::builtin`]) the `general` pack and the domain's pack, without built-in rules
    /// whose id an own rule has.
    pub fn for_domain(&self, domain: Domain) -> Catalogue {
        let mut rules = self.rules.clone();
        if self.builtin {
            let packs = if domain == Domain::General {
                vec![Domain::General]
            } else {
                vec![Domain::General, domain]
            };
            let own: HashSet<&str> = self.rules.iter().map(|r| r.id.as_str()).collect();
            for pack in packs {
                rules.extend(
                    pack.pack()
                        .rules
                        .into_iter()
                        .filter(|r| !own.contains(r.id.as_str())),
                );
            }
        }
        Self::from_rules(rules, false)
    }

    /// Adds a rule, or replaces the rule with the same id. Added rules come before built-in
    /// ones, so they win ties.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a rule without id or patterns.
    pub fn with_rule(self, rule: Rule) -> Result<Self> {
        self.with_rules(vec![rule])
    }

    /// Adds rules, or replaces the rules with the same ids, in one pass: the added rules come
    /// first, in the order given, then the rules already there whose ids none of them has.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] for a rule without id or patterns, or naming an id that two
    /// of the added rules share.
    pub fn with_rules(self, rules: Vec<Rule>) -> Result<Self> {
        check_rules(&rules)?;
        let added: HashSet<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        let (kept, kept_patterns): (Vec<Rule>, Vec<Patterns>) = self
            .rules
            .into_iter()
            .zip(self.patterns)
            .filter(|(r, _)| !added.contains(r.id.as_str()))
            .unzip();
        let mut patterns: Vec<Patterns> = rules.iter().map(Patterns::of).collect();
        patterns.extend(kept_patterns);
        let mut all = rules;
        all.extend(kept);
        Ok(Catalogue {
            rules: all,
            patterns,
            builtin: self.builtin,
        })
    }

    /// Adds or replaces rules from JSON of the form `{"rules": [ {...}, ... ]}` (the format of
    /// the built-in packs; see [`Rule`] for the fields).
    ///
    /// ```
    /// use personas::persona::Catalogue;
    /// let catalogue = Catalogue::builtin().with_rules_json(r#"{"rules": [{
    ///     "id": "vip", "attributes": ["vip"], "direction": "high",
    ///     "motivations": ["Being treated as a VIP"]
    /// }]}"#)?;
    /// assert!(catalogue.rules().iter().any(|r| r.id == "vip"));
    /// # Ok::<(), personas::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Json`] for malformed JSON or an unknown key (naming it),
    /// [`Error::InvalidParameter`] for an invalid rule or naming an id that two rules of the
    /// JSON share.
    pub fn with_rules_json(self, json: &str) -> Result<Self> {
        let file: RuleFile = serde_json::from_str(json)?;
        self.with_rules(file.rules)
    }

    /// Adds or replaces rules from a JSON file; see [`Catalogue::with_rules_json`].
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read, [`Error::JsonFile`] (naming the file) for
    /// malformed JSON or an unknown key, [`Error::InvalidParameter`] as
    /// [`Catalogue::with_rules_json`].
    pub fn with_rules_file(self, path: impl AsRef<std::path::Path>) -> Result<Self> {
        crate::error::read_json_file(path.as_ref(), |text| self.with_rules_json(text))
    }

    /// This catalogue's own rules, in priority order (for [`Catalogue::builtin`], the added
    /// rules only; [`Catalogue::for_domain`] lists every rule used for a domain).
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The catalogue's own rules as JSON, in the format [`Catalogue::with_rules_json`] reads.
    ///
    /// # Errors
    /// [`Error::Json`] if serialisation fails.
    pub fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string_pretty(&RuleFile {
            rules: self.rules.clone(),
        })?)
    }

    /// The best rule for a difference on an attribute with these (stemmed) words, level words
    /// (`None` for numeric means and boolean shares) and direction.
    pub(crate) fn find(
        &self,
        attribute_words: &[String],
        level_words: Option<&[String]>,
        direction: Direction,
    ) -> Option<&Rule> {
        self.rules
            .iter()
            .zip(&self.patterns)
            .filter(|(r, p)| {
                r.direction == direction
                    && (p.levels.is_empty() == level_words.is_none())
                    && !p.unless.iter().any(|u| attribute_words.contains(u))
            })
            .filter_map(|(r, p)| {
                let attribute = best_match(&p.attributes, attribute_words)?;
                let level = match level_words {
                    Some(words) => best_match(&p.levels, words)?,
                    None => 0,
                };
                Some((attribute + level, r))
            })
            // max_by_key keeps the last maximum; reverse so the earliest rule wins ties.
            .rev()
            .max_by_key(|(score, _)| *score)
            .map(|(_, r)| r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(texts: &[&str]) -> Vec<String> {
        match_words(texts)
    }

    #[test]
    fn the_builtin_packs_are_valid() {
        for domain in Domain::ALL {
            let c = Catalogue::builtin_for(domain);
            assert!(c.rules().len() >= 30, "{domain:?}");
            c.rules().iter().for_each(|r| r.validate().unwrap());
        }
        assert!(Catalogue::builtin().rules().is_empty());
    }

    #[test]
    fn the_most_specific_rule_wins() {
        let c = Catalogue::builtin_for(Domain::Retail);
        let find = |names: &[&str], dir| c.find(&w(names), None, dir).map(|r| r.id.as_str());
        let high = Direction::High;
        assert_eq!(find(&["spend_groceries"], high), Some("groceries_high"));
        assert_eq!(find(&["total_spend"], high), Some("monetary_high"));
        assert_eq!(find(&["spend_home"], high), Some("home_high"));
        assert_eq!(find(&["MntWines"], high), Some("groceries_high"));
        assert_eq!(find(&["NumWebVisitsMonth"], high), Some("web_visits_high"));
        assert_eq!(find(&["NumWebPurchases"], high), Some("web_purchases_high"));
        assert_eq!(
            find(&["discount_share"], Direction::Low),
            Some("discount_low")
        );
        assert_eq!(find(&["recency_days"], high), Some("recency_high"));
        assert_eq!(find(&["Complain"], high), Some("complaints_high"));
        assert_eq!(find(&["zodiac_sign"], high), None);
        // A count of deal purchases is about deals, never about how often they buy.
        assert_eq!(find(&["NumDealsPurchases"], high), Some("discount_high"));
        assert_eq!(
            find(&["NumDealsPurchases"], Direction::Low),
            Some("discount_low")
        );
        assert_eq!(find(&["NumStorePurchases"], Direction::Low), None);
        let level = |c: &Catalogue, attr: &str, level: &str| {
            c.find(&w(&[attr]), Some(&w(&[level])), high)
                .map(|r| r.id.clone())
        };
        assert_eq!(
            level(&c, "preferred_channels", "social").as_deref(),
            Some("channel_social")
        );
        assert_eq!(level(&c, "region", "north"), None);
        let telco = Catalogue::builtin_for(Domain::Subscription);
        assert_eq!(
            level(&telco, "Contract", "Month-to-month").as_deref(),
            Some("contract_short")
        );
        assert_eq!(
            level(&telco, "Contract", "Two year").as_deref(),
            Some("contract_long")
        );
        assert_eq!(
            level(&telco, "OnlineSecurity", "No internet service").as_deref(),
            Some("no_internet")
        );
        // Retail wording never lands on credit data: a loan amount is borrowing.
        let credit = Catalogue::builtin_for(Domain::Finance);
        let amount = credit
            .find(&w(&["Amount"]), None, high)
            .map(|r| r.id.as_str());
        assert_eq!(amount, Some("loan_amount_high"));
        assert_eq!(Rule::new("spend_high", "x", high).concept(), "spend");
    }

    #[test]
    fn user_rules_replace_by_id_and_come_first() {
        let c = Catalogue::builtin()
            .with_rule(
                Rule::new("discount_high", "discount", Direction::High)
                    .with_objection("Only buys on sale"),
            )
            .unwrap();
        let retail = c.for_domain(Domain::Retail);
        let r = retail
            .find(&w(&["discount_share"]), None, Direction::High)
            .unwrap();
        assert_eq!(r.objections, ["Only buys on sale"]);
        assert_eq!(
            retail
                .rules()
                .iter()
                .filter(|r| r.id == "discount_high")
                .count(),
            1
        );
        let bad = Catalogue::builtin().with_rule(Rule::new("", "x", Direction::High));
        assert!(bad.is_err());
        assert!(Catalogue::builtin().with_rules_json("{").is_err());
        let round = Catalogue::new(c.rules().to_vec()).unwrap();
        let again = Catalogue::new(Vec::new())
            .unwrap()
            .with_rules_json(&round.to_json().unwrap())
            .unwrap();
        assert_eq!(again.rules(), round.rules());
    }
}
