//! An independent checker of a run's output: it recomputes every number a persona card and the
//! segment profiles print — evidence values, effects, sizes, shares, value shares, summaries —
//! from the raw CSV (read with the `csv` crate, never the crate's table code) and the labels CSV,
//! and asserts the honest-statement thresholds on every claim.
//!
//! It takes from the crate's output only what a user hands it: the schema JSON the run wrote
//! (for a tag separator, a date format and derived-attribute formulas), the personas JSON and the
//! labels. Kinds come from the raw cells: a column whose non-missing cells all parse as numbers is
//! numeric-looking, any other is text; the statistic of every piece of evidence must fit them.

use std::path::Path;

use serde_json::Value;

/// The cells README promises to read as missing (besides the empty cell), any case.
const MISSING: [&str; 6] = ["na", "n/a", "null", "none", "nan", "?"];
/// Spellings of a boolean, any case (the checker's own reading of a yes/no column).
const TRUE: [&str; 6] = ["true", "yes", "y", "t", "1", "1.0"];
const FALSE: [&str; 6] = ["false", "no", "n", "f", "0", "0.0"];

/// The statement thresholds README promises (the drafter's defaults).
pub const MIN_EFFECT: f64 = 0.5;
pub const MIN_LIFT: f64 = 1.25;
pub const MIN_SEGMENT: usize = 30;

/// The lists whose statements claim a difference (demographics and firmographics describe).
pub const CLAIMS: [&str; 8] = [
    "outcomes",
    "traits",
    "goals",
    "pain_points",
    "objections",
    "motivations",
    "buying_behaviour",
    "channels",
];
pub const DESCRIPTIONS: [&str; 2] = ["demographics", "firmographics"];

/// A CSV as text cells, trimmed.
pub struct RawCsv {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl RawCsv {
    pub fn read(path: &Path) -> Self {
        let text = std::fs::read_to_string(path).unwrap();
        Self::parse(&text)
    }

    pub fn parse(text: &str) -> Self {
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let header = reader.headers().unwrap().iter().map(String::from).collect();
        let rows = reader
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        RawCsv { header, rows }
    }

    /// A column's cells, `None` where missing; `None` when there is no such column.
    pub fn cells(&self, name: &str) -> Option<Vec<Option<&str>>> {
        let c = self.header.iter().position(|h| h == name)?;
        Some(self.rows.iter().map(|r| known(&r[c])).collect())
    }
}

pub fn known(cell: &str) -> Option<&str> {
    let cell = cell.trim();
    (!(cell.is_empty() || MISSING.iter().any(|m| m.eq_ignore_ascii_case(cell)))).then_some(cell)
}

pub fn number(cell: &str) -> Option<f64> {
    cell.parse::<f64>().ok().filter(|x| x.is_finite())
}

pub fn truth(cell: &str) -> Option<bool> {
    if TRUE.iter().any(|t| t.eq_ignore_ascii_case(cell)) {
        Some(true)
    } else if FALSE.iter().any(|t| t.eq_ignore_ascii_case(cell)) {
        Some(false)
    } else {
        None
    }
}

/// Whether every known cell parses as a number (and at least one is known).
pub fn numeric_looking(cells: &[Option<&str>]) -> bool {
    cells.iter().flatten().next().is_some() && cells.iter().flatten().all(|c| number(c).is_some())
}

/// Days from 1970-01-01 to a civil date (proleptic Gregorian), or `None` for an invalid date.
pub fn day_number(year: i64, month: i64, day: i64) -> Option<i64> {
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&month) || day < 1 || day > days_in[(month - 1) as usize] {
        return None;
    }
    // Count days year by year and month by month from 1970: slow but obviously right.
    let mut days = 0i64;
    let leap_year = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if year >= 1970 {
        days += (1970..year)
            .map(|y| if leap_year(y) { 366 } else { 365 })
            .sum::<i64>();
    } else {
        days -= (year..1970)
            .map(|y| if leap_year(y) { 366 } else { 365 })
            .sum::<i64>();
    }
    days += days_in[..(month - 1) as usize].iter().sum::<i64>();
    Some(days + day - 1)
}

