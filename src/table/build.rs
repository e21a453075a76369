//! Building a table: cells typed into per-chunk parts, parts merged in order, then levels sorted,
//! derived attributes computed and ids checked.

use crate::dates::DateFormat;
use crate::error::{list_for_message, shorten, Error, Result};
use crate::hash::FastMap;
use crate::input::{parse_number, CsvOptions};
use crate::schema::{AttributeKind, Role, Schema};
use crate::table::Ids;

use super::column::{Codes, Column, Flags, Numbers, TagSets, Validity};
use super::{CustomerTable, Value};

/// The largest magnitude a numeric value may have: sums and squares of customer values must stay
/// finite for means, spreads and scaling to be computed.
pub(crate) const MAX_MAGNITUDE: f64 = 1e150;
const TOO_LARGE: &str = "a number no larger than 1e150 in magnitude";

/// The longest level (or tag) a categorical, ordinal or tags attribute may hold, in bytes: levels
/// are labels, and each is copied into profiles, personas and outputs.
pub const MAX_LEVEL_BYTES: usize = 1_000;
const LEVEL_TOO_LONG: &str = "a level of at most 1,000 bytes (levels are labels; make the column \
                              `ignored` in the schema if it holds free text)";

const NOT_A_NUMBER: &str = "a number; fix the cell, list it in the attribute's \
                            `missing_markers` in the schema to read it as missing, or make the \
                            column categorical (`decimal_comma` sets the decimal mark)";

/// Reads a boolean written as true/false, yes/no, y/n, t/f or 1/0 (any case).
pub(crate) fn parse_bool(text: &str) -> Option<bool> {
    let t = text.trim();
    if t.len() > 5 {
        return None;
    }
    match t.to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "t" | "1" | "1.0" => Some(true),
        "false" | "no" | "n" | "f" | "0" | "0.0" => Some(false),
        _ => None,
    }
}

/// Writes a number as a level name would be written: integers without a decimal point.
fn number_text(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        x.to_string()
    }
}

/// A set of levels, fixed by the schema or learned from the data.
#[derive(Clone)]
struct LevelSet {
    levels: Vec<String>,
    index: FastMap<String, u32>,
    learn: bool,
}

impl LevelSet {
    fn new(declared: &[String]) -> Self {
        LevelSet {
            levels: declared.to_vec(),
            index: declared
                .iter()
                .enumerate()
                .map(|(i, l)| (l.clone(), i as u32))
                .collect(),
            learn: declared.is_empty(),
        }
    }

    fn code(&mut self, level: &str) -> Option<u32> {
        if let Some(&c) = self.index.get(level) {
            return Some(c);
        }
        if !self.learn {
            return None;
        }
        let c = self.levels.len() as u32;
        self.levels.push(level.to_string());
        self.index.insert(level.to_string(), c);
        Some(c)
    }

    /// Sorts learned levels and returns the old-code -> new-code map.
    fn sort_learned(&mut self) -> Option<Vec<u32>> {
        if !self.learn {
            return None;
        }
        let mut order: Vec<usize> = (0..self.levels.len()).collect();
        order.sort_by(|&a, &b| self.levels[a].cmp(&self.levels[b]));
        let mut remap = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            remap[old] = new as u32;
        }
        self.levels = order.iter().map(|&i| self.levels[i].clone()).collect();
        Some(remap)
    }

    /// Codes in `self` for each level of `other`, learning new ones (for merging parts).
    fn absorb(&mut self, other: &LevelSet) -> Vec<u32> {
        other
            .levels
            .iter()
            // A part only holds levels its own set accepted, which this set accepts too.
            .map(|l| self.code(l).unwrap_or(0))
            .collect()
    }
}

/// What the builder makes of each schema attribute.
#[derive(Clone)]
enum Slot {
    Numeric,
    Date(DateFormat),
    Boolean,
    Levels(LevelSet),
    Tags(String, LevelSet),
    Id,
    Omit,
    Derived,
}

