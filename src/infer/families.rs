//! Passes over the whole table after each column is guessed: duplicate columns, column families
//! (totals, mixes, deal share, campaigns accepted), durations from dates, ages from birth years.

use std::collections::BTreeMap;

use super::column::ColumnGuess;
use super::vocab::{self, stem_digits};
use crate::dates::{self, DateFormat};
use crate::derive::Derived;
use crate::input::{parse_number, CsvOptions, RawCsv};
use crate::schema::{Attribute, AttributeKind, Facet, Role};

/// Columns whose absolute correlation reaches this are the same quantity in other units.
const DUPLICATE_CORRELATION: f64 = 0.98;
/// Rows read to find duplicate columns (the first ones in the file).
const DUPLICATE_ROWS: usize = 50_000;
/// Columns compared pairwise for duplicates.
const DUPLICATE_COLUMNS: usize = 200;

/// A derived attribute and why it was added.
pub(crate) struct DerivedGuess {
    pub attribute: Attribute,
    pub reason: String,
}

/// Everything inference has decided so far.
pub(crate) struct Draft<'a> {
    pub raw: &'a RawCsv,
    pub options: &'a CsvOptions,
    pub columns: Vec<ColumnGuess>,
    pub derived: Vec<DerivedGuess>,
    pub notes: Vec<String>,
}

impl<'a> Draft<'a> {
    fn name(&self, c: usize) -> &str {
        &self.columns[c].attribute.name
    }

    fn numbers(&self, c: usize, rows: usize) -> Vec<Option<f64>> {
        self.cells(c, rows)
            .into_iter()
            .map(|cell| cell.and_then(|t| parse_number(t, self.columns[c].attribute.decimal_comma)))
            .collect()
    }

    fn cells(&self, c: usize, rows: usize) -> Vec<Option<&'a str>> {
        self.raw.columns[c]
            .iter()
            .take(rows)
            .map(|cell| (!self.options.is_missing(cell)).then_some(cell))
            .collect()
    }

    fn is(&self, c: usize, role: Role, kind: &str) -> bool {
        let a = &self.columns[c].attribute;
        a.role == role && a.kind.name() == kind
    }

    /// A name for a derived attribute that no column or earlier derived attribute has.
    fn fresh_name(&self, wanted: &str) -> String {
        let taken = |n: &str| {
            self.raw.header.iter().any(|h| h == n)
                || self.derived.iter().any(|d| d.attribute.name == n)
        };
        let mut name = wanted.to_string();
        let mut i = 2;
        while taken(&name) {
            name = format!("{wanted}_{i}");
            i += 1;
        }
        name
    }

    /// Column `dropped` says what column `kept` says (`how`, e.g. "duplicates (r = 0.999)"): it
    /// is ignored, and the report says so in the column's reason and in a note.
    fn clustered_once(&mut self, dropped: usize, kept: usize, how: &str) {
        let kept = self.name(kept).to_string();
        let text = format!("{how} `{kept}`: the same information, clustered once, as `{kept}`");
        self.notes.push(format!("`{}` {text}", self.name(dropped)));
        self.ignore(dropped, text);
    }

    fn ignore(&mut self, c: usize, why: String) {
        let guess = &mut self.columns[c];
        guess.attribute.role = Role::Ignored;
        guess.reason.push_str("; ");
        guess.reason.push_str(&why);
    }
}

fn correlation(a: &[Option<f64>], b: &[Option<f64>]) -> Option<f64> {
    let pairs: Vec<(f64, f64)> = a
        .iter()
        .zip(b)
        .filter_map(|(x, y)| Some(((*x)?, (*y)?)))
        .collect();
    if pairs.len() < 10 {
        return None;
    }
    let n = pairs.len() as f64;
    let (mx, my) = pairs
        .iter()
        .fold((0.0, 0.0), |(sx, sy), (x, y)| (sx + x / n, sy + y / n));
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in &pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx) * (x - mx);
        syy += (y - my) * (y - my);
    }
    (sxx > 0.0 && syy > 0.0).then(|| sxy / (sxx * syy).sqrt())
}