/// A date cell in a schema date format as a day number since 1970-01-01, with a time of day
/// (` HH:MM[:SS]` or `THH:MM[:SS]`) as a fraction of a day.
pub fn parse_date(cell: &str, format: &str) -> Option<f64> {
    let (y, m, d, fraction) = civil(cell, format)?;
    Some(day_number(y, m, d)? as f64 + fraction)
}

/// A date cell as year, month, day and the fraction of the day its time part adds.
pub fn civil(cell: &str, format: &str) -> Option<(i64, i64, i64, f64)> {
    let (date, time) = match cell.find([' ', 'T']) {
        Some(i) => (&cell[..i], Some(cell[i + 1..].trim())),
        None => (cell, None),
    };
    let parts: Vec<&str> = if format == "ymd_compact" {
        if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        vec![&date[..4], &date[4..6], &date[6..]]
    } else {
        let separator = date.chars().find(|c| matches!(c, '-' | '/' | '.'))?;
        date.split(separator).collect()
    };
    let [a, b, c] = parts[..] else { return None };
    let int = |s: &str| {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<i64>().ok())
            .flatten()
    };
    let (y, m, d) = match format {
        "ymd" | "ymd_compact" => (int(a)?, int(b)?, int(c)?),
        "dmy" => (int(c)?, int(b)?, int(a)?),
        "mdy" => (int(c)?, int(a)?, int(b)?),
        other => panic!("unknown date format {other}"),
    };
    day_number(y, m, d)?;
    let mut fraction = 0.0;
    if let Some(time) = time {
        let t: Vec<&str> = time.split(':').collect();
        if !(2..=3).contains(&t.len()) {
            return None;
        }
        let (h, mi) = (int(t[0])?, int(t[1])?);
        let s = if t.len() == 3 { int(t[2])? } else { 0 };
        if h > 23 || mi > 59 || s > 59 {
            return None;
        }
        fraction = (h * 3600 + mi * 60 + s) as f64 / 86_400.0;
    }
    Some((y, m, d, fraction))
}

/// Full years from one civil date to another; a 29 February birthday is complete on 1 March in
/// years without one.
pub fn full_years(from: (i64, i64, i64), to: (i64, i64, i64)) -> i64 {
    let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let anniversary = if (from.1, from.2) == (2, 29) && !leap(to.0) {
        (3, 1)
    } else {
        (from.1, from.2)
    };
    to.0 - from.0 - i64::from((to.1, to.2) < anniversary)
}

/// The schema JSON the run wrote: only tag separators, date formats, formulas and which
/// attributes are outcomes (they have their own statement rule) are read.
pub struct SchemaJson(Value);

impl SchemaJson {
    pub fn parse(text: &str) -> Self {
        SchemaJson(serde_json::from_str(text).unwrap())
    }

    /// Whether the attribute is an outcome (churn, default, response).
    pub fn is_outcome(&self, name: &str) -> bool {
        self.attribute(name).is_some_and(|a| a["role"] == "outcome")
    }

