//! Derived attributes: numbers an analyst computes from other columns (a total spend, a channel
//! mix, campaigns accepted, days as a customer, an age), written into the schema as formulas.
//!
//! A derived attribute is an ordinary numeric [`crate::Attribute`] whose `derived` field holds a
//! [`Derived`] formula. It is not read from the input: its values are computed from the
//! attributes the formula names when a [`crate::CustomerTable`] is built. The formula is plain
//! JSON in the schema, so a user can read, edit or delete it, and anyone can recompute the
//! values from the input file.
//!
//! ```
//! use personas::{Attribute, CustomerTable, Derived, Schema, Value};
//!
//! let schema = Schema::new(vec![
//!     Attribute::numeric("spend_food"),
//!     Attribute::numeric("spend_wine"),
//!     Attribute::derived("total_spend", Derived::Sum { of: vec!["spend_food".into(), "spend_wine".into()] }),
//! ])?;
//! // Rows hold the input attributes only; `total_spend` is computed.
//! let table = CustomerTable::from_rows(&schema, vec![vec![Value::from(10), Value::from(5)]])?;
//! let total = table.column("total_spend");
//! assert_eq!(total, Some(&personas::Column::Numeric(vec![Some(15.0)].into())));
//! # Ok::<(), personas::Error>(())
//! ```

use serde::{Deserialize, Serialize};

use crate::dates::DateFormat;
use crate::schema::{AttributeKind, Schema};
use crate::table::{Column, Numbers};

/// A formula that computes a numeric attribute from other attributes of the same customer.
///
/// Inputs are attributes read from the input (never other derived attributes). A customer with
/// a missing input gets a missing value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Derived {
    /// The sum of numeric attributes: `{"op": "sum", "of": ["a", "b"]}`.
    Sum {
        /// The attributes to add.
        of: Vec<String>,
    },
    /// The sum of `part` over the sum of `whole`, a share in 0..1 for non-negative amounts:
    /// `{"op": "share", "part": ["web"], "whole": ["web", "store"]}`. Missing where the whole
    /// is 0.
    Share {
        /// The attributes summed above the line.
        part: Vec<String>,
        /// The attributes summed below the line.
        whole: Vec<String>,
    },
    /// How many of these boolean attributes are true: `{"op": "count_true", "of": [...]}`.
    CountTrue {
        /// The boolean attributes to count.
        of: Vec<String>,
    },
    /// Days from the date in `of` to `reference` (ISO `yyyy-mm-dd`), e.g. days as a customer:
    /// `{"op": "days_since", "of": "joined", "reference": "2014-12-06"}`.
    DaysSince {
        /// A date attribute.
        of: String,
        /// The date the durations are measured to, usually the newest date in the data.
        reference: String,
    },
    /// Full years from the date in `of` to `reference` (ISO), e.g. an age from a birth date:
    /// `{"op": "age_at", "of": "birth_date", "reference": "2014-12-06"}`. A year is complete on
    /// the same month and day (29 February counts as complete on 1 March in other years).
    AgeAt {
        /// A date attribute.
        of: String,
        /// The date the ages are measured at.
        reference: String,
    },
    /// `reference` minus the number in `of`, e.g. an age from a birth year:
    /// `{"op": "years_since", "of": "birth_year", "reference": 2014}`.
    YearsSince {
        /// A numeric attribute holding a year.
        of: String,
        /// The year the durations are measured to.
        reference: f64,
    },
}

impl Derived {
    /// The attributes the formula reads.
    pub fn inputs(&self) -> Vec<&str> {
        match self {
            Derived::Sum { of } | Derived::CountTrue { of } => {
                of.iter().map(String::as_str).collect()
            }
            Derived::Share { part, whole } => {
                let mut all: Vec<&str> = part.iter().map(String::as_str).collect();
                for w in whole {
                    if !all.contains(&w.as_str()) {
                        all.push(w);
                    }
                }
                all
            }
            Derived::DaysSince { of, .. }
            | Derived::AgeAt { of, .. }
            | Derived::YearsSince { of, .. } => vec![of],
        }
    }

    /// The formula in words, for reports ("sum of a, b").
    pub fn describe(&self) -> String {
        let list = |names: &[String]| names.join(" + ");
        match self {
            Derived::Sum { of } => format!("sum of {}", list(of)),
            Derived::Share { part, whole } => {
                format!("({}) / ({})", list(part), list(whole))
            }
            Derived::CountTrue { of } => format!("count of true among {}", of.join(", ")),
            Derived::DaysSince { of, reference } => format!("days from {of} to {reference}"),
            Derived::AgeAt { of, reference } => format!("full years from {of} to {reference}"),
            Derived::YearsSince { of, reference } => format!("{reference} - {of}"),
        }
    }