/// What every part shares: the schema, and what to do with each attribute.
pub(crate) struct Plan {
    schema: Schema,
    slots: Vec<Slot>,
    /// Schema positions of the attributes read from the input (not derived).
    pub inputs: Vec<usize>,
    options: CsvOptions,
    digit_marker: bool,
}

impl Plan {
    pub(crate) fn new(schema: &Schema, options: CsvOptions) -> Self {
        // An ignored attribute that a formula reads is typed all the same.
        let read_by_formula = |name: &str| {
            schema
                .attributes()
                .iter()
                .filter_map(|a| a.derived.as_ref())
                .any(|f| f.inputs().contains(&name))
        };
        let slots = schema
            .attributes()
            .iter()
            .map(|a| match (&a.role, &a.kind) {
                _ if a.is_derived() => Slot::Derived,
                (Role::Identifier, _) => Slot::Id,
                (Role::Ignored, _) if !read_by_formula(&a.name) => Slot::Omit,
                (_, AttributeKind::Numeric { .. }) => Slot::Numeric,
                (_, AttributeKind::Date { format }) => Slot::Date(*format),
                (_, AttributeKind::Boolean) => Slot::Boolean,
                (_, AttributeKind::Categorical { levels } | AttributeKind::Ordinal { levels }) => {
                    Slot::Levels(LevelSet::new(levels))
                }
                (_, AttributeKind::Tags { separator, levels }) => {
                    Slot::Tags(separator.clone(), LevelSet::new(levels))
                }
            })
            .collect();
        Plan {
            inputs: schema
                .attributes()
                .iter()
                .enumerate()
                .filter(|(_, a)| !a.is_derived())
                .map(|(c, _)| c)
                .collect(),
            digit_marker: options.digit_marker(),
            schema: schema.clone(),
            slots,
            options,
        }
    }

    fn column_name(&self, c: usize) -> String {
        self.schema.attributes()[c].name.clone()
    }

    fn wrong_type(&self, c: usize, row: usize, value: &str, expected: &'static str) -> Error {
        Error::WrongType {
            row,
            column: self.column_name(c),
            value: shorten(value),
            expected,
        }
    }

    fn is_missing(&self, c: usize, text: &str) -> bool {
        if text.is_empty() {
            return true;
        }
        let attribute = &self.schema.attributes()[c];
        let listed =
            |markers: &[String]| markers.iter().any(|m| m.trim().eq_ignore_ascii_case(text));
        if !attribute.missing_markers.is_empty() && listed(&attribute.missing_markers) {
            return true;
        }
        if !self.digit_marker && text.as_bytes()[0].is_ascii_digit() {
            return false;
        }
        self.options.is_missing(text) && !listed(&attribute.not_missing)
    }

    /// An empty part for rows of the input.
    pub(crate) fn part(&self, capacity: usize) -> Part {
        Part {
            columns: self
                .slots
                .iter()
                .map(|slot| Self::cells(slot, capacity))
                .collect(),
            ids: Ids::new(),
            rows: 0,
        }
    }

    /// Empty cells of one attribute, with room for `capacity` customers.
    fn cells(slot: &Slot, capacity: usize) -> Cells {
        match slot {
            Slot::Numeric | Slot::Date(_) => Cells::Numeric(Numbers::with_capacity(capacity)),
            Slot::Boolean => Cells::Boolean(Flags::with_capacity(capacity)),
            Slot::Levels(set) => Cells::Levels(
                set.clone(),
                Vec::with_capacity(capacity),
                Validity::with_capacity(capacity),
            ),
            Slot::Tags(_, set) => Cells::Tags(set.clone(), TagSets::default()),
            Slot::Id | Slot::Omit | Slot::Derived => Cells::Skipped(0),
        }
    }
}

