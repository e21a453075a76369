//! One column on its own: its kind, role and facet from its name and its cells.

use super::vocab;
use crate::dates::{self, DateFormat};
use crate::input::parse_number;
use crate::schema::{Attribute, Role};
use crate::table::parse_bool;

/// The longest value a text column may hold to be guessed categorical or an id; longer values are
/// free text. The table refuses longer levels ([`crate::table`]).
pub(crate) const MAX_LEVEL_CHARS: usize = 200;

/// The most distinct values a text column may have to be guessed categorical.
pub(crate) const MAX_CATEGORICAL_LEVELS: usize = 50;

/// An id-like column repeats this many rows per distinct value, on average, before its rows are
/// taken for purchases or events rather than customers with a few duplicated records.
const REPEATS_FOR_EVENTS: f64 = 1.1;

/// A numeric column may hold at most one stray text per this many known cells (and at least
/// [`MIN_STRAYS`]), of at most [`MAX_DISTINCT_STRAYS`] different texts, for the strays to be read
/// as missing rather than the column as text.
const STRAY_SHARE: usize = 100;
const MIN_STRAYS: usize = 3;
const MAX_DISTINCT_STRAYS: usize = 10;

/// The fewest numbers a column needs before stray texts in it are read as missing.
const MIN_NUMBERS_FOR_STRAYS: usize = 20;

/// A marker such as `none` is an ordinary answer when at least this share of rows gives it.
const MARKER_LEVEL_SHARE: f64 = 0.01;

/// The cells of one column, split by the reader's missing markers.
pub(crate) struct Cells<'a> {
    /// Every cell that is not missing, in row order.
    pub known: Vec<&'a str>,
    /// The 1-based file row of each known cell.
    pub known_rows: Vec<usize>,
    /// Whether numbers may carry a decimal comma.
    pub decimal_comma: bool,
    /// Word-like cells that the markers read as missing (`none`, `None`), with their counts.
    pub word_markers: Vec<(&'a str, usize)>,
    /// All rows, missing ones included.
    pub rows: usize,
}

/// What inference decided about a column before looking at the other columns.
pub(crate) struct ColumnGuess {
    pub attribute: Attribute,
    pub reason: String,
    /// An id-like column whose values repeat: (distinct values, the most repeated value, its count).
    pub repeated_id: Option<(usize, String, usize)>,
    /// The format of a date column.
    pub date: Option<(DateFormat, bool)>,
    /// A birth year (numeric, 1900..=2100).
    pub birth_year: bool,
    /// Something about the column's values the user should check (shown as a note).
    pub note: Option<String>,
}