    fn attribute(&self, name: &str) -> Option<&Value> {
        self.0["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
    }

    /// The values of an attribute: a number per customer for a date or derived attribute, the raw
    /// cells otherwise.
    pub fn values<'a>(&self, raw: &'a RawCsv, name: &str) -> Values<'a> {
        let attribute = self.attribute(name);
        if let Some(formula) = attribute.and_then(|a| a.get("derived")) {
            return Values::Numbers(self.derive(raw, formula));
        }
        let cells = raw
            .cells(name)
            .unwrap_or_else(|| panic!("`{name}` is neither a CSV column nor derived"));
        match attribute {
            Some(a) if a["kind"] == "date" => Values::Numbers(self.dates(a, &cells, name)),
            Some(a) if a["kind"] == "tags" => {
                let separator = a["separator"].as_str().unwrap().to_string();
                Values::Cells(cells, Some(separator))
            }
            _ => Values::Cells(cells, None),
        }
    }

    fn dates(&self, attribute: &Value, cells: &[Option<&str>], name: &str) -> Vec<Option<f64>> {
        let format = attribute["format"].as_str().unwrap();
        cells
            .iter()
            .map(|c| {
                c.map(|c| {
                    parse_date(c, format)
                        .unwrap_or_else(|| panic!("`{name}`: `{c}` is not a {format} date"))
                })
            })
            .collect()
    }

    fn numbers_of(&self, raw: &RawCsv, name: &str) -> Vec<Option<f64>> {
        let cells = raw.cells(name).unwrap();
        match self.attribute(name) {
            Some(a) if a["kind"] == "date" => self.dates(a, &cells, name),
            _ => cells
                .iter()
                .map(|c| c.map(|c| number(c).unwrap_or_else(|| panic!("`{name}`: `{c}`"))))
                .collect(),
        }
    }

    /// Computes a derived attribute from its formula, over plain CSV columns.
    pub fn derive(&self, raw: &RawCsv, formula: &Value) -> Vec<Option<f64>> {
        let names = |key: &str| -> Vec<String> {
            match &formula[key] {
                Value::Array(a) => a.iter().map(|v| v.as_str().unwrap().to_string()).collect(),
                Value::String(s) => vec![s.clone()],
                other => panic!("formula field `{key}`: {other}"),
            }
        };
        let columns = |key: &str| -> Vec<Vec<Option<f64>>> {
            names(key).iter().map(|n| self.numbers_of(raw, n)).collect()
        };
        // Per row: every input known, or missing.
        let rows = |cols: &[Vec<Option<f64>>], i: usize| -> Option<Vec<f64>> {
            cols.iter().map(|c| c[i]).collect()
        };
        let n = raw.rows.len();
        match formula["op"].as_str().unwrap() {
            "sum" => {
                let of = columns("of");
                (0..n)
                    .map(|i| rows(&of, i).map(|v| v.iter().sum()))
                    .collect()
            }
            "share" => {
                let (part, whole) = (columns("part"), columns("whole"));
                (0..n)
                    .map(|i| {
                        let (p, w) = (rows(&part, i)?, rows(&whole, i)?);
                        let w: f64 = w.iter().sum();
                        (w != 0.0).then(|| p.iter().sum::<f64>() / w)
                    })
                    .collect()
            }
            "count_true" => {
                let of: Vec<Vec<Option<&str>>> =
                    names("of").iter().map(|c| raw.cells(c).unwrap()).collect();
                (0..n)
                    .map(|i| {
                        of.iter()
                            .map(|c| c[i].map(|v| f64::from(u8::from(truth(v) == Some(true)))))
                            .sum::<Option<f64>>()
                    })
                    .collect()
            }
            "days_since" => {
                let reference = formula["reference"].as_str().unwrap();
                let reference = parse_date(reference, "ymd").unwrap();
                let of = columns("of");
                (0..n).map(|i| of[0][i].map(|d| reference - d)).collect()
            }
            "age_at" => {
                let (y, m, d, _) = civil(formula["reference"].as_str().unwrap(), "ymd").unwrap();
                let name = &names("of")[0];
                let format = self.attribute(name).unwrap()["format"].as_str().unwrap();
                let cells = raw.cells(name).unwrap();
                cells
                    .iter()
                    .map(|c| {
                        let (by, bm, bd, _) = civil(c.as_ref()?, format).unwrap();
                        Some(full_years((by, bm, bd), (y, m, d)) as f64)
                    })
                    .collect()
            }
            "years_since" => {
                let reference = formula["reference"].as_f64().unwrap();
                let of = columns("of");
                (0..n).map(|i| of[0][i].map(|y| reference - y)).collect()
            }
            other => panic!("unknown formula op {other}"),
        }
    }
}