enum Cells {
    Numeric(Numbers),
    Boolean(Flags),
    Levels(LevelSet, Vec<u32>, Validity),
    Tags(LevelSet, TagSets),
    /// Not kept: the count of missing cells.
    Skipped(usize),
}

/// Typed rows of one chunk of the input (or of all of it).
pub(crate) struct Part {
    columns: Vec<Cells>,
    ids: Ids,
    rows: usize,
}

impl Part {
    /// Ends a row (after every input attribute got its cell).
    pub(crate) fn end_row(&mut self) {
        self.rows += 1;
    }

    /// Adds one cell given as text, parsed by the attribute's kind. `row` is 1-based.
    pub(crate) fn push_text(
        &mut self,
        plan: &Plan,
        c: usize,
        row: usize,
        text: &str,
    ) -> Result<()> {
        let text = crate::input::trim_cell(text);
        let missing = plan.is_missing(c, text);
        match (&plan.slots[c], &mut self.columns[c]) {
            (Slot::Id, _) => {
                if missing {
                    return Err(plan.wrong_type(
                        c,
                        row,
                        text,
                        "a customer id (ids cannot be missing)",
                    ));
                }
                self.ids.push(text);
                Ok(())
            }
            (Slot::Omit, Cells::Skipped(count)) => {
                *count += usize::from(missing);
                Ok(())
            }
            (Slot::Omit | Slot::Derived, _) => Ok(()),
            (_, cells) if missing => {
                push_missing(cells);
                Ok(())
            }
            (slot, Cells::Numeric(v)) => {
                let parsed = match slot {
                    Slot::Date(format) => {
                        return match format.parse(text) {
                            Some(day) => {
                                v.push(Some(day));
                                Ok(())
                            }
                            None => Err(plan.wrong_type(c, row, text, date_expected(*format))),
                        }
                    }
                    _ => parse_number(text, plan.schema.attributes()[c].decimal_comma),
                };
                match parsed {
                    Some(x) if x.abs() <= MAX_MAGNITUDE => {
                        v.push(Some(x));
                        Ok(())
                    }
                    Some(x) if x.is_finite() => Err(plan.wrong_type(c, row, text, TOO_LARGE)),
                    Some(_) => Err(Error::NonFinite {
                        row,
                        column: plan.column_name(c),
                        value: shorten(text),
                    }),
                    None => Err(plan.wrong_type(c, row, text, NOT_A_NUMBER)),
                }
            }
            (_, Cells::Boolean(v)) => match parse_bool(text) {
                Some(b) => {
                    v.push(Some(b));
                    Ok(())
                }
                None => Err(plan.wrong_type(c, row, text, "a boolean (true/false, yes/no, 1/0)")),
            },
            (_, Cells::Levels(..)) if text.len() > MAX_LEVEL_BYTES => {
                Err(plan.wrong_type(c, row, text, LEVEL_TOO_LONG))
            }
            (_, Cells::Levels(set, codes, valid)) => match set.code(text) {
                Some(code) => {
                    codes.push(code);
                    valid.push(true);
                    Ok(())
                }
                None => Err(unknown_level(plan, c, row, text, &set.levels)),
            },
            (Slot::Tags(separator, _), Cells::Tags(..)) => {
                self.push_tags(plan, c, row, text.split(separator.as_str()))
            }
            _ => Ok(()),
        }
    }