    /// Checks that every input exists, is read from the input, and has the kind the formula
    /// needs; the reason in words otherwise.
    pub(crate) fn validate(&self, schema: &Schema) -> Result<(), String> {
        let inputs = self.inputs();
        if inputs.is_empty() {
            return Err("the formula names no attributes".into());
        }
        if let Derived::Share { part, whole } = self {
            if part.is_empty() || whole.is_empty() {
                return Err("a share needs a part and a whole".into());
            }
        }
        for name in inputs {
            let Some(a) = schema.get(name) else {
                return Err(format!(
                    "the formula reads `{name}`, which the schema lacks"
                ));
            };
            if a.is_derived() {
                return Err(format!(
                    "the formula reads `{name}`, which is derived itself; formulas read input \
                     columns only"
                ));
            }
            let fits = matches!(
                (self, &a.kind),
                (Derived::CountTrue { .. }, AttributeKind::Boolean)
                    | (
                        Derived::DaysSince { .. } | Derived::AgeAt { .. },
                        AttributeKind::Date { .. }
                    )
                    | (
                        Derived::Sum { .. } | Derived::Share { .. } | Derived::YearsSince { .. },
                        AttributeKind::Numeric { .. }
                    )
            );
            if !fits {
                let needs = match self {
                    Derived::CountTrue { .. } => "boolean",
                    Derived::DaysSince { .. } | Derived::AgeAt { .. } => "date",
                    _ => "numeric",
                };
                return Err(format!(
                    "the formula needs `{name}` to be {needs}, but it is {}",
                    a.kind.name()
                ));
            }
        }
        match self {
            Derived::DaysSince { reference, .. } | Derived::AgeAt { reference, .. }
                if DateFormat::Ymd.parse(reference).is_none() =>
            {
                Err(format!(
                    "the reference date `{reference}` is not a date written yyyy-mm-dd"
                ))
            }
            Derived::YearsSince { reference, .. } if !reference.is_finite() => {
                Err("the reference year is not a finite number".into())
            }
            _ => Ok(()),
        }
    }

