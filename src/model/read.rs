//! Reading new customers for a saved model: which columns a newer file must have, which it may
//! lack, and the date durations (days since, ages) are measured to.

use std::io::{BufRead, BufReader};
use std::path::Path;

use crate::dates::{civil, iso, DateFormat};
use crate::derive::Derived;
use crate::error::{Error, Result};
use crate::input::CsvOptions;
use crate::schema::{AttributeKind, Role, Schema};
use crate::table::{Column, CustomerTable};

use super::PersonaModel;

/// What the durations of new customers (days since a date, ages) are measured to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum DurationsTo {
    /// The reference date the model was drafted with: a training customer read again gets
    /// exactly the values it had.
    Training,
    /// The newest date in the new file among the dates that durations are counted from (the
    /// past events: first and last purchases, sign-up dates), as the model's reference date was
    /// found in the training file; the training reference when the file has none. A snapshot a
    /// quarter later is then measured a quarter later, as it should be.
    #[default]
    NewestDate,
    /// This date, `yyyy-mm-dd`.
    Date(String),
}

/// New customers read for a model, and the date their durations were measured to.
#[derive(Debug, Clone)]
pub struct NewCustomers {
    /// The customers, with the model's reading schema narrowed to the file's columns.
    pub table: CustomerTable,
    /// The reference date the durations were measured to, when the model has durations.
    pub reference: Option<String>,
    /// Attributes of the model's schema the file does not have and the model does not need
    /// (outcomes, value measures, descriptors, the identifier): left out, and named here.
    pub left_out: Vec<String>,
    /// Category levels read as the model's spelling of them (see
    /// [`PersonaModel::respell_levels`]), one note per attribute.
    pub respelled: Vec<String>,
}

impl PersonaModel {
    /// The schema to read the columns `header` with: [`PersonaModel::reading_schema`] without
    /// the attributes the file lacks and the model does not need (everything but the encoded
    /// attributes and what their formulas read: outcomes, value measures, descriptors, ignored
    /// columns, the identifier, whose absence numbers the customers by row instead). An encoded
    /// attribute the file lacks stays, so that reading names it.
    pub fn reading_schema_for(&self, header: &[String]) -> Schema {
        let schema = self.reading_schema();
        let present = |name: &str| header.iter().any(|h| h == name);
        let mut needed: Vec<String> = self
            .encoder
            .encoded_attributes()
            .map(str::to_string)
            .collect();
        // What the formulas of needed attributes read is needed too (formulas may nest).
        let mut i = 0;
        while i < needed.len() {
            if let Some(formula) = schema.get(&needed[i]).and_then(|a| a.derived.as_ref()) {
                for input in formula.inputs() {
                    if !needed.iter().any(|n| n == input) {
                        needed.push(input.to_string());
                    }
                }
            }
            i += 1;
        }
        let keep = |a: &crate::schema::Attribute| -> bool {
            needed.contains(&a.name)
                || match &a.derived {
                    Some(formula) => formula.inputs().iter().all(|n| present(n)),
                    None => present(&a.name),
                }
        };
        let attributes = schema
            .attributes()
            .iter()
            .filter(|a| keep(a))
            .cloned()
            .collect();
        // Dropping whole attributes keeps every rule of a valid schema; fall back to the full
        // reading schema (whose reading then names what is missing) if it did not.
        Schema::new(attributes).unwrap_or(schema)
    }

    /// Reads new customers from a CSV file for [`PersonaModel::assign`] or a drift comparison:
    /// with [`PersonaModel::reading_schema_for`] the file's header, and durations measured as
    /// `durations` says.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read, [`Error::InvalidParameter`] for a reference
    /// date that is not `yyyy-mm-dd`, and the errors of [`CustomerTable::from_csv_path`]
    /// (among them [`Error::MissingColumn`] for a column the model needs).
    pub fn read_csv(
        &self,
        path: impl AsRef<Path>,
        options: &CsvOptions,
        durations: &DurationsTo,
    ) -> Result<NewCustomers> {
        let path = path.as_ref();
        let header = csv_header(path, options)?;
        let base = self.reading_schema_for(&header);
        let left_out = self
            .schema
            .attributes()
            .iter()
            .filter(|a| base.get(&a.name).is_none())
            .map(|a| a.name.clone())
            .collect();
        let training = training_reference(&base);
        let reference = match durations {
            DurationsTo::Training => training.clone(),
            DurationsTo::Date(date) => {
                if DateFormat::Ymd.parse(date).is_none() {
                    return Err(Error::InvalidParameter {
                        name: "reference date",
                        value: crate::error::shorten(date),
                        reason: "write the reference date as yyyy-mm-dd",
                    });
                }
                Some(date.clone())
            }
            DurationsTo::NewestDate => None,
        };
        let schema = match &reference {
            Some(date) => with_reference(&base, date),
            None => base.clone(),
        };
        let mut table = CustomerTable::from_csv_path(path, &schema, options)?;
        if reference.is_some() || training.is_none() {
            let respelled = self.respell_levels(&mut table);
            return Ok(NewCustomers {
                table,
                reference,
                left_out,
                respelled,
            });
        }
        // The newest past-event date in the file: read once with the training reference, then
        // again with the newest date when it differs.
        let newest = newest_event_date(&table, &base);
        match newest {
            Some(date) if Some(&date) != training.as_ref() => {
                let mut table =
                    CustomerTable::from_csv_path(path, &with_reference(&base, &date), options)?;
                let respelled = self.respell_levels(&mut table);
                Ok(NewCustomers {
                    table,
                    reference: Some(date),
                    left_out,
                    respelled,
                })
            }
            _ => {
                let respelled = self.respell_levels(&mut table);
                Ok(NewCustomers {
                    table,
                    reference: training,
                    left_out,
                    respelled,
                })
            }
        }
    }