    /// Adds one customer's tags (blank ones are skipped, repeats kept once).
    fn push_tags<'t>(
        &mut self,
        plan: &Plan,
        c: usize,
        row: usize,
        tags: impl Iterator<Item = &'t str>,
    ) -> Result<()> {
        let Cells::Tags(set, sets) = &mut self.columns[c] else {
            return Ok(());
        };
        let mut codes = Vec::new();
        for tag in tags.map(str::trim).filter(|t| !t.is_empty()) {
            if tag.len() > MAX_LEVEL_BYTES {
                return Err(plan.wrong_type(c, row, tag, LEVEL_TOO_LONG));
            }
            match set.code(tag) {
                Some(code) => codes.push(code),
                None => return Err(unknown_level(plan, c, row, tag, &set.levels)),
            }
        }
        codes.sort_unstable();
        codes.dedup();
        sets.push(Some(&codes));
        Ok(())
    }

    /// Adds one typed cell. `row` is 1-based.
    pub(crate) fn push_value(
        &mut self,
        plan: &Plan,
        c: usize,
        row: usize,
        value: &Value,
    ) -> Result<()> {
        match value {
            Value::Missing => self.push_text(plan, c, row, ""),
            Value::Text(s) => self.push_text(plan, c, row, s),
            Value::Number(x) if !x.is_finite() => Err(Error::NonFinite {
                row,
                column: plan.column_name(c),
                value: x.to_string(),
            }),
            Value::Number(x) => match &mut self.columns[c] {
                Cells::Numeric(v) if matches!(plan.slots[c], Slot::Numeric) => {
                    if x.abs() > MAX_MAGNITUDE {
                        return Err(plan.wrong_type(c, row, &x.to_string(), TOO_LARGE));
                    }
                    v.push(Some(*x));
                    Ok(())
                }
                _ => self.push_text(plan, c, row, &number_text(*x)),
            },
            Value::Bool(b) => match &mut self.columns[c] {
                Cells::Boolean(v) => {
                    v.push(Some(*b));
                    Ok(())
                }
                Cells::Numeric(v) if matches!(plan.slots[c], Slot::Numeric) => {
                    v.push(Some(f64::from(u8::from(*b))));
                    Ok(())
                }
                _ => self.push_text(plan, c, row, if *b { "true" } else { "false" }),
            },
            Value::Tags(tags) => match (&plan.slots[c], &self.columns[c]) {
                // Each element is one tag, taken as it is (an empty list is "no tags").
                (_, Cells::Tags(..)) => {
                    self.push_tags(plan, c, row, tags.iter().map(String::as_str))
                }
                (Slot::Omit | Slot::Id, _) => self.push_text(plan, c, row, &tags.join(";")),
                _ if tags.len() == 1 => self.push_text(plan, c, row, &tags[0]),
                _ => Err(plan.wrong_type(c, row, &tags.join(";"), "a single value, not a list")),
            },
        }
    }
}

fn push_missing(cells: &mut Cells) {
    match cells {
        Cells::Numeric(v) => v.push(None),
        Cells::Boolean(v) => v.push(None),
        Cells::Levels(_, codes, valid) => {
            codes.push(0);
            valid.push(false);
        }
        Cells::Tags(_, sets) => sets.push(None),
        Cells::Skipped(count) => *count += 1,
    }
}

pub(crate) fn date_expected(format: DateFormat) -> &'static str {
    match format {
        DateFormat::Ymd => "a date written yyyy-mm-dd",
        DateFormat::Dmy => "a date written dd-mm-yyyy",
        DateFormat::Mdy => "a date written mm/dd/yyyy",
        DateFormat::YmdCompact => "a date written yyyymmdd",
    }
}

fn unknown_level(plan: &Plan, c: usize, row: usize, value: &str, levels: &[String]) -> Error {
    Error::UnknownLevel {
        row,
        column: plan.column_name(c),
        value: shorten(value),
        known: list_for_message(levels),
    }
}

