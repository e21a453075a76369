//! Schema inference: a first schema guessed from a CSV file, with a report of every guess.
//!
//! Inference reads every cell once and decides, per column, in this order:
//!
//! 1. every value missing: **ignored**;
//! 2. named like an identifier (`id`, `customer_id`, `CustomerID`, `uuid`, …) with unique values:
//!    **identifier**;
//! 3. only `true/false`, `yes/no`, `y/n`, `t/f` or `0/1`: **boolean**;
//! 4. only numbers: **numeric**; non-negative and strongly right-skewed (skewness above 2, as spend
//!    and counts often are) also gets `log1p`; named like a total amount (`revenue`, `sales`,
//!    `total_charges`, `lifetime_value`, …) gets role **value**;
//! 5. text, every value different: the **identifier** if there is none yet, else **ignored**;
//! 6. text where at least a tenth of the cells hold `;` or `|` separated lists of a few distinct
//!    items: **tags**;
//! 7. text with few distinct values (at most 50, and repeats): **categorical**;
//! 8. anything else: **ignored** (free text).
//!
//! The facet is guessed from words in the name (`age`, `income` are demographic; `region`,
//! `country` geographic; `spend`, `visits`, `tenure` behavioural; `industry`, `employees`
//! firmographic; `satisfaction`, `interest` psychographic), and a unit from a parenthesised suffix
//! ("Annual Income (k$)"). Guesses are a starting point: print the report, adjust the schema (it is
//! plain JSON), and pass it back in.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::input::{CsvOptions, RawCsv};
use crate::schema::{Attribute, Facet, Role, Schema};
use crate::table::parse_bool;

/// The most distinct values a text column may have to be guessed categorical.
const MAX_CATEGORICAL_LEVELS: usize = 50;

/// What inference decided about one column, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Guess {
    /// The column.
    pub attribute: String,
    /// The kind chosen ("numeric", "categorical", …).
    pub kind: &'static str,
    /// The role chosen.
    pub role: Role,
    /// The facet chosen.
    pub facet: Facet,
    /// Why, in words.
    pub reason: String,
}

/// A schema inferred from data, with the reasons for each choice.
#[derive(Debug, Clone, PartialEq)]
pub struct Inference {
    schema: Schema,
    guesses: Vec<Guess>,
}

impl Inference {
    /// Infers a schema from a CSV file.
    ///
    /// # Errors
    /// [`crate::Error::Io`] and the input errors of [`crate::CustomerTable::from_csv_path`]
    /// (empty input, header only, ragged rows).
    pub fn from_csv_path(path: impl AsRef<Path>, options: &CsvOptions) -> Result<Self> {
        let raw = RawCsv::from_path(path.as_ref(), options)?;
        Self::from_raw(&raw, options)
    }

    /// Infers a schema from any reader of CSV text.
    ///
    /// ```
    /// use personas::{CsvOptions, Inference, Role};
    /// let csv = "CustomerID,Age,Region,Member\nc1,34,north,yes\nc2,51,south,no\nc3,28,north,yes\n";
    /// let inference = Inference::from_csv_reader(csv.as_bytes(), &CsvOptions::new())?;
    /// let schema = inference.schema();
    /// assert_eq!(schema.get("CustomerID").unwrap().role, Role::Identifier);
    /// assert_eq!(schema.get("Region").unwrap().kind.name(), "categorical");
    /// assert_eq!(schema.get("Member").unwrap().kind.name(), "boolean");
    /// println!("{inference}"); // the report of every guess
    /// # Ok::<(), personas::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`Inference::from_csv_path`], with [`crate::Error::Csv`] for read failures.
    pub fn from_csv_reader<R: Read>(reader: R, options: &CsvOptions) -> Result<Self> {
        let raw = RawCsv::from_reader(reader, options)?;
        Self::from_raw(&raw, options)
    }

    pub(crate) fn from_raw(raw: &RawCsv, options: &CsvOptions) -> Result<Self> {
        let mut attributes = Vec::with_capacity(raw.header.len());
        let mut guesses = Vec::with_capacity(raw.header.len());
        let mut have_identifier = false;
        for (c, name) in raw.header.iter().enumerate() {
            if name.is_empty() {
                return Err(Error::InvalidHeader {
                    column: c + 1,
                    reason: "the column has no name; name it, or remove the trailing delimiter \
                             if the file has one"
                        .into(),
                });
            }
            if let Some(first) = raw.header[..c].iter().position(|h| h == name) {
                return Err(Error::InvalidHeader {
                    column: c + 1,
                    reason: format!(
                        "the name `{name}` is also the name of column {}; rename one of them",
                        first + 1
                    ),
                });
            }
            let cells: Vec<&str> = raw
                .rows
                .iter()
                .map(|r| r[c].as_str())
                .filter(|s| !options.is_missing(s))
                .collect();
            let (attribute, reason) = guess_column(name, &cells, &mut have_identifier);
            guesses.push(Guess {
                attribute: attribute.name.clone(),
                kind: attribute.kind.name(),
                role: attribute.role,
                facet: attribute.facet,
                reason,
            });
            attributes.push(attribute);
        }
        Ok(Inference {
            schema: Schema::new(attributes)?,
            guesses,
        })
    }

