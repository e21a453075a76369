//! The SQL of each stage of assignment: reading the original columns as the CSV reader does,
//! computing derived attributes, and encoding them as the fitted encoder does.

use std::collections::BTreeSet;

use super::text::{number, Dialect};
use crate::derive::Derived;
use crate::encode::{Encoding, FittedAttribute, UnknownLevels};
use crate::error::{Error, Result};
use crate::schema::{Attribute, AttributeKind, Schema};
use crate::table::parse_bool;

/// The words that read as true and false (see the CSV reader), lowercase.
const TRUE_WORDS: &[&str] = &["true", "yes", "y", "t", "1", "1.0"];
const FALSE_WORDS: &[&str] = &["false", "no", "n", "f", "0", "0.0"];

/// The columns of the query's stages, written as `expression AS alias` lines.
pub(super) struct Stages<'a> {
    dialect: Dialect,
    schema: &'a Schema,
    markers: &'a [String],
    /// Attributes already read in [`Stages::read`].
    read: BTreeSet<usize>,
    /// The first stage: the original columns read into clean values (`v3`, date parts `y3`,
    /// tag pieces `t3_1`).
    pub(super) input: Vec<String>,
    /// The second stage: each encoded attribute's number (`x3`), derived ones computed.
    pub(super) values: Vec<String>,
    /// Conditions (over the second stage) under which the library refuses a customer.
    pub(super) refusals: Vec<String>,
    /// The third stage: the feature columns, in matrix order.
    pub(super) features: Vec<String>,
}

impl<'a> Stages<'a> {
    pub(super) fn new(dialect: Dialect, schema: &'a Schema, markers: &'a [String]) -> Self {
        Stages {
            dialect,
            schema,
            markers,
            read: BTreeSet::new(),
            input: Vec::new(),
            values: Vec::new(),
            refusals: Vec::new(),
            features: Vec::new(),
        }
    }

    fn lit(&self, attribute: &Attribute, text: &str) -> Result<String> {
        self.dialect.string(&attribute.name, text)
    }