impl Cells {
    /// Appends `other`'s customers (levels merged, codes remapped).
    fn append(&mut self, other: Cells) {
        match (self, other) {
            (Cells::Numeric(a), Cells::Numeric(b)) => a.append(&b),
            (Cells::Boolean(a), Cells::Boolean(b)) => a.append(&b),
            (Cells::Skipped(a), Cells::Skipped(b)) => *a += b,
            (
                Cells::Levels(set, codes, valid),
                Cells::Levels(other_set, other_codes, other_valid),
            ) => {
                let remap = set.absorb(&other_set);
                codes.extend(
                    other_codes
                        .iter()
                        .map(|&c| remap.get(c as usize).copied().unwrap_or(0)),
                );
                valid.append(&other_valid);
            }
            (Cells::Tags(set, sets), Cells::Tags(other_set, other_sets)) => {
                let remap = set.absorb(&other_set);
                for s in other_sets.iter() {
                    let mapped: Option<Vec<u32>> = s.map(|s| {
                        let mut m: Vec<u32> = s.iter().map(|&c| remap[c as usize]).collect();
                        m.sort_unstable();
                        m
                    });
                    sets.push(mapped.as_deref());
                }
            }
            _ => {}
        }
    }
}

impl Part {
    /// Appends `other`'s rows after this part's (levels merged, codes remapped).
    pub(crate) fn append(&mut self, other: Part) {
        for (mine, theirs) in self.columns.iter_mut().zip(other.columns) {
            mine.append(theirs);
        }
        self.ids.append(other.ids);
        self.rows += other.rows;
    }

    /// The finished table: learned levels sorted, derived attributes computed, ids checked.
    pub(crate) fn finish(self, plan: Plan) -> Result<CustomerTable> {
        let n = self.rows;
        if n == 0 {
            return Err(Error::NoRows);
        }
        let mut schema = plan.schema;
        let mut columns = Vec::with_capacity(self.columns.len());
        for (attribute, cells) in schema.attributes_mut().iter_mut().zip(self.columns) {
            let column = match cells {
                Cells::Numeric(v) => Column::Numeric(v),
                Cells::Boolean(v) => Column::Boolean(v),
                Cells::Skipped(missing) => Column::Omitted { len: n, missing },
                Cells::Levels(mut set, mut codes, valid) => {
                    if let Some(remap) = set.sort_learned() {
                        codes
                            .iter_mut()
                            .for_each(|c| *c = remap.get(*c as usize).copied().unwrap_or(0));
                    }
                    if let AttributeKind::Categorical { levels } = &mut attribute.kind {
                        levels.clone_from(&set.levels);
                    }
                    Column::Levels(Codes::new(set.levels, codes, valid))
                }
                Cells::Tags(mut set, mut sets) => {
                    if let Some(remap) = set.sort_learned() {
                        sets.remap(&remap);
                    }
                    if let AttributeKind::Tags { levels, .. } = &mut attribute.kind {
                        levels.clone_from(&set.levels);
                    }
                    sets.levels = set.levels;
                    Column::Tags(sets)
                }
            };
            columns.push(column);
        }
        let derived: Vec<(usize, Numbers)> = schema
            .attributes()
            .iter()
            .enumerate()
            .filter_map(|(c, a)| {
                let formula = a.derived.as_ref()?;
                let values =
                    formula.compute(n, |name| schema.position(name).and_then(|i| columns.get(i)));
                Some((c, values))
            })
            .collect();
        for (c, values) in derived {
            columns[c] = Column::Numeric(values);
        }
        let ids = match schema.identifier() {
            Some(a) => {
                check_unique(&self.ids, &a.name)?;
                self.ids
            }
            None => Ids::row_numbers(n),
        };
        Ok(CustomerTable {
            schema,
            columns,
            ids,
        })
    }
}

/// The first id that repeats an earlier one is an error naming both rows.
fn check_unique(ids: &Ids, column: &str) -> Result<()> {
    let mut seen: FastMap<&str, usize> = FastMap::default();
    seen.reserve(ids.len());
    for (i, id) in ids.iter().enumerate() {
        if let Some(&first) = seen.get(id) {
            return Err(Error::DuplicateId {
                row: i + 1,
                column: column.to_string(),
                id: shorten(id),
                first_row: first,
            });
        }
        seen.insert(id, i + 1);
    }
    Ok(())
}