    /// Reads category and tag levels the model never saw as the model's own spelling of them
    /// when they differ from exactly one known level only in case, spaces or punctuation at
    /// their ends (`<=50K.` for `<=50K`, `Yes ` or `yes` for `Yes`); returns one note per
    /// attribute changed, naming what was read as what. Levels that match no known level, or
    /// more than one, are left as they are (they count as none of the known ones).
    ///
    /// [`PersonaModel::read_csv`] does this for every file it reads. The SQL query of
    /// [`crate::sql`] compares levels exactly, so a warehouse table should hold the model's
    /// spelling.
    pub fn respell_levels(&self, table: &mut CustomerTable) -> Vec<String> {
        let mut notes = Vec::new();
        for fitted in self.encoder.fitted_attributes() {
            let Some(known) = fitted.encoding.levels() else {
                continue;
            };
            let Some(column) = table.column_mut(&fitted.name) else {
                continue;
            };
            let levels = match &*column {
                Column::Levels(codes) => codes.levels(),
                Column::Tags(tags) => tags.levels(),
                _ => continue,
            };
            let (renamed, read_as) = respelled(levels, known);
            if read_as.is_empty() {
                continue;
            }
            // New dictionary: each level once, in first-appearance order; codes remapped.
            let mut dictionary: Vec<String> = Vec::new();
            let mut index: crate::hash::FastMap<&str, u32> = Default::default();
            let remap: Vec<u32> = renamed
                .iter()
                .map(|l| {
                    *index.entry(l.as_str()).or_insert_with(|| {
                        dictionary.push(l.clone());
                        (dictionary.len() - 1) as u32
                    })
                })
                .collect();
            *column = match &*column {
                Column::Levels(codes) => Column::Levels(crate::table::Codes::from_options(
                    dictionary,
                    codes.iter().map(|c| c.map(|c| remap[c as usize])).collect(),
                )),
                Column::Tags(tags) => Column::Tags(crate::table::TagSets::from_options(
                    dictionary,
                    tags.iter()
                        .map(|s| s.map(|s| s.iter().map(|&c| remap[c as usize]).collect()))
                        .collect(),
                )),
                other => other.clone(),
            };
            let mut pairs = read_as
                .iter()
                .take(3)
                .map(|(from, to)| {
                    format!(
                        "`{}` as `{}`",
                        crate::error::shorten(from),
                        crate::error::shorten(to)
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            if read_as.len() > 3 {
                pairs.push_str(&format!(" and {} more", read_as.len() - 3));
            }
            notes.push(format!(
                "`{}`: read {pairs}, the model's spelling (they differ only in case, spaces or \
                 end punctuation)",
                fitted.name
            ));
        }
        notes
    }
}

/// A level as [`PersonaModel::respell_levels`] compares it: lower case, no spaces, no
/// punctuation at either end.
fn loose(level: &str) -> String {
    let ends: &[char] = &['.', ',', ';', ':', '!', '?', '\'', '"', '`'];
    level
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .trim_matches(ends)
        .to_lowercase()
}

/// Each table level, or the known level it loosely matches when it is not known itself and
/// matches exactly one; and the (level, known level) pairs so read.
fn respelled(levels: &[String], known: &[String]) -> (Vec<String>, Vec<(String, String)>) {
    let mut by_loose: crate::hash::FastMap<String, Option<&String>> = Default::default();
    for k in known {
        by_loose
            .entry(loose(k))
            .and_modify(|e| *e = None)
            .or_insert(Some(k));
    }
    let exact: crate::hash::FastSet<&str> = known.iter().map(String::as_str).collect();
    let mut read_as = Vec::new();
    let renamed = levels
        .iter()
        .map(|l| {
            if exact.contains(l.as_str()) {
                return l.clone();
            }
            match by_loose.get(&loose(l)) {
                Some(Some(k)) if !loose(l).is_empty() => {
                    read_as.push((l.clone(), (*k).clone()));
                    (*k).clone()
                }
                _ => l.clone(),
            }
        })
        .collect();
    (renamed, read_as)
}

/// The reference date of the schema's durations (the first `days_since` or `age_at` formula's),
/// if it has any.
fn training_reference(schema: &Schema) -> Option<String> {
    schema.attributes().iter().find_map(|a| match &a.derived {
        Some(Derived::DaysSince { reference, .. } | Derived::AgeAt { reference, .. }) => {
            Some(reference.clone())
        }
        _ => None,
    })
}

/// The schema with every duration measured to `date`: days since and ages to the date, years
/// since to its year.
fn with_reference(schema: &Schema, date: &str) -> Schema {
    let year = DateFormat::Ymd.parse(date).map(|day| civil(day).0 as f64);
    let attributes = schema
        .attributes()
        .iter()
        .cloned()
        .map(|mut a| {
            match &mut a.derived {
                Some(Derived::DaysSince { reference, .. } | Derived::AgeAt { reference, .. }) => {
                    *reference = date.to_string();
                }
                Some(Derived::YearsSince { reference, .. }) => {
                    if let Some(year) = year {
                        *reference = year;
                    }
                }
                _ => {}
            }
            a
        })
        .collect();
    Schema::new(attributes).unwrap_or_else(|_| schema.clone())
}

/// The newest date, `yyyy-mm-dd`, among the columns that `days_since` durations are counted
/// from (past events; birth dates, which give ages, are not).
fn newest_event_date(table: &CustomerTable, schema: &Schema) -> Option<String> {
    let mut newest = f64::NEG_INFINITY;
    for a in schema.attributes() {
        let Some(Derived::DaysSince { of, .. }) = &a.derived else {
            continue;
        };
        let is_date = schema.get(of).is_some_and(|d| {
            matches!(d.kind, AttributeKind::Date { .. }) && d.role != Role::Identifier
        });
        if let (true, Some(Column::Numeric(days))) = (is_date, table.column(of)) {
            for day in days.iter().flatten() {
                newest = newest.max(day);
            }
        }
    }
    newest.is_finite().then(|| iso(newest.floor()))
}

/// The column names of a CSV file's header (or the names given for a header-less file), with
/// the delimiter detected as the readers detect it.
fn csv_header(path: &Path, options: &CsvOptions) -> Result<Vec<String>> {
    if let (false, Some(names)) = (options.has_header(), options.column_names()) {
        return Ok(names.to_vec());
    }
    let file = crate::input::open(path)?;
    let mut reader = BufReader::new(crate::input::SkipLines::new(file, options.skip_lines()));
    let head = reader.fill_buf().map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let delimiter = options
        .delimiter()
        .unwrap_or_else(|| crate::input::detect_delimiter(head, options.comment()));
    let mut csv = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut record = csv::StringRecord::new();
    if !csv.read_record(&mut record)? {
        return Err(Error::EmptyInput);
    }
    Ok(if options.has_header() {
        record
            .iter()
            .enumerate()
            .map(|(i, h)| {
                let h = if i == 0 {
                    h.trim_start_matches('\u{feff}')
                } else {
                    h
                };
                crate::input::header_name(h, i)
            })
            .collect()
    } else {
        (1..=record.len()).map(|i| format!("column_{i}")).collect()
    })
}

/// A categorical or tags attribute of newer customers holding values a model never saw.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct UnseenValues {
    /// The attribute.
    pub(crate) attribute: String,
    /// Customers holding at least one unseen value.
    pub(crate) customers: usize,
    /// Customers with a value (not missing).
    pub(crate) with_value: usize,
    /// Up to three of the unseen values, quoted, and how many more.
    pub(crate) examples: String,
}

impl UnseenValues {
    /// Most customers with a value hold an unseen one: more likely a change of coding (a renamed
    /// level, a suffix, another language) than new customers.
    pub(crate) fn recoded(&self) -> bool {
        self.customers > 0 && 2 * self.customers >= self.with_value
    }
}

impl PersonaModel {
    /// What a user should know about the customers handed to [`PersonaModel::assign`]: for each
    /// attribute the model clusters on, how many customers lack a value (the encoder fills it
    /// in, so the assignment rests on less) and how many hold a category or tag the model never
    /// saw (counted as none of the known ones), said louder when most do, since that is more
    /// likely a change of coding than new customers. Empty when there is nothing to say.
    pub fn assignment_notes(&self, customers: &CustomerTable) -> Vec<String> {
        let n = customers.n_customers();
        if n == 0 {
            return Vec::new();
        }
        let percent = |k: usize| 100.0 * k as f64 / n as f64;
        let unseen = self.unseen_values(customers);
        let mut notes = Vec::new();
        for fitted in self.encoder.fitted_attributes() {
            let name = fitted.name.as_str();
            let Some(column) = customers.column(name) else {
                continue;
            };
            let missing = column.missing_count();
            if missing == n {
                notes.push(format!(
                    "`{name}` has no value for any customer: the model fills in its training \
                     value for everyone, so it does not tell the customers apart"
                ));
            } else if missing > 0 {
                notes.push(format!(
                    "`{name}` is missing for {missing} customers ({:.1}%): filled in as in \
                     training",
                    percent(missing)
                ));
            }
            let Some(u) = unseen.iter().find(|u| u.attribute == name) else {
                continue;
            };
            let count = u.customers;
            notes.push(if u.recoded() {
                format!(
                    "`{name}` holds values the model never saw for {count} of the {} customers \
                     with a value ({}): most likely its coding changed (a renamed level, a \
                     suffix such as a trailing dot); they count as none of the known ones, so \
                     results on `{name}` say more about the coding than about the customers",
                    u.with_value, u.examples
                )
            } else {
                format!(
                    "`{name}` holds values the model never saw for {count} customers ({:.1}%: \
                     {}): they count as none of the known ones",
                    percent(count),
                    u.examples
                )
            });
        }
        notes
    }

    /// The clustered categorical and tags attributes of `customers` that hold values the model
    /// never saw, in the encoder's order.
    pub(crate) fn unseen_values(&self, customers: &CustomerTable) -> Vec<UnseenValues> {
        let n = customers.n_customers();
        let mut found = Vec::new();
        for fitted in self.encoder.fitted_attributes() {
            let Some(column) = customers.column(&fitted.name) else {
                continue;
            };
            let Some(known) = fitted.encoding.levels() else {
                continue;
            };
            let unseen_levels = |levels: &[String]| -> Vec<bool> {
                levels.iter().map(|l| !known.contains(l)).collect()
            };
            let (count, examples) = match column {
                Column::Levels(codes) => {
                    let unseen = unseen_levels(codes.levels());
                    let count = codes
                        .iter()
                        .flatten()
                        .filter(|&c| unseen[c as usize])
                        .count();
                    (count, examples_of(codes.levels(), &unseen))
                }
                Column::Tags(tags) => {
                    let unseen = unseen_levels(tags.levels());
                    let count = (0..n)
                        .filter(|&i| {
                            tags.get(i)
                                .is_some_and(|t| t.iter().any(|&c| unseen[c as usize]))
                        })
                        .count();
                    (count, examples_of(tags.levels(), &unseen))
                }
                _ => continue,
            };
            if count > 0 {
                found.push(UnseenValues {
                    attribute: fitted.name.clone(),
                    customers: count,
                    with_value: n - column.missing_count(),
                    examples,
                });
            }
        }
        found
    }
}

/// Up to three of the flagged levels, shortened and quoted, and how many more.
fn examples_of(levels: &[String], flagged: &[bool]) -> String {
    let all: Vec<&String> = levels
        .iter()
        .zip(flagged)
        .filter(|(_, &f)| f)
        .map(|(l, _)| l)
        .collect();
    let mut text = all
        .iter()
        .take(3)
        .map(|l| format!("`{}`", crate::error::shorten(l)))
        .collect::<Vec<_>>()
        .join(", ");
    if all.len() > 3 {
        text.push_str(&format!(" and {} more", all.len() - 3));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::respelled;

    fn strings(levels: &[&str]) -> Vec<String> {
        levels.iter().map(|l| l.to_string()).collect()
    }

    #[test]
    fn a_level_is_respelled_only_onto_the_one_known_level_it_loosely_matches() {
        let known = strings(&["<=50K", ">50K", "Yes", "yes.", "north"]);
        let (renamed, read_as) = respelled(
            &strings(&["<=50K.", " >50k ", "YES", "north", "south", "."]),
            &known,
        );
        // `YES` matches both `Yes` and `yes.`: ambiguous, left as it is; `.` is empty once
        // loosened; `south` matches nothing.
        assert_eq!(renamed, ["<=50K", ">50K", "YES", "north", "south", "."]);
        assert_eq!(
            read_as,
            [
                ("<=50K.".to_string(), "<=50K".to_string()),
                (" >50k ".to_string(), ">50K".to_string())
            ]
        );
    }
}