/// An attribute's values: raw cells (with a tag separator) or computed numbers.
pub enum Values<'a> {
    Cells(Vec<Option<&'a str>>, Option<String>),
    Numbers(Vec<Option<f64>>),
}

impl Values<'_> {
    /// The numbers, asserting the cells are numeric-looking.
    pub fn numbers(&self, what: &str) -> Vec<Option<f64>> {
        match self {
            Values::Numbers(v) => v.clone(),
            Values::Cells(cells, _) => {
                assert!(
                    numeric_looking(cells),
                    "{what}: a mean or median of a column that is not numeric-looking"
                );
                cells.iter().map(|c| c.and_then(number)).collect()
            }
        }
    }

    /// Per customer with a known value, whether it has `level`; and whether the level occurs
    /// among the raw cells at all (a share of a level nobody has is no evidence).
    pub fn has_level(&self, level: &str) -> (Vec<Option<bool>>, bool) {
        let Values::Cells(cells, separator) = self else {
            panic!("a share of computed numbers");
        };
        let hits: Vec<Option<bool>> = if let Some(sep) = separator {
            cells
                .iter()
                .map(|c| c.map(|c| c.split(sep.as_str()).any(|t| t.trim() == level)))
                .collect()
        } else if (level == "true" || level == "false")
            && cells.iter().flatten().all(|c| truth(c).is_some())
        {
            // A boolean-looking column: `true` is every spelling of yes.
            let want = level == "true";
            cells
                .iter()
                .map(|c| c.map(|c| truth(c) == Some(want)))
                .collect()
        } else {
            // A text column, or integer codes read as levels: the level is a raw value.
            cells.iter().map(|c| c.map(|c| c == level)).collect()
        };
        let occurs = hits.contains(&Some(true));
        (hits, occurs)
    }
}

pub fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// The `p`-quantile by linear interpolation between order statistics (numpy's default).
pub fn quantile(v: &[f64], p: f64) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    let h = (v.len() - 1) as f64 * p;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

/// Population standard deviation (divisor n).
pub fn sd(v: &[f64]) -> f64 {
    let m = mean(v);
    (v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / v.len() as f64).sqrt()
}

pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn assert_close(what: &str, mine: f64, json: &Value) {
    let theirs = json
        .as_f64()
        .unwrap_or_else(|| panic!("{what}: {json} is no number"));
    assert!(
        close(mine, theirs),
        "{what}: recomputed {mine}, JSON {theirs}"
    );
}

/// What a check covered.
#[derive(Debug, Default)]
pub struct Report {
    /// Numbers recomputed and compared.
    pub numbers: usize,
    /// Pieces of evidence behind claims whose thresholds were asserted.
    pub claims: usize,
    /// Personas seen.
    pub personas: usize,
}

/// Checks a run: the CSV it read, the schema JSON it wrote, its personas JSON and labels CSV.
pub fn check_run(csv: &Path, schema_json: &str, personas_json: &str, labels_csv: &str) -> Report {
    let raw = RawCsv::read(csv);
    check(
        &raw,
        &SchemaJson::parse(schema_json),
        personas_json,
        labels_csv,
    )
}