impl ColumnGuess {
    fn new(attribute: Attribute, reason: impl Into<String>) -> Self {
        ColumnGuess {
            attribute,
            reason: reason.into(),
            repeated_id: None,
            date: None,
            birth_year: false,
            note: None,
        }
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

fn is_integer(x: f64) -> bool {
    x.fract() == 0.0 && x.abs() < 1e15
}

/// Guesses one column. `have_identifier` is set when this column becomes the identifier.
pub(crate) fn guess_column(
    name: &str,
    cells: &Cells<'_>,
    have_identifier: &mut bool,
) -> ColumnGuess {
    // Each known cell read as a number once; infinities and numbers too large to compute with
    // are not numbers here, as the table does not read them either.
    let parsed: Vec<Option<f64>> = cells
        .known
        .iter()
        .map(|c| parse_number(c.trim(), cells.decimal_comma))
        .map(|x| x.filter(|x| x.abs() <= crate::table::MAX_MAGNITUDE))
        .collect();
    let mut guess = guess_kind(name, cells, &parsed, have_identifier);
    if guess.attribute.kind.name() != "numeric" && guess.attribute.kind.name() != "date" {
        // Mostly numbers, but too many texts among them to read those as missing: say so.
        let texts: Vec<usize> = (0..parsed.len()).filter(|&i| parsed[i].is_none()).collect();
        let numbers = cells.known.len() - texts.len();
        if !texts.is_empty() && numbers * 10 >= cells.known.len() * 9 {
            let shown: Vec<String> = texts
                .iter()
                .take(3)
                .map(|&i| {
                    format!(
                        "`{}` (row {})",
                        crate::error::shorten(cells.known[i].trim()),
                        cells.known_rows[i]
                    )
                })
                .collect();
            guess.reason.push_str(&format!(
                " ({numbers} of the {} values are numbers; the other {} are text, such as {}: \
                 fix them, or list them in the schema's `missing_markers` and make the column \
                 numeric)",
                cells.known.len(),
                texts.len(),
                shown.join(", ")
            ));
        }
    }
    guess
}

/// The guess from the name and the cells; `parsed` holds each known cell read as a number.
fn guess_kind(
    name: &str,
    cells: &Cells<'_>,
    parsed: &[Option<f64>],
    have_identifier: &mut bool,
) -> ColumnGuess {
    let words = super::words(name);
    let facet = vocab::guess_facet(&words);
    let categorical = || Attribute::categorical(name, Vec::<String>::new());
    let known = &cells.known;
    if known.is_empty() {
        return ColumnGuess::new(
            categorical().with_role(Role::Ignored),
            "every value is missing",
        );
    }
    let mut counts: crate::hash::FastMap<&str, usize> = crate::hash::FastMap::default();
    for c in known {
        *counts.entry(c).or_default() += 1;
    }
    let distinct = counts.len();
    let unique = distinct == known.len() && known.len() > 1;
    let most_repeated = || {
        let (value, count) = counts
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
            .map_or(("", 0), |(v, c)| (*v, *c));
        (value.to_string(), count)
    };

    if vocab::is_identifier_name(&words) {
        if unique && !*have_identifier {
            *have_identifier = true;
            return ColumnGuess::new(
                Attribute::identifier(name),
                "named like an identifier and every value is unique",
            );
        }
        if unique {
            return ColumnGuess::new(
                categorical().with_role(Role::Ignored),
                "named like an identifier: a second id column, never clustered",
            );
        }
        let (value, count) = most_repeated();
        // A few repeats among many unique ids are duplicated records, not events.
        if (known.len() as f64) < REPEATS_FOR_EVENTS * distinct as f64 {
            let repeated_rows = known.len() - distinct;
            return ColumnGuess::new(
                categorical().with_role(Role::Ignored),
                format!(
                    "named like an identifier, but {repeated_rows} rows repeat an earlier value \
                     (`{}` appears {count} times): duplicated records? Every row is kept and \
                     counted as a customer; remove the duplicates first if they are copies",
                    crate::error::shorten(&value)
                ),
            );
        }
        let mut guess = ColumnGuess::new(
            categorical().with_role(Role::Ignored),
            format!(
                "named like an identifier but values repeat ({distinct} distinct in {} rows; \
                 `{}` appears {count} times): rows are purchases or events, not customers",
                cells.rows,
                crate::error::shorten(&value)
            ),
        );
        guess.repeated_id = Some((distinct, value, count));
        return guess;
    }
    if distinct == 1 && known.len() > 1 {
        let (value, _) = most_repeated();
        return ColumnGuess::new(
            categorical().with_role(Role::Ignored),
            format!(
                "the same value (`{}`) for every customer: nothing to tell customers apart",
                crate::error::shorten(&value)
            ),
        );
    }
    if known.iter().all(|c| parse_bool(c).is_some()) {
        let mut attribute = Attribute::boolean(name).with_facet(facet);
        let mut reason = "only true/false, yes/no or 0/1 values".to_string();
        if vocab::is_identity_name(&words) {
            attribute = attribute.with_role(Role::Descriptor);
            reason.push_str("; an identity trait: described on every persona, not clustered on");
        } else if vocab::is_outcome_name(&words) {
            attribute = attribute.with_role(Role::Outcome);
            reason.push_str("; named like an outcome, so reported per segment, not clustered");
        }
        return ColumnGuess::new(attribute, reason);
    }
    let strays: Vec<usize> = (0..known.len()).filter(|&i| parsed[i].is_none()).collect();
    // A few stray texts among many numbers (`abc`, `unknown`) are read as missing, and named.
    let distinct_strays = {
        let mut v: Vec<&str> = strays.iter().map(|&i| known[i].trim()).collect();
        v.sort_unstable();
        v.dedup();
        v.len()
    };
    let few = strays.len() <= (known.len() / STRAY_SHARE).max(MIN_STRAYS)
        && distinct_strays <= MAX_DISTINCT_STRAYS
        && known.len() - strays.len() >= MIN_NUMBERS_FOR_STRAYS;
    let numbers: Option<Vec<f64>> = if strays.is_empty() || few {
        Some(parsed.iter().flatten().copied().collect())
    } else {
        None
    };
    let strays = if numbers.is_some() {
        strays
    } else {
        Vec::new()
    };
    // Dates: written with separators, or eight digits that are all valid dates.
    let date_like = numbers.is_none() || known.iter().all(|c| c.trim().len() == 8);
    if date_like {
        if let Some((format, ambiguous)) = dates::detect(known) {
            let mut reason = format!("dates written {}", format.pattern());
            if ambiguous {
                reason.push_str(
                    " (no value tells day-first from month-first; day-first assumed: \
                     set the format in the schema if it is month-first)",
                );
            }
            let mut guess = ColumnGuess::new(
                Attribute::date(name, format).with_role(Role::Ignored),
                reason,
            );
            guess.date = Some((format, ambiguous));
            return guess;
        }
    }
    if let Some(numbers) = numbers {
        let mut guess = guess_numeric(
            name,
            &words,
            facet,
            &numbers,
            distinct,
            unique,
            have_identifier,
        );
        if cells.decimal_comma {
            guess.attribute.decimal_comma = true;
            guess
                .reason
                .push_str("; numbers written with a decimal comma and thousands dots (1.234,5)");
        }
        if !strays.is_empty() {
            let mut values: Vec<&str> = strays.iter().map(|&i| known[i].trim()).collect();
            values.sort_unstable();
            values.dedup();
            let shown: Vec<String> = strays
                .iter()
                .take(3)
                .map(|&i| {
                    format!(
                        "`{}` (row {})",
                        crate::error::shorten(known[i].trim()),
                        cells.known_rows[i]
                    )
                })
                .collect();
            for v in values {
                guess.attribute = guess.attribute.with_missing_marker(v);
            }
            guess.reason.push_str(&format!(
                "; {} that are not numbers read as missing: {}{} (listed in the \
                 schema's `missing_markers`; fix them in the file or change the kind)",
                crate::text::count_of(strays.len(), "cell"),
                shown.join(", "),
                if strays.len() > 3 { ", …" } else { "" }
            ));
        }
        return guess;
    }
    if let Some(longest) = known.iter().map(|c| c.chars().count()).max() {
        if longest > MAX_LEVEL_CHARS {
            return ColumnGuess::new(
                categorical().with_role(Role::Ignored),
                format!(
                    "text up to {longest} characters long: free text, not a category (levels \
                     are labels of at most {MAX_LEVEL_CHARS} characters)"
                ),
            );
        }
    }
    if unique {
        if !*have_identifier {
            *have_identifier = true;
            return ColumnGuess::new(
                Attribute::identifier(name),
                "text, every value different: used as the customer id",
            );
        }
        return ColumnGuess::new(
            categorical().with_role(Role::Ignored),
            "text, every value different (free text or a second id)",
        );
    }
    for separator in [";", "|"] {
        let with = known.iter().filter(|c| c.contains(separator)).count();
        if with * 10 >= known.len() {
            let mut tags: Vec<&str> = known
                .iter()
                .flat_map(|c| c.split(separator))
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .collect();
            tags.sort_unstable();
            tags.dedup();
            if tags.len() <= MAX_CATEGORICAL_LEVELS {
                return ColumnGuess::new(
                    Attribute::tags(name, separator).with_facet(facet),
                    format!(
                        "lists separated by `{separator}` of {} distinct tags",
                        tags.len()
                    ),
                );
            }
        }
    }
    if distinct <= MAX_CATEGORICAL_LEVELS && vocab::is_identity_name(&words) {
        return ColumnGuess::new(
            categorical()
                .with_facet(crate::schema::Facet::Demographic)
                .with_role(Role::Descriptor),
            format!(
                "text with {distinct} distinct values, an identity trait: described on every \
                 persona, not clustered on, so segments follow behaviour (set role `feature` to \
                 cluster on it)"
            ),
        );
    }
    if distinct <= MAX_CATEGORICAL_LEVELS {
        let mut attribute = categorical().with_facet(facet);
        // A marker that many customers give, among other answers, is an answer itself.
        let mut kept = Vec::new();
        for (marker, count) in &cells.word_markers {
            if distinct >= 2 && *count as f64 >= MARKER_LEVEL_SHARE * cells.rows as f64 {
                attribute = attribute.with_not_missing(*marker);
                kept.push(format!("`{marker}` ({count} rows)"));
            }
        }
        let mut reason = format!("text with {} distinct values", distinct + kept.len());
        if !kept.is_empty() {
            reason.push_str(&format!(
                "; {} read as an answer, not as missing",
                kept.join(", ")
            ));
        }
        let mut levels: Vec<&str> = counts.keys().copied().collect();
        levels.sort_unstable();
        let outcome = (vocab::is_outcome_name(&words) && distinct <= 10)
            || (vocab::is_generic_outcome_name(&words) && vocab::is_outcome_levels(&levels));
        if outcome {
            attribute = attribute.with_role(Role::Outcome);
            reason.push_str("; named like an outcome, so reported per segment, not clustered");
        }
        return ColumnGuess::new(attribute, reason);
    }
    ColumnGuess::new(
        categorical().with_role(Role::Ignored),
        format!("text with {distinct} distinct values: too many to be a category"),
    )
}

fn guess_numeric(
    name: &str,
    words: &[String],
    facet: crate::schema::Facet,
    numbers: &[f64],
    distinct: usize,
    unique: bool,
    have_identifier: &mut bool,
) -> ColumnGuess {
    let categorical = || Attribute::categorical(name, Vec::<String>::new());
    let integers = numbers.iter().all(|&x| is_integer(x));
    let (min, max) = numbers
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    if integers {
        if let Some((what, lo, hi)) = vocab::calendar_field(words) {
            if min >= lo && max <= hi {
                return ColumnGuess::new(
                    categorical().with_role(Role::Ignored),
                    format!("a calendar field (the {what}), not a customer quantity"),
                );
            }
        }
        if vocab::is_birth_name(words) && min >= 1900.0 && max <= 2100.0 {
            let mut guess = ColumnGuess::new(
                Attribute::numeric(name)
                    .with_facet(crate::schema::Facet::Demographic)
                    .with_role(Role::Ignored),
                "a birth year",
            );
            guess.birth_year = true;
            return guess;
        }
        if vocab::is_code_name(words) {
            if distinct <= MAX_CATEGORICAL_LEVELS {
                return ColumnGuess::new(
                    categorical().with_facet(facet),
                    format!(
                        "whole numbers named like a code ({distinct} distinct): a category, \
                         not a quantity"
                    ),
                );
            }
            return ColumnGuess::new(
                categorical().with_role(Role::Ignored),
                format!("a code with {distinct} distinct values: too many to be a category"),
            );
        }
        // Unique whole numbers that run nearly 1, 2, 3, ... are row numbers or ids.
        let n = numbers.len();
        if unique && n >= 20 && max - min < 1.5 * n as f64 {
            if !*have_identifier {
                *have_identifier = true;
                return ColumnGuess::new(
                    Attribute::identifier(name),
                    "unique whole numbers in a near-consecutive run: a row number or id",
                );
            }
            return ColumnGuess::new(
                categorical().with_role(Role::Ignored),
                "unique whole numbers in a near-consecutive run: a second id or row number",
            );
        }
    }
    let mut attribute = Attribute::numeric(name).with_facet(facet);
    if let Some(unit) = guess_unit(name, words) {
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
    if vocab::is_value_name(words) {
        attribute = attribute.with_role(Role::Value);
        reason.push_str("; named like a total amount, so reported per segment, not clustered");
    }
    let negative = finite.iter().filter(|&&x| x < 0.0).count();
    let mut guess = ColumnGuess::new(attribute, reason);
    if negative > 0 && vocab::is_nonnegative_name(words) {
        guess.note = Some(format!(
            "`{name}` is named like a count or duration, which cannot be negative, but {} \
             (the lowest is {}): check the file, or give a schema that says what the column is",
            if negative == 1 {
                "1 value read is negative".to_string()
            } else {
                format!("{negative} values read are negative")
            },
            crate::text::number(min)
        ));
    }
    guess
}