    /// The inferred schema.
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The inferred schema, by value.
    pub fn into_schema(self) -> Schema {
        self.schema
    }

    /// One guess per column, in column order.
    pub fn guesses(&self) -> &[Guess] {
        &self.guesses
    }
}

impl fmt::Display for Inference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Inferred schema ({} columns):", self.guesses.len())?;
        let width = self
            .guesses
            .iter()
            .map(|g| g.attribute.chars().count())
            .max()
            .unwrap_or(0);
        for g in &self.guesses {
            let role = match g.role {
                Role::Feature => "",
                Role::Identifier => " identifier",
                Role::Value => " value",
                Role::Ignored => " ignored",
                Role::Outcome => " outcome",
            };
            writeln!(
                f,
                "  {:width$}  {:<11} {:<13}{role}: {}",
                g.attribute,
                g.kind,
                g.facet.as_str(),
                g.reason
            )?;
        }
        Ok(())
    }
}

/// Splits a column name into lower-case words at punctuation, spaces and camelCase boundaries.
pub(crate) fn words(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for ch in name.chars() {
        if !ch.is_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if ch.is_uppercase() && prev_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        prev_lower = ch.is_lowercase() || ch.is_ascii_digit();
        current.extend(ch.to_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn is_identifier_name(words: &[String]) -> bool {
    let joined = words.concat();
    matches!(
        words.last().map(String::as_str),
        Some("id" | "uuid" | "guid")
    ) || ["customerid", "custid", "clientid", "userid"].contains(&joined.as_str())
}

fn is_value_name(words: &[String]) -> bool {
    let has = |w: &str| words.iter().any(|x| x == w);
    has("revenue")
        || has("sales")
        || has("ltv")
        || has("clv")
        || (has("lifetime") && has("value"))
        || (has("total") && (has("spend") || has("charges") || has("amount") || has("spent")))
}

fn guess_facet(words: &[String]) -> Facet {
    const TABLE: &[(Facet, &[&str])] = &[
        (
            Facet::Firmographic,
            &[
                "industry",
                "company",
                "employees",
                "sector",
                "firm",
                "business",
                "organisation",
                "organization",
                "title",
                "department",
            ],
        ),
        (
            Facet::Geographic,
            &[
                "region",
                "country",
                "city",
                "state",
                "zip",
                "postcode",
                "postal",
                "location",
                "area",
                "urban",
                "rural",
                "native",
                "address",
                "district",
                "province",
                "territory",
            ],
        ),
        (
            Facet::Demographic,
            &[
                "age",
                "gender",
                "genre",
                "sex",
                "income",
                "salary",
                "education",
                "marital",
                "married",
                "household",
                "children",
                "kids",
                "kid",
                "teen",
                "dependents",
                "partner",
                "senior",
                "occupation",
                "race",
                "relationship",
                "family",
                "birth",
                "job",
                "home",
            ],
        ),
        (
            Facet::Psychographic,
            &[
                "satisfaction",
                "nps",
                "csat",
                "rating",
                "interest",
                "interests",
                "lifestyle",
                "attitude",
                "hobby",
                "hobbies",
                "preference",
                "personality",
                "opinion",
                "values",
            ],
        ),
        (
            Facet::Behavioural,
            &[
                "spend",
                "spending",
                "spent",
                "purchase",
                "purchases",
                "orders",
                "order",
                "frequency",
                "recency",
                "visits",
                "tenure",
                "contract",
                "payment",
                "charges",
                "sales",
                "quantity",
                "amount",
                "discount",
                "returns",
                "complaints",
                "complain",
                "support",
                "tickets",
                "churn",
                "usage",
                "calls",
                "minutes",
                "sessions",
                "clicks",
                "opens",
                "campaign",
                "monetary",
                "transactions",
                "channel",
                "billing",
                "revenue",
                "score",
                "web",
                "store",
                "catalog",
                "catalogue",
                "deals",
                "service",
                "services",
                "internet",
                "streaming",
                "subscription",
                "plan",
                "loyalty",
                "member",
                "membership",
                "days",
                "count",
                "visit",
                "seniority",
                "records",
                "debt",
                "assets",
                "price",
                "expenses",
                "fresh",
                "milk",
                "grocery",
                "frozen",
                "detergents",
                "delicassen",
                "paperless",
                "security",
                "backup",
                "protection",
            ],
        ),
    ];
    TABLE
        .iter()
        .find(|(_, keys)| words.iter().any(|w| keys.contains(&w.as_str())))
        .map_or(Facet::Other, |(facet, _)| *facet)
}

fn guess_unit(name: &str, words: &[String]) -> Option<String> {
    if let (Some(open), Some(close)) = (name.rfind('('), name.rfind(')')) {
        if open < close && close - open > 1 {
            return Some(name[open + 1..close].trim().to_string());
        }
    }
    match words.last().map(String::as_str) {
        Some("age") => Some("years".into()),
        Some("days") => Some("days".into()),
        Some("months") => Some("months".into()),
        Some("years") => Some("years".into()),
        _ => None,
    }
}

fn skewness(values: &[f64]) -> f64 {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let m2 = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    let m3 = values.iter().map(|x| (x - mean).powi(3)).sum::<f64>() / n;
    if m2 <= 0.0 {
        0.0
    } else {
        m3 / m2.powf(1.5)
    }
}

fn guess_column(name: &str, cells: &[&str], have_identifier: &mut bool) -> (Attribute, String) {
    let words = words(name);
    let facet = guess_facet(&words);
    let categorical = |levels: Vec<String>| Attribute::categorical(name, levels);
    if cells.is_empty() {
        return (
            categorical(Vec::new()).with_role(Role::Ignored),
            "every value is missing".into(),
        );
    }
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for c in cells {
        *counts.entry(c).or_default() += 1;
    }
    let distinct = counts.len();
    let unique = distinct == cells.len() && cells.len() > 1;
    if is_identifier_name(&words) {
        if unique && !*have_identifier {
            *have_identifier = true;
            return (
                Attribute::identifier(name),
                "named like an identifier and every value is unique".into(),
            );
        }
        let reason = if unique {
            "named like an identifier: a second id column".to_string()
        } else {
            let repeated = cells
                .iter()
                .find(|c| counts[*c] > 1)
                .map_or(String::new(), |c| {
                    format!(" (`{c}` appears {} times)", counts[c])
                });
            format!(
                "named like an identifier but values repeat{repeated}: one row per customer is \
                 expected, so aggregate rows per customer first"
            )
        };
        return (categorical(Vec::new()).with_role(Role::Ignored), reason);
    }
    if cells.iter().all(|c| parse_bool(c).is_some()) {
        let kinds: std::collections::HashSet<bool> =
            cells.iter().filter_map(|c| parse_bool(c)).collect();
        let note = if kinds.len() == 1 {
            " (only one value occurs)"
        } else {
            ""
        };
        return (
            Attribute::boolean(name).with_facet(facet),
            format!("only true/false, yes/no or 0/1 values{note}"),
        );
    }
    // Postal codes are written with digits but are not quantities.
    let is_code = words.iter().any(|w| {
        matches!(
            w.as_str(),
            "zip" | "zipcode" | "postal" | "postcode" | "plz"
        )
    });
    let numbers: Option<Vec<f64>> = cells.iter().map(|c| c.parse::<f64>().ok()).collect();
    if let Some(numbers) = numbers.filter(|_| !is_code) {
        let mut attribute = Attribute::numeric(name).with_facet(facet);
        if let Some(unit) = guess_unit(name, &words) {
            attribute = attribute.with_unit(unit);
        }
        let mut reason = format!("numbers ({distinct} distinct)");
        let finite: Vec<f64> = numbers.iter().copied().filter(|x| x.is_finite()).collect();
        if finite.len() < numbers.len() {
            reason.push_str("; some are not finite and will be rejected when loading");
        }
        let skew = skewness(&finite);
        if finite.iter().all(|&x| x >= 0.0) && skew > 2.0 {
            attribute = attribute.with_log1p(true);
            reason.push_str(&format!("; non-negative and skewed ({skew:.1}), so log1p"));
        }
        if is_value_name(&words) {
            attribute = attribute.with_role(Role::Value);
            reason.push_str("; named like a total amount, so reported per segment, not clustered");
        }
        return (attribute, reason);
    }
    if unique {
        if !*have_identifier {
            *have_identifier = true;
            return (
                Attribute::identifier(name),
                "text, every value different: used as the customer id".into(),
            );
        }
        return (
            categorical(Vec::new()).with_role(Role::Ignored),
            "text, every value different (free text or a second id)".into(),
        );
    }
    for separator in [";", "|"] {
        let with = cells.iter().filter(|c| c.contains(separator)).count();
        if with * 10 >= cells.len() {
            let mut tags: Vec<&str> = cells
                .iter()
                .flat_map(|c| c.split(separator))
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .collect();
            tags.sort_unstable();
            tags.dedup();
            if tags.len() <= MAX_CATEGORICAL_LEVELS {
                return (
                    Attribute::tags(name, separator).with_facet(facet),
                    format!(
                        "lists separated by `{separator}` of {} distinct tags",
                        tags.len()
                    ),
                );
            }
        }
    }
    if distinct <= MAX_CATEGORICAL_LEVELS {
        return (
            categorical(Vec::new()).with_facet(facet),
            format!("text with {distinct} distinct values"),
        );
    }
    (
        categorical(Vec::new()).with_role(Role::Ignored),
        format!("text with {distinct} distinct values: too many to be a category"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn infer(csv: &str) -> Inference {
        Inference::from_csv_reader(csv.as_bytes(), &CsvOptions::new()).unwrap()
    }

    #[test]
    fn words_split_camel_case_and_punctuation() {
        assert_eq!(words("CustomerID"), ["customer", "id"]);
        assert_eq!(words("customerId"), ["customer", "id"]);
        assert_eq!(words("Annual Income (k$)"), ["annual", "income", "k"]);
        assert_eq!(words("total_spend"), ["total", "spend"]);
    }

    #[test]
    fn each_rule_fires() {
        let inf = infer(
            "CustomerID,Age,Region,Member,Channels,Notes,TotalCharges,Empty,Spend\n\
             c1,34,north,yes,web;app,hello there,10.5,,1\n\
             c2,51,south,no,store,second note,20,,2\n\
             c3,28,north,yes,web,third,30,NA,1\n\
             c4,45,south,no,app;store,fourth,40,,3\n\
             c5,38,north,yes,web,fifth,50,,2\n\
             c6,61,east,no,store,sixth,60,,1\n\
             c7,23,north,yes,web,seventh,70,,1\n\
             c8,33,south,yes,app,eighth,80,,500\n",
        );
        let s = inf.schema();
        let kind = |n: &str| s.get(n).unwrap().kind.name();
        let role = |n: &str| s.get(n).unwrap().role;
        assert_eq!(role("CustomerID"), Role::Identifier);
        assert_eq!(kind("Age"), "numeric");
        assert_eq!(s.get("Age").unwrap().facet, Facet::Demographic);
        assert_eq!(s.get("Age").unwrap().unit(), Some("years"));
        assert_eq!(kind("Region"), "categorical");
        assert_eq!(s.get("Region").unwrap().facet, Facet::Geographic);
        assert_eq!(kind("Member"), "boolean");
        assert_eq!(kind("Channels"), "tags");
        assert_eq!(role("Notes"), Role::Ignored);
        assert_eq!(role("TotalCharges"), Role::Value);
        assert_eq!(role("Empty"), Role::Ignored);
        assert!(s.get("Spend").unwrap().log1p, "{inf}");
        assert!(!s.get("Age").unwrap().log1p);
        assert_eq!(inf.guesses().len(), 9);
        let report = inf.to_string();
        assert!(
            report.contains("CustomerID") && report.contains("identifier"),
            "{report}"
        );
    }

    #[test]
    fn zero_one_columns_are_boolean_and_numeric_ids_need_an_id_name() {
        let inf = infer("row,flag,score\n1,0,5\n2,1,7\n3,1,5\n");
        let s = inf.schema();
        assert_eq!(s.get("flag").unwrap().kind.name(), "boolean");
        assert_eq!(s.get("row").unwrap().kind.name(), "numeric");
        assert_eq!(s.get("row").unwrap().role, Role::Feature);
    }

    #[test]
    fn repeated_ids_and_postal_codes_are_not_features() {
        let inf = infer("customer_id,zip,spend\n1,10115,5\n1,10117,7\n2,10115,9\n");
        let s = inf.schema();
        assert_eq!(s.get("customer_id").unwrap().role, Role::Ignored);
        assert!(
            inf.guesses()[0].reason.contains("`1` appears 2 times"),
            "{inf}"
        );
        assert_eq!(s.get("zip").unwrap().kind.name(), "categorical");
        assert_eq!(s.get("zip").unwrap().facet, Facet::Geographic);
    }

    #[test]
    fn empty_and_repeated_header_names_are_errors() {
        let err =
            Inference::from_csv_reader("a,b,\n1,2,\n".as_bytes(), &CsvOptions::new()).unwrap_err();
        assert!(
            matches!(err, Error::InvalidHeader { column: 3, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("trailing delimiter"));
        let err = Inference::from_csv_reader("a,b,a\n1,2,3\n".as_bytes(), &CsvOptions::new())
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidHeader { column: 3, .. }),
            "{err}"
        );
        assert!(err.to_string().contains("column 1"));
    }

    #[test]
    fn a_unit_in_parentheses_is_kept() {
        let inf = infer("Annual Income (k$),x\n15,a\n16,b\n15,a\n");
        assert_eq!(
            inf.schema().get("Annual Income (k$)").unwrap().unit(),
            Some("k$")
        );
    }
}