pub fn check(raw: &RawCsv, schema: &SchemaJson, personas_json: &str, labels_csv: &str) -> Report {
    let labels = RawCsv::parse(labels_csv);
    assert_eq!(labels.header, ["customer", "segment"]);
    assert_eq!(labels.rows.len(), raw.rows.len(), "one label per input row");
    // The customer column follows the input rows: some column's values, or row numbers.
    let ids: Vec<&str> = labels.rows.iter().map(|r| r[0].as_str()).collect();
    let by_row = ids
        .iter()
        .enumerate()
        .all(|(i, id)| *id == (i + 1).to_string());
    let by_column =
        (0..raw.header.len()).any(|c| raw.rows.iter().zip(&ids).all(|(r, id)| r[c] == *id));
    assert!(by_row || by_column, "labels are not in input row order");
    let segment_of: Vec<Option<usize>> = labels
        .rows
        .iter()
        .map(|r| (!r[1].is_empty()).then(|| r[1].parse().unwrap()))
        .collect();
    let n = raw.rows.len();
    let doc: Value = serde_json::from_str(personas_json).unwrap();
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["n_customers"].as_u64(), Some(n as u64));
    let unassigned = segment_of.iter().filter(|s| s.is_none()).count();
    assert_eq!(doc["unassigned"].as_u64(), Some(unassigned as u64));
    let mut report = Report::default();
    let personas = doc["personas"].as_array().unwrap();
    let n_segments = segment_of.iter().flatten().max().map_or(0, |m| m + 1);
    assert_eq!(personas.len(), n_segments, "one persona per segment");
    for (index, persona) in personas.iter().enumerate() {
        let segment = persona["segment"].as_u64().unwrap() as usize;
        assert_eq!(segment, index, "personas in segment order");
        let members: Vec<bool> = segment_of.iter().map(|s| *s == Some(segment)).collect();
        let size = members.iter().filter(|m| **m).count();
        let p = |what: &str| format!("persona {segment} {what}");
        assert_eq!(persona["size"].as_u64(), Some(size as u64), "{}", p("size"));
        assert_close(&p("share"), size as f64 / n as f64, &persona["share"]);
        report.numbers += 2;
        match persona["value_attribute"].as_str() {
            Some(attribute) => {
                let values = schema.values(raw, attribute).numbers(attribute);
                let total: f64 = values.iter().flatten().sum();
                let part: f64 = values
                    .iter()
                    .zip(&members)
                    .filter(|(_, m)| **m)
                    .filter_map(|(v, _)| *v)
                    .sum();
                let share = if total == 0.0 { 0.0 } else { part / total };
                assert_close(&p("value_share"), share, &persona["value_share"]);
                report.numbers += 1;
            }
            None => assert!(persona["value_share"].is_null()),
        }
        let mut lists: Vec<(&str, &Value)> = Vec::new();
        for list in DESCRIPTIONS.iter().chain(&CLAIMS) {
            for statement in persona[*list].as_array().unwrap() {
                assert!(!statement["text"].as_str().unwrap().is_empty());
                for e in statement["evidence"].as_array().unwrap() {
                    lists.push((list, e));
                }
            }
        }
        for e in persona["buyer_type"]["evidence"].as_array().unwrap() {
            lists.push(("buyer_type", e));
        }
        for (list, e) in lists {
            let effect = check_evidence(raw, schema, &members, e, &mut report);
            if DESCRIPTIONS.contains(&list) {
                continue;
            }
            // A claim: a large enough difference in a large enough segment.
            assert!(size >= MIN_SEGMENT, "{list} in a segment of {size}: {e}");
            let attribute = e["attribute"].as_str().unwrap();
            if schema.is_outcome(attribute) && e["versus"] != "other_customers" {
                // An outcome rate: a marked ratio that is also no chance (>= 3 standard errors).
                let ratio = effect.ratio;
                assert!(
                    ratio >= MIN_LIFT || ratio <= 1.0 / MIN_LIFT,
                    "{list}: outcome ratio {ratio}: {e}"
                );
                assert!(effect.z >= 3.0, "{list}: outcome z {}: {e}", effect.z);
                report.claims += 1;
                continue;
            }
            assert!(
                effect.standardised.abs() >= MIN_EFFECT,
                "{list}: |standardised| {} < {MIN_EFFECT}: {e}",
                effect.standardised
            );
            if let Some(lift) = effect.lift {
                if effect.standardised >= 0.0 {
                    assert!(lift >= MIN_LIFT, "{list}: lift {lift} < {MIN_LIFT}: {e}");
                } else {
                    // An under-represented level: judged by its standardised difference alone.
                    assert!(
                        lift < 1.0,
                        "{list}: under-represented with lift {lift}: {e}"
                    );
                }
            }
            report.claims += 1;
        }
        report.personas += 1;
    }
    if let Some(segments) = doc.get("segments").and_then(Value::as_array) {
        assert_eq!(segments.len(), n_segments);
        for profile in segments {
            check_profile(raw, schema, &segment_of, profile, &mut report);
        }
    }
    report
}