    /// The list `('a', 'b')` of string literals.
    fn list<'t>(
        &self,
        attribute: &Attribute,
        texts: impl IntoIterator<Item = &'t str>,
    ) -> Result<String> {
        let items = texts
            .into_iter()
            .map(|t| self.lit(attribute, t))
            .collect::<Result<Vec<_>>>()?;
        Ok(format!("({})", items.join(", ")))
    }

    /// The cells that read as missing in this attribute's column, lowercase: the attribute's
    /// own markers, and the reader's markers it does not list as real answers.
    fn missing_markers(attribute: &Attribute, markers: &[String]) -> Vec<String> {
        let mut out: Vec<String> = vec![String::new()];
        let lower = |m: &str| m.trim().to_lowercase();
        let kept = markers.iter().filter(|m| {
            !attribute
                .not_missing
                .iter()
                .any(|n| n.trim().eq_ignore_ascii_case(m.trim()))
        });
        for m in attribute.missing_markers.iter().chain(kept) {
            let m = lower(m);
            if !out.contains(&m) {
                out.push(m);
            }
        }
        out
    }

    /// The cell trimmed, and the condition under which it reads as missing: NULL, or one of the
    /// attribute's missing markers (compared case-insensitively), as in the CSV reader.
    fn trimmed_cell(&self, attribute: &Attribute) -> Result<(String, String)> {
        let column = self.dialect.ident(&attribute.name)?;
        let cell = format!("TRIM(CAST({column} AS {}))", self.dialect.text_type());
        let markers = Self::missing_markers(attribute, self.markers);
        let markers = self.list(attribute, markers.iter().map(String::as_str))?;
        let missing = format!("{cell} IS NULL OR LOWER({cell}) IN {markers}");
        Ok((cell, missing))
    }

    /// `CASE WHEN <missing> THEN NULL ELSE <trimmed text> END`: the cell as the CSV reader keeps
    /// it, or NULL when it reads as missing.
    fn text_cell(&self, attribute: &Attribute) -> Result<String> {
        let (cell, missing) = self.trimmed_cell(attribute)?;
        Ok(format!("CASE WHEN {missing} THEN NULL ELSE {cell} END"))
    }

    /// Reads input attribute `i` into the first stage, once.
    fn read(&mut self, i: usize) -> Result<()> {
        if !self.read.insert(i) {
            return Ok(());
        }
        let attribute = &self.schema.attributes()[i];
        let d = self.dialect;
        let column = d.ident(&attribute.name)?;
        match &attribute.kind {
            AttributeKind::Numeric { .. } => {
                self.input.push(format!("{} AS v{i}", d.double(&column)));
            }
            AttributeKind::Date { .. } => {
                for (part, alias) in [("YEAR", "y"), ("MONTH", "m"), ("DAY", "d")] {
                    let extract = format!("EXTRACT({part} FROM CAST({column} AS DATE))");
                    self.input
                        .push(format!("{} AS {alias}{i}", d.double(&extract)));
                }
            }
            AttributeKind::Boolean => {
                // Missing first, as in the CSV reader: a marker that is also a boolean word is
                // missing.
                let (cell, missing) = self.trimmed_cell(attribute)?;
                // The reader's words, checked against its parser so the two cannot drift apart.
                debug_assert!(TRUE_WORDS.iter().all(|w| parse_bool(w) == Some(true)));
                debug_assert!(FALSE_WORDS.iter().all(|w| parse_bool(w) == Some(false)));
                let trues = self.list(attribute, TRUE_WORDS.iter().copied())?;
                let falses = self.list(attribute, FALSE_WORDS.iter().copied())?;
                self.input.push(format!(
                    "CASE WHEN {missing} THEN NULL WHEN LOWER({cell}) IN {trues} THEN 1 \
                     WHEN LOWER({cell}) IN {falses} THEN 0 ELSE -1 END AS v{i}"
                ));
                self.refusals.push(format!("v{i} = -1"));
            }
            AttributeKind::Categorical { .. } | AttributeKind::Ordinal { .. } => {
                let cell = self.text_cell(attribute)?;
                self.input.push(format!("{cell} AS v{i}"));
            }
            // Formulas read numbers, booleans and dates (the schema checks it), and an encoded
            // tags attribute is read by `read_tags`, which knows how many pieces to read.
            AttributeKind::Tags { .. } => unreachable!("tags are read by read_tags"),
        }
        Ok(())
    }

    /// Reads tags attribute `i` into the first stage: the cell (for missing) and its first
    /// `pieces` pieces, trimmed.
    fn read_tags(&mut self, i: usize, pieces: usize) -> Result<()> {
        let attribute = &self.schema.attributes()[i];
        let AttributeKind::Tags { separator, .. } = &attribute.kind else {
            unreachable!("encode() pairs a tags encoding with a tags attribute")
        };
        let d = self.dialect;
        let column = d.ident(&attribute.name)?;
        let cell = self.text_cell(attribute)?;
        self.input.push(format!("{cell} AS v{i}"));
        let sep = self.lit(attribute, separator)?;
        let trimmed = format!("TRIM(CAST({column} AS {}))", d.text_type());
        for n in 1..=pieces {
            self.input.push(format!(
                "TRIM(SPLIT_PART({trimmed}, {sep}, {n})) AS t{i}_{n}"
            ));
        }
        // A cell of more pieces than the query reads is refused rather than misread.
        let most = (pieces - 1) * separator.chars().count();
        self.refusals.push(format!(
            "LENGTH(v{i}) - LENGTH(REPLACE(v{i}, {sep}, '')) > {most}"
        ));
        Ok(())
    }

    /// The civil date in `y{i}`, `m{i}`, `d{i}` as a day number (days since 1970-01-01), by
    /// the same calendar arithmetic as [`crate::dates::day_number`]; every quotient is of
    /// positive numbers (years 1000 to 9999), so `FLOOR` is the integer division.
    fn day_number(i: usize) -> String {
        let y = format!("(y{i} - CASE WHEN m{i} <= 2 THEN 1 ELSE 0 END)");
        let m = format!("(CASE WHEN m{i} <= 2 THEN m{i} + 9 ELSE m{i} - 3 END)");
        let era = format!("FLOOR({y} / 400)");
        let year_of_era = format!("({y} - {era} * 400)");
        let day_of_year = format!("(FLOOR((153 * {m} + 2) / 5) + d{i} - 1)");
        let day_of_era = format!(
            "({year_of_era} * 365 + FLOOR({year_of_era} / 4) - FLOOR({year_of_era} / 100) \
             + {day_of_year})"
        );
        format!("({era} * 146097 + {day_of_era} - 719468)")
    }

    fn input_index(&self, owner: &Attribute, name: &str) -> Result<usize> {
        self.schema
            .position(name)
            .ok_or_else(|| Error::InvalidSchema {
                attribute: owner.name.clone(),
                reason: format!("the formula reads `{name}`, which the schema lacks"),
            })
    }

    /// The sum `(v1 + v2)` of numeric inputs, added left to right as the library does.
    fn sum(&mut self, owner: &Attribute, names: &[String]) -> Result<String> {
        let mut terms = Vec::new();
        for name in names {
            let j = self.input_index(owner, name)?;
            self.read(j)?;
            terms.push(format!("v{j}"));
        }
        Ok(format!("({})", terms.join(" + ")))
    }

    /// Writes the number of encoded attribute `i` (numeric, date or derived) as `x{i}`.
    fn value(&mut self, i: usize) -> Result<()> {
        let attribute = &self.schema.attributes()[i];
        let expr = match (&attribute.derived, &attribute.kind) {
            (None, AttributeKind::Date { .. }) => {
                self.read(i)?;
                Self::day_number(i)
            }
            (None, _) => {
                self.read(i)?;
                format!("v{i}")
            }
            (Some(Derived::Sum { of }), _) => self.sum(attribute, of)?,
            (Some(Derived::Share { part, whole }), _) => {
                let (p, w) = (self.sum(attribute, part)?, self.sum(attribute, whole)?);
                format!("({p} / NULLIF({w}, 0e0))")
            }
            (Some(Derived::CountTrue { of }), _) => self.sum(attribute, of)?,
            (Some(Derived::DaysSince { of, reference }), _) => {
                let j = self.input_index(attribute, of)?;
                self.read(j)?;
                let r = reference_day(attribute, reference)?;
                format!("({} - {})", number(r), Self::day_number(j))
            }
            (Some(Derived::AgeAt { of, reference }), _) => {
                let j = self.input_index(attribute, of)?;
                self.read(j)?;
                let (ry, rm, rd) = crate::dates::civil(reference_day(attribute, reference)?);
                format!(
                    "({} - y{j} - CASE WHEN m{j} > {rm} OR (m{j} = {rm} AND d{j} > {rd}) \
                     THEN 1 ELSE 0 END)",
                    number(ry as f64)
                )
            }
            (Some(Derived::YearsSince { of, reference }), _) => {
                let j = self.input_index(attribute, of)?;
                self.read(j)?;
                format!("({} - v{j})", number(*reference))
            }
        };
        // Every number is a double already but the count of booleans.
        let expr = if matches!(attribute.derived, Some(Derived::CountTrue { .. })) {
            self.dialect.double(&expr)
        } else {
            expr
        };
        self.values.push(format!("{expr} AS x{i}"));
        Ok(())
    }

    /// Writes the feature columns of one fitted attribute.
    pub(super) fn encode(&mut self, a: &FittedAttribute, unknown: UnknownLevels) -> Result<()> {
        let Some(i) = self.schema.position(&a.name) else {
            return Err(Error::InvalidSchema {
                attribute: a.name.clone(),
                reason: "the encoder was fitted on this attribute but the schema lacks it; \
                         give the schema the model was fitted with"
                    .into(),
            });
        };
        let attribute = &self.schema.attributes()[i];
        let refuse_unknown = unknown == UnknownLevels::Error;
        let w = a.weight;
        let zero = "0e0";
        let fits = matches!(
            (&a.encoding, &attribute.kind),
            (
                Encoding::Numeric { .. },
                AttributeKind::Numeric { .. } | AttributeKind::Date { .. }
            ) | (
                Encoding::Categorical { .. },
                AttributeKind::Categorical { .. }
            ) | (Encoding::Ordinal { .. }, AttributeKind::Ordinal { .. })
                | (Encoding::Boolean { .. }, AttributeKind::Boolean)
                | (Encoding::Tags { .. }, AttributeKind::Tags { .. })
        );
        if !fits {
            return Err(Error::InvalidSchema {
                attribute: a.name.clone(),
                reason: format!(
                    "the encoder was fitted on it as a {} feature, but the schema has it as {}",
                    a.encoding.kind_name(),
                    attribute.kind.name()
                ),
            });
        }
        match &a.encoding {
            Encoding::Numeric {
                log1p,
                center,
                scale,
                impute,
                missing_column,
                ..
            } => {
                self.value(i)?;
                let x = format!("COALESCE(x{i}, {})", number(*impute));
                let t = if *log1p {
                    self.refusals.push(format!("x{i} < 0e0"));
                    format!("LN(1e0 + CASE WHEN {x} >= 0e0 THEN {x} END)")
                } else {
                    x
                };
                self.feature(format!(
                    "({} * ({t} - {})) / {}",
                    number(w),
                    number(*center),
                    number(*scale)
                ));
                if *missing_column {
                    self.feature(format!(
                        "CASE WHEN x{i} IS NULL THEN {} ELSE {zero} END",
                        number(w)
                    ));
                }
            }
            Encoding::Categorical {
                levels,
                factor,
                fill,
                missing_column,
            } => {
                self.read(i)?;
                let on = w * factor;
                for (level, f) in levels.iter().zip(fill) {
                    let if_missing = if *missing_column { 0.0 } else { on * f };
                    let level = self.lit(attribute, level)?;
                    self.feature(format!(
                        "CASE WHEN v{i} IS NULL THEN {} WHEN v{i} = {level} THEN {} ELSE {zero} END",
                        number(if_missing),
                        number(on)
                    ));
                }
                if *missing_column {
                    self.feature(format!(
                        "CASE WHEN v{i} IS NULL THEN {} ELSE {zero} END",
                        number(on)
                    ));
                }
                if refuse_unknown {
                    let known = self.list(attribute, levels.iter().map(String::as_str))?;
                    self.refusals.push(format!("v{i} NOT IN {known}"));
                }
            }
            Encoding::Ordinal {
                levels,
                fill,
                missing_column,
            } => {
                self.read(i)?;
                let step = w / (levels.len() - 1) as f64;
                let mut cases = String::new();
                for (k, level) in levels.iter().enumerate() {
                    let level = self.lit(attribute, level)?;
                    cases.push_str(&format!(
                        "WHEN v{i} = {level} THEN {} ",
                        number(step * k as f64)
                    ));
                }
                // Missing, and unknown levels under `UnknownLevels::Ignore`, take the fill.
                self.feature(format!("CASE {cases}ELSE {} END", number(w * fill)));
                let known = self.list(attribute, levels.iter().map(String::as_str))?;
                if *missing_column {
                    self.feature(format!(
                        "CASE WHEN v{i} IN {known} THEN {zero} ELSE {} END",
                        number(w)
                    ));
                }
                if refuse_unknown {
                    self.refusals.push(format!("v{i} NOT IN {known}"));
                }
            }
            Encoding::Boolean {
                fill,
                missing_column,
            } => {
                self.read(i)?;
                self.feature(format!(
                    "CASE WHEN v{i} = 1 THEN {} WHEN v{i} = 0 THEN {zero} ELSE {} END",
                    number(w),
                    number(w * fill)
                ));
                if *missing_column {
                    self.feature(format!(
                        "CASE WHEN v{i} IS NULL THEN {} ELSE {zero} END",
                        number(w)
                    ));
                }
            }
            Encoding::Tags {
                levels,
                fill,
                missing_column,
            } => {
                let n_pieces = tag_pieces(levels.len());
                self.read_tags(i, n_pieces)?;
                let pieces: Vec<String> = (1..=n_pieces).map(|n| format!("t{i}_{n}")).collect();
                let pieces = format!("({})", pieces.join(", "));
                for (level, f) in levels.iter().zip(fill) {
                    let if_missing = if *missing_column { 0.0 } else { w * f };
                    let level = self.lit(attribute, level)?;
                    self.feature(format!(
                        "CASE WHEN v{i} IS NULL THEN {} WHEN {level} IN {pieces} THEN {} ELSE \
                         {zero} END",
                        number(if_missing),
                        number(w)
                    ));
                }
                if *missing_column {
                    self.feature(format!(
                        "CASE WHEN v{i} IS NULL THEN {} ELSE {zero} END",
                        number(w)
                    ));
                }
                if refuse_unknown {
                    let known = self.list(
                        attribute,
                        levels.iter().map(String::as_str).chain(std::iter::once("")),
                    )?;
                    let unknown: Vec<String> = (1..=n_pieces)
                        .map(|n| format!("t{i}_{n} NOT IN {known}"))
                        .collect();
                    self.refusals
                        .push(format!("(v{i} IS NOT NULL AND ({}))", unknown.join(" OR ")));
                }
            }
        }
        Ok(())
    }

    /// Adds a feature column, as a double in every engine (PostgreSQL would otherwise compute a
    /// `CASE` of literals in exact decimals, and differ from the library in the last digits).
    fn feature(&mut self, expr: String) {
        let n = self.features.len();
        let expr = self.dialect.double(&expr);
        self.features.push(format!("{expr} AS f{n}"));
    }
}

/// How many pieces of a tags cell the query reads: twice the known tags, at least 16, so that
/// repeats and blank pieces fit; a longer cell is refused (see the module docs).
pub(super) fn tag_pieces(levels: usize) -> usize {
    (2 * levels).max(16)
}

fn reference_day(attribute: &Attribute, reference: &str) -> Result<f64> {
    crate::dates::DateFormat::Ymd
        .parse(reference)
        .ok_or_else(|| Error::InvalidSchema {
            attribute: attribute.name.clone(),
            reason: format!("the reference date `{reference}` is not a date written yyyy-mm-dd"),
        })
}