    /// Computes the formula for every customer. `column` finds an input's column by name;
    /// inputs were checked by [`Derived::validate`], so a lookup that fails gives missing values.
    pub(crate) fn compute<'a>(
        &self,
        n: usize,
        column: impl Fn(&str) -> Option<&'a Column>,
    ) -> Numbers {
        let numbers = |names: &[String]| -> Vec<&'a Numbers> {
            names
                .iter()
                .filter_map(|name| match column(name) {
                    Some(Column::Numeric(v)) => Some(v),
                    _ => None,
                })
                .collect()
        };
        let sum =
            |cols: &[&Numbers], i: usize| -> Option<f64> { cols.iter().map(|c| c.get(i)).sum() };
        let complete = |cols: &[&Numbers], wanted: usize| cols.len() == wanted;
        let missing = || (0..n).map(|_| None).collect();
        match self {
            Derived::Sum { of } => {
                let cols = numbers(of);
                if !complete(&cols, of.len()) {
                    return missing();
                }
                (0..n).map(|i| sum(&cols, i)).collect()
            }
            Derived::Share { part, whole } => {
                let (p, w) = (numbers(part), numbers(whole));
                if !complete(&p, part.len()) || !complete(&w, whole.len()) {
                    return missing();
                }
                (0..n)
                    .map(|i| match (sum(&p, i), sum(&w, i)) {
                        (Some(p), Some(w)) if w != 0.0 => Some(p / w),
                        _ => None,
                    })
                    .collect()
            }
            Derived::CountTrue { of } => {
                let cols: Vec<_> = of
                    .iter()
                    .filter_map(|name| match column(name) {
                        Some(Column::Boolean(v)) => Some(v),
                        _ => None,
                    })
                    .collect();
                if cols.len() != of.len() {
                    return missing();
                }
                (0..n)
                    .map(|i| {
                        cols.iter()
                            .map(|c| c.get(i).map(|b| f64::from(u8::from(b))))
                            .sum()
                    })
                    .collect()
            }
            Derived::DaysSince { of, reference } => {
                let reference = DateFormat::Ymd.parse(reference);
                match (column(of), reference) {
                    (Some(Column::Numeric(days)), Some(r)) => {
                        days.iter().map(|d| d.map(|d| r - d)).collect()
                    }
                    _ => missing(),
                }
            }
            Derived::AgeAt { of, reference } => {
                let reference = DateFormat::Ymd.parse(reference).map(crate::dates::civil);
                match (column(of), reference) {
                    (Some(Column::Numeric(days)), Some((ry, rm, rd))) => days
                        .iter()
                        .map(|d| {
                            d.map(|d| {
                                let (y, m, day) = crate::dates::civil(d);
                                let before = (rm, rd) < (m, day);
                                (ry - y - i64::from(before)) as f64
                            })
                        })
                        .collect(),
                    _ => missing(),
                }
            }
            Derived::YearsSince { of, reference } => match column(of) {
                Some(Column::Numeric(years)) => {
                    years.iter().map(|y| y.map(|y| reference - y)).collect()
                }
                _ => missing(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Attribute;
    use crate::{CsvOptions, CustomerTable};

    fn schema(extra: Attribute) -> crate::Result<Schema> {
        Schema::new(vec![
            Attribute::numeric("web"),
            Attribute::numeric("store"),
            Attribute::boolean("cmp1"),
            Attribute::boolean("cmp2"),
            Attribute::date("joined", DateFormat::Dmy),
            Attribute::numeric("birth_year"),
            extra,
        ])
    }

    fn names(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn every_formula_computes_from_a_csv() {
        let csv = "web,store,cmp1,cmp2,joined,birth_year\n\
                   3,1,yes,no,01-12-2014,1980\n\
                   0,0,yes,yes,06-12-2014,1990\n\
                   2,,no,no,,\n";
        let cases: Vec<(Derived, Vec<Option<f64>>)> = vec![
            (
                Derived::Sum {
                    of: names(&["web", "store"]),
                },
                vec![Some(4.0), Some(0.0), None],
            ),
            (
                Derived::Share {
                    part: names(&["web"]),
                    whole: names(&["web", "store"]),
                },
                vec![Some(0.75), None, None],
            ),
            (
                Derived::CountTrue {
                    of: names(&["cmp1", "cmp2"]),
                },
                vec![Some(1.0), Some(2.0), Some(0.0)],
            ),
            (
                Derived::DaysSince {
                    of: "joined".into(),
                    reference: "2014-12-06".into(),
                },
                vec![Some(5.0), Some(0.0), None],
            ),
            (
                Derived::YearsSince {
                    of: "birth_year".into(),
                    reference: 2014.0,
                },
                vec![Some(34.0), Some(24.0), None],
            ),
            (
                Derived::AgeAt {
                    of: "joined".into(),
                    reference: "2015-12-05".into(),
                },
                vec![Some(1.0), Some(0.0), None],
            ),
        ];
        for (formula, expected) in cases {
            let s = schema(Attribute::derived("d", formula.clone())).unwrap();
            let t = CustomerTable::from_csv_reader(csv.as_bytes(), &s, &CsvOptions::new()).unwrap();
            assert_eq!(
                t.column("d"),
                Some(&Column::Numeric(expected.into())),
                "{formula:?}"
            );
        }
    }

    #[test]
    fn formulas_with_wrong_inputs_are_schema_errors() {
        let bad = [
            Derived::Sum {
                of: names(&["nope"]),
            },
            Derived::Sum { of: vec![] },
            Derived::Sum {
                of: names(&["cmp1"]),
            },
            Derived::CountTrue {
                of: names(&["web"]),
            },
            Derived::DaysSince {
                of: "birth_year".into(),
                reference: "2014-12-06".into(),
            },
            Derived::DaysSince {
                of: "joined".into(),
                reference: "06-12-2014".into(),
            },
            Derived::Share {
                part: vec![],
                whole: names(&["web"]),
            },
        ];
        for formula in bad {
            let err = schema(Attribute::derived("d", formula.clone())).unwrap_err();
            assert!(
                matches!(&err, crate::Error::InvalidSchema { attribute, .. } if attribute == "d"),
                "{formula:?}: {err}"
            );
        }
    }

    #[test]
    fn formulas_round_trip_through_schema_json() {
        let s = schema(Attribute::derived(
            "share_web",
            Derived::Share {
                part: names(&["web"]),
                whole: names(&["web", "store"]),
            },
        ))
        .unwrap();
        let json = s.to_json().unwrap();
        assert!(json.contains(r#""op": "share""#), "{json}");
        assert_eq!(Schema::from_json(&json).unwrap(), s);
    }
}