/// A recomputed effect: the standardised difference and, for a level, the lift.
pub struct Effect {
    pub standardised: f64,
    pub lift: Option<f64>,
    /// Segment value over comparison value.
    pub ratio: f64,
    /// |segment - comparison| in standard errors of the segment's value.
    pub z: f64,
}

/// The mean of the known values of `values` in the group.
fn known_in<T: Copy>(values: &[Option<T>], group: &[bool]) -> Vec<T> {
    values
        .iter()
        .zip(group)
        .filter(|(_, g)| **g)
        .filter_map(|(v, _)| *v)
        .collect()
}

/// Recomputes one piece of evidence (`{attribute, level, statistic, segment_value,
/// population_value, effect}`) and returns its effect.
fn check_evidence(
    raw: &RawCsv,
    schema: &SchemaJson,
    members: &[bool],
    e: &Value,
    report: &mut Report,
) -> Effect {
    let attribute = e["attribute"].as_str().unwrap();
    let values = schema.values(raw, attribute);
    // The comparison group: every customer, or (for a mainstream persona) every customer
    // outside the segment.
    let all: Vec<bool> = match e["versus"].as_str().unwrap_or("all_customers") {
        "all_customers" => vec![true; members.len()],
        "other_customers" => members.iter().map(|m| !m).collect(),
        other => panic!("unknown comparison {other}"),
    };
    let what = format!("{attribute} {e}");
    match e["statistic"].as_str().unwrap() {
        statistic @ ("mean" | "median") => {
            assert!(e["level"].is_null(), "{what}");
            let numbers = values.numbers(&what);
            let (seg, pop) = (known_in(&numbers, members), known_in(&numbers, &all));
            let value = |v: &[f64]| {
                if statistic == "mean" {
                    mean(v)
                } else {
                    quantile(v, 0.5)
                }
            };
            assert_close(&what, value(&seg), &e["segment_value"]);
            assert_close(&what, value(&pop), &e["population_value"]);
            // The spread is always that of every customer, whatever the comparison group.
            let sd = sd(&known_in(&numbers, &vec![true; members.len()]));
            let smd = if sd > 0.0 {
                (mean(&seg) - mean(&pop)) / sd
            } else {
                0.0
            };
            assert_close(&what, smd, &e["effect"]);
            report.numbers += 3;
            let (ms, mp) = (mean(&seg), mean(&pop));
            Effect {
                standardised: smd,
                lift: None,
                ratio: ms / mp,
                z: (ms - mp).abs() / (sd / (seg.len() as f64).sqrt()),
            }
        }
        "share" => {
            let level = e["level"].as_str().unwrap();
            let (hits, occurs) = values.has_level(level);
            assert!(occurs, "{what}: the level occurs nowhere in the raw cells");
            let share = |g: &[bool]| {
                let k = known_in(&hits, g);
                k.iter().filter(|h| **h).count() as f64 / k.len() as f64
            };
            let (s, p) = (share(members), share(&all));
            assert_close(&what, s, &e["segment_value"]);
            assert_close(&what, p, &e["population_value"]);
            let lift = if p > 0.0 { s / p } else { 0.0 };
            assert_close(&what, lift, &e["effect"]);
            report.numbers += 3;
            let known = known_in(&hits, members).len() as f64;
            Effect {
                standardised: (s - p) / (p * (1.0 - p)).sqrt(),
                lift: Some(lift),
                ratio: lift,
                z: (s - p).abs() / (p * (1.0 - p) / known).sqrt(),
            }
        }
        other => panic!("unknown statistic {other}"),
    }
}