/// Whether each level of `a` goes with one level of `b` and back (the same grouping, renamed).
fn same_grouping(a: &[Option<&str>], b: &[Option<&str>]) -> bool {
    let mut ab: BTreeMap<&str, &str> = BTreeMap::new();
    let mut ba: BTreeMap<&str, &str> = BTreeMap::new();
    let mut seen = 0;
    for (x, y) in a.iter().zip(b) {
        let (Some(x), Some(y)) = (x, y) else {
            continue;
        };
        seen += 1;
        if *ab.entry(x).or_insert(y) != *y || *ba.entry(y).or_insert(x) != *x {
            return false;
        }
    }
    seen >= 10 && ab.len() >= 2
}

/// Clusters each quantity once: a numeric feature that correlates at |r| >= 0.98 with an
/// earlier one, or a categorical feature that groups customers exactly as an earlier one, is
/// ignored.
pub(crate) fn drop_duplicates(d: &mut Draft<'_>) {
    let numeric: Vec<usize> = (0..d.columns.len())
        .filter(|&c| d.is(c, Role::Feature, "numeric"))
        .take(DUPLICATE_COLUMNS)
        .collect();
    let values: Vec<Vec<Option<f64>>> = numeric
        .iter()
        .map(|&c| d.numbers(c, DUPLICATE_ROWS))
        .collect();
    let mut dropped = vec![false; numeric.len()];
    for i in 0..numeric.len() {
        if dropped[i] {
            continue;
        }
        for j in i + 1..numeric.len() {
            if dropped[j] {
                continue;
            }
            if let Some(r) = correlation(&values[i], &values[j]) {
                if r.abs() >= DUPLICATE_CORRELATION {
                    dropped[j] = true;
                    d.clustered_once(numeric[j], numeric[i], &format!("duplicates (r = {r:.3})"));
                }
            }
        }
    }
    // A number with few values may be a code for a category's levels (an education number
    // beside the education level): then it is the same grouping, and the named levels stay.
    let levels: Vec<usize> = (0..d.columns.len())
        .filter(|&c| d.is(c, Role::Feature, "categorical"))
        .take(DUPLICATE_COLUMNS)
        .collect();
    let cells: Vec<Vec<Option<&str>>> =
        levels.iter().map(|&c| d.cells(c, DUPLICATE_ROWS)).collect();
    let mut coded = Vec::new();
    for (&n, _) in numeric.iter().zip(&dropped).filter(|(_, gone)| !**gone) {
        let numbers = d.cells(n, DUPLICATE_ROWS);
        let mut seen: Vec<&str> = numbers.iter().flatten().copied().collect();
        seen.sort_unstable();
        seen.dedup();
        if seen.len() > super::column::MAX_CATEGORICAL_LEVELS {
            continue;
        }
        if let Some(i) = cells.iter().position(|c| same_grouping(c, &numbers)) {
            coded.push((n, levels[i]));
        }
    }
    for (n, c) in coded {
        d.clustered_once(n, c, "numbers one to one the levels of");
    }
    let mut dropped = vec![false; levels.len()];
    let mut found = Vec::new();
    for i in 0..levels.len() {
        for j in i + 1..levels.len() {
            if !dropped[i] && !dropped[j] && same_grouping(&cells[i], &cells[j]) {
                dropped[j] = true;
                found.push((levels[i], levels[j]));
            }
        }
    }
    for (i, j) in found {
        d.clustered_once(j, i, "groups customers exactly as");
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum FamilyKind {
    Flags,
    Money,
    Count,
}

struct Family {
    kind: FamilyKind,
    stem: String,
    members: Vec<usize>,
}

/// The words of a member that are not the family's stem or a counting word: the channel or
/// category it stands for ("web", "wines").
fn member_words(words: &[String], stem: &str) -> Vec<String> {
    words
        .iter()
        .map(|w| stem_digits(w).to_string())
        .filter(|w| {
            w != stem
                && !w.is_empty()
                && !matches!(w.as_str(), "num" | "number" | "no" | "nr" | "count" | "cnt")
                && !vocab::MONEY_WORDS.contains(&w.as_str())
        })
        .collect()
}

fn plain(words: &[String]) -> String {
    words.join(" ")
}

/// Families of columns that share a stem (`Mnt*`, `*Purchases`, `AcceptedCmp*`), or spend
/// columns named by product category, and what an analyst derives from them.
fn find_families(d: &Draft<'_>) -> Vec<Family> {
    let mut keyed: BTreeMap<(FamilyKind, String), Vec<usize>> = BTreeMap::new();
    let mut category_spend = Vec::new();
    for (c, guess) in d.columns.iter().enumerate() {
        let a = &guess.attribute;
        if a.is_derived() || !matches!(a.role, Role::Feature | Role::Outcome | Role::Value) {
            continue;
        }
        let words = super::words(&a.name);
        let stems: Vec<&str> = words.iter().map(|w| stem_digits(w)).collect();
        let aggregate = stems
            .iter()
            .any(|w| vocab::AGGREGATE_WORDS.contains(w) && *w != "total")
            || (stems.first() == Some(&"total") && stems.len() <= 2);
        if aggregate {
            continue;
        }
        let boolean = a.kind == AttributeKind::Boolean;
        let numeric = matches!(a.kind, AttributeKind::Numeric { .. }) && a.role != Role::Outcome;
        if stems.len() >= 2 {
            let mut keys = vec![stems[0], stems[stems.len() - 1]];
            keys.dedup();
            for key in keys {
                let kind = if boolean && vocab::FLAG_WORDS.contains(&key) {
                    FamilyKind::Flags
                } else if numeric && vocab::MONEY_WORDS.contains(&key) {
                    FamilyKind::Money
                } else if numeric && vocab::COUNT_WORDS.contains(&key) {
                    FamilyKind::Count
                } else {
                    continue;
                };
                keyed.entry((kind, key.to_string())).or_default().push(c);
            }
        }
        let rest: Vec<&str> = stems
            .iter()
            .copied()
            .filter(|w| !vocab::MONEY_WORDS.contains(w) && !matches!(*w, "products" | "prods"))
            .collect();
        if numeric && !rest.is_empty() && rest.iter().all(|w| vocab::CATEGORY_WORDS.contains(w)) {
            category_spend.push(c);
        }
    }
    let mut candidates: Vec<Family> = keyed
        .into_iter()
        .map(|((kind, stem), members)| Family {
            kind,
            stem,
            members,
        })
        .collect();
    candidates.push(Family {
        kind: FamilyKind::Money,
        stem: "spend".into(),
        members: category_spend,
    });
    // Larger families first; ties by kind and stem, so the outcome is the same on every run.
    candidates.sort_by(|a, b| {
        b.members
            .len()
            .cmp(&a.members.len())
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.stem.cmp(&b.stem))
    });
    let mut taken = vec![false; d.columns.len()];
    let mut families = Vec::new();
    for family in candidates {
        let min = if family.kind == FamilyKind::Flags {
            2
        } else {
            3
        };
        if family.members.len() < min || family.members.iter().any(|&c| taken[c]) {
            continue;
        }
        family.members.iter().for_each(|&c| taken[c] = true);
        families.push(family);
    }
    families.sort_by_key(|f| f.members[0]);
    families
}

fn spend_stem(stem: &str) -> &str {
    match stem {
        "sales" => "sales",
        "revenue" => "revenue",
        _ => "spend",
    }
}

/// Derives totals, mixes, deal shares and flag counts from column families.
pub(crate) fn derive_families(d: &mut Draft<'_>) {
    for family in find_families(d) {
        let names: Vec<String> = family
            .members
            .iter()
            .map(|&c| d.name(c).to_string())
            .collect();
        let list = names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        match family.kind {
            FamilyKind::Money => {
                let stem = spend_stem(&family.stem);
                // A file that already has a total keeps it as the value measure.
                let existing = d
                    .columns
                    .iter()
                    .find(|g| g.attribute.role == Role::Value)
                    .map(|g| g.attribute.name.clone());
                if let Some(existing) = existing {
                    d.notes.push(format!(
                        "{list} are spend per category; `{existing}` is the value measure already, \
                         so no total is derived"
                    ));
                    continue;
                }
                let name = d.fresh_name(&format!("total_{stem}"));
                let formula = Derived::Sum { of: names.clone() };
                d.derived.push(DerivedGuess {
                    attribute: Attribute::derived(&name, formula)
                        .with_label(format!("Total {stem}"))
                        .with_facet(Facet::Behavioural)
                        .with_role(Role::Value),
                    reason: format!(
                        "derived: the sum of {list}, the value measure (reported per segment, \
                         not clustered)"
                    ),
                });
                d.notes.push(format!(
                    "{} {stem} columns ({list}) add up to `{name}`, the value measure",
                    names.len()
                ));
            }
            FamilyKind::Count => derive_counts(d, &family, &names, &list),
            FamilyKind::Flags => {
                let campaign = [
                    "accepted",
                    "acceptedcmp",
                    "cmp",
                    "campaign",
                    "offer",
                    "promo",
                ]
                .contains(&family.stem.as_str());
                let (wanted, label) = if campaign {
                    (
                        "campaigns_accepted".to_string(),
                        "Campaigns accepted".to_string(),
                    )
                } else {
                    (
                        format!("{}_count", family.stem),
                        format!("Number of {} flags", family.stem),
                    )
                };
                let name = d.fresh_name(&wanted);
                let outcome = campaign
                    || family
                        .members
                        .iter()
                        .any(|&c| d.columns[c].attribute.role == Role::Outcome);
                let role = if outcome {
                    Role::Outcome
                } else {
                    Role::Feature
                };
                d.derived.push(DerivedGuess {
                    attribute: Attribute::derived(&name, Derived::CountTrue { of: names.clone() })
                        .with_label(label)
                        .with_facet(Facet::Behavioural)
                        .with_role(role),
                    reason: format!(
                        "derived: how many of {list} are true{}",
                        if outcome {
                            "; an outcome, reported per segment, not clustered"
                        } else {
                            ""
                        }
                    ),
                });
                for &c in &family.members {
                    d.ignore(c, format!("counted in `{name}`"));
                }
                d.notes.push(format!("{list} are counted in `{name}`"));
            }
        }
    }
}

/// A family of counts (purchases per channel, minutes per time of day): its total and its mix
/// are clustered instead of the members; members bought on a deal give the deal share.
fn derive_counts(d: &mut Draft<'_>, family: &Family, names: &[String], list: &str) {
    let words: Vec<Vec<String>> = names.iter().map(|n| super::words(n)).collect();
    let is_deal = |w: &[String]| {
        w.iter()
            .any(|x| vocab::DEAL_WORDS.contains(&stem_digits(x)))
    };
    let channel: Vec<String> = names
        .iter()
        .zip(&words)
        .filter(|(_, w)| !is_deal(w))
        .map(|(n, _)| n.clone())
        .collect();
    if channel.len() < 2 {
        return;
    }
    let stem = &family.stem;
    let quoted = channel
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let total = d.fresh_name(&format!("total_{stem}"));
    d.derived.push(DerivedGuess {
        attribute: Attribute::derived(
            &total,
            Derived::Sum {
                of: channel.clone(),
            },
        )
        .with_label(format!("Total {stem}"))
        .with_facet(Facet::Behavioural),
        reason: format!("derived: the sum of {quoted}"),
    });
    for (name, w) in names.iter().zip(&words) {
        let what = plain(&member_words(w, stem));
        let what = if what.is_empty() { name.clone() } else { what };
        let (wanted, label, reason) = if is_deal(w) {
            (
                format!("deal_share_of_{stem}"),
                format!("Share of {stem} on deal"),
                format!("derived: `{name}` over the sum of {quoted}"),
            )
        } else {
            (
                format!("{stem}_share_{}", what.replace(' ', "_")),
                format!("Share of {stem} ({what})"),
                format!("derived: `{name}` over the sum of {quoted}"),
            )
        };
        let share = d.fresh_name(&wanted);
        d.derived.push(DerivedGuess {
            attribute: Attribute::derived(
                &share,
                Derived::Share {
                    part: vec![name.clone()],
                    whole: channel.clone(),
                },
            )
            .with_label(label)
            .with_facet(Facet::Behavioural),
            reason,
        });
    }
    for &c in &family.members {
        d.ignore(
            c,
            format!("in the `{stem}` family: clustered as `{total}` and its mix"),
        );
    }
    d.notes.push(format!(
        "{list} become `{total}` and the share of each (the mix)"
    ));
}

/// The newest date among the date columns of past events (not birth dates, which would make
/// ages of the youngest customer's age, nor renewal or due dates, which lie ahead), as a day
/// number.
fn newest_date(d: &Draft<'_>) -> Option<f64> {
    let mut newest: Option<f64> = None;
    for (c, guess) in d.columns.iter().enumerate() {
        let Some((format, _)) = guess.date else {
            continue;
        };
        let words = super::words(&guess.attribute.name);
        if vocab::is_birth_name(&words) || vocab::is_future_date_name(&words) {
            continue;
        }
        for cell in d.cells(c, usize::MAX).into_iter().flatten() {
            if let Some(day) = format.parse(cell) {
                newest = Some(newest.map_or(day, |n: f64| n.max(day)));
            }
        }
    }
    newest
}

/// Turns dates into durations (days as a customer, days since the last order), and birth dates
/// and birth years into ages, measured at `reference` (ISO) or else the newest date in the file.
pub(crate) fn derive_durations(d: &mut Draft<'_>, reference: Option<&str>) -> Option<String> {
    let wanted = d.columns.iter().any(|g| g.date.is_some() || g.birth_year);
    if !wanted {
        return None;
    }
    let (day, origin) = match reference.and_then(|r| DateFormat::Ymd.parse(r)) {
        Some(day) => (Some(day.floor()), "the reference date".to_string()),
        None => (
            newest_date(d).map(f64::floor),
            "the newest date in the file".to_string(),
        ),
    };
    let reference = day.map(dates::iso);
    for c in 0..d.columns.len() {
        let name = d.name(c).to_string();
        let words = super::words(&name);
        if d.columns[c].date.is_some() {
            if vocab::is_future_date_name(&words) {
                d.columns[c].reason.push_str(
                    "; a date ahead in the relationship (renewal, expiry, due), not a past event: \
                     no duration derived",
                );
                continue;
            }
            let Some(reference) = reference.clone() else {
                d.columns[c].reason.push_str(
                    "; no date of a past event in the file to measure it to (pass a reference \
                     date to derive it)",
                );
                continue;
            };
            let (attribute, what) = if vocab::is_birth_name(&words) {
                let age = d.fresh_name("age");
                (
                    Attribute::derived(
                        &age,
                        Derived::AgeAt {
                            of: name.clone(),
                            reference: reference.clone(),
                        },
                    )
                    .with_label("Age")
                    .with_unit("years")
                    .with_facet(Facet::Demographic),
                    "age in full years",
                )
            } else {
                let (wanted, label) = if vocab::is_last_date_name(&words) {
                    (
                        format!("days_since_{name}"),
                        format!("Days since {}", plain(&words)),
                    )
                } else if vocab::is_start_date_name(&words) {
                    (
                        "days_as_customer".to_string(),
                        "Days as a customer".to_string(),
                    )
                } else {
                    (
                        format!("days_since_{name}"),
                        format!("Days since {}", plain(&words)),
                    )
                };
                let fresh = d.fresh_name(&wanted);
                (
                    Attribute::derived(
                        &fresh,
                        Derived::DaysSince {
                            of: name.clone(),
                            reference: reference.clone(),
                        },
                    )
                    .with_label(label)
                    .with_unit("days")
                    .with_facet(Facet::Behavioural),
                    "days",
                )
            };
            let new_name = attribute.name.clone();
            d.derived.push(DerivedGuess {
                attribute,
                reason: format!("derived: {what} from `{name}` to {reference} ({origin})"),
            });
            d.columns[c]
                .reason
                .push_str(&format!("; used as `{new_name}`"));
        } else if d.columns[c].birth_year {
            match day {
                Some(day) => {
                    let year = dates::civil(day).0 as f64;
                    let age = d.fresh_name("age");
                    d.derived.push(DerivedGuess {
                        attribute: Attribute::derived(
                            &age,
                            Derived::YearsSince {
                                of: name.clone(),
                                reference: year,
                            },
                        )
                        .with_label("Age")
                        .with_unit("years")
                        .with_facet(Facet::Demographic),
                        reason: format!("derived: {year} - `{name}` ({origin}'s year)"),
                    });
                    d.columns[c].reason.push_str(&format!("; used as `{age}`"));
                }
                None => {
                    let guess = &mut d.columns[c];
                    guess.attribute.role = Role::Feature;
                    guess.reason.push_str(
                        "; no date in the file to measure ages at (pass a reference date to \
                         derive ages), so clustered as it is",
                    );
                }
            }
        }
    }
    reference
}

/// When a family total is the value measure, other value columns become ordinary features.
pub(crate) fn settle_value_measure(d: &mut Draft<'_>) {
    let derived_value = d.derived.iter().any(|g| g.attribute.role == Role::Value);
    if !derived_value {
        return;
    }
    for guess in &mut d.columns {
        if guess.attribute.role == Role::Value {
            guess.attribute.role = Role::Feature;
            guess
                .reason
                .push_str("; a family total is the value measure, so clustered as a feature");
        }
    }
}