/// Recomputes a segment profile of the JSON's `segments` array: size, share, value shares, every
/// attribute summary and every distinguishing difference.
fn check_profile(
    raw: &RawCsv,
    schema: &SchemaJson,
    segment_of: &[Option<usize>],
    profile: &Value,
    report: &mut Report,
) {
    let segment = profile["segment"].as_u64().unwrap() as usize;
    let members: Vec<bool> = segment_of.iter().map(|s| *s == Some(segment)).collect();
    let all = vec![true; members.len()];
    let size = members.iter().filter(|m| **m).count();
    assert_eq!(profile["size"].as_u64(), Some(size as u64));
    assert_close(
        "profile share",
        size as f64 / raw.rows.len() as f64,
        &profile["share"],
    );
    for v in profile["value_shares"].as_array().unwrap() {
        let name = v["attribute"].as_str().unwrap();
        let numbers = schema.values(raw, name).numbers(name);
        let (seg, pop): (f64, f64) = (
            known_in(&numbers, &members).iter().sum(),
            known_in(&numbers, &all).iter().sum(),
        );
        assert_close(name, seg, &v["segment_total"]);
        assert_close(name, pop, &v["population_total"]);
        let share = if pop == 0.0 { 0.0 } else { seg / pop };
        assert_close(name, share, &v["share"]);
        report.numbers += 3;
    }
    for a in profile["attributes"].as_array().unwrap() {
        if a["kind"] == "text" {
            continue;
        }
        let name = a["attribute"].as_str().unwrap();
        let values = schema.values(raw, name);
        for (group, summary) in [(&members, &a["segment"]), (&all, &a["population"])] {
            let what = format!("{name} summary of segment {segment}");
            match summary["type"].as_str().unwrap() {
                "numeric" => {
                    let v = known_in(&values.numbers(&what), group);
                    assert_eq!(summary["known"].as_u64(), Some(v.len() as u64), "{what}");
                    assert_close(&what, v.iter().sum(), &summary["sum"]);
                    if v.is_empty() {
                        assert!(summary["mean"].is_null(), "{what}");
                        continue;
                    }
                    let min = v.iter().copied().fold(f64::INFINITY, f64::min);
                    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    for (key, mine) in [
                        ("mean", mean(&v)),
                        ("median", quantile(&v, 0.5)),
                        ("q1", quantile(&v, 0.25)),
                        ("q3", quantile(&v, 0.75)),
                        ("sd", sd(&v)),
                        ("min", min),
                        ("max", max),
                    ] {
                        assert_close(&format!("{what} {key}"), mine, &summary[key]);
                    }
                    report.numbers += 9;
                }
                "levels" => {
                    let mut known = None;
                    for share in summary["shares"].as_array().unwrap() {
                        let level = share["level"].as_str().unwrap();
                        let (hits, _) = values.has_level(level);
                        let k = known_in(&hits, group);
                        let count = k.iter().filter(|h| **h).count();
                        assert_eq!(
                            share["count"].as_u64(),
                            Some(count as u64),
                            "{what} {level}"
                        );
                        let mine = if k.is_empty() {
                            0.0
                        } else {
                            count as f64 / k.len() as f64
                        };
                        assert_close(&format!("{what} {level}"), mine, &share["share"]);
                        known = Some(k.len());
                        report.numbers += 2;
                    }
                    if let Some(k) = known {
                        assert_eq!(summary["known"].as_u64(), Some(k as u64), "{what}");
                    }
                }
                other => panic!("{what}: unknown summary type {other}"),
            }
        }
    }
    for d in profile["distinguishing"].as_array().unwrap() {
        let effect = check_evidence(raw, schema, &members, d, report);
        assert_close("standardised", effect.standardised, &d["standardised"]);
        report.numbers += 1;
    }
}
