//! Reading order lines: the layout of the file, which column plays which part (from the names,
//! checked against the values of the first lines), and every line parsed into a compact record.

use std::io::{BufRead, BufReader, Cursor, Read};

use super::vocab::NAMES;
use super::{ColumnChoice, ColumnRole, TransactionFormat, TransactionOptions};
use crate::dates::DateFormat;
use crate::error::{list_for_message, Error, Result};
use crate::hash::FastMap;
use crate::input::{decimal_comma_column, detect_delimiter, parse_number, trim_cell, CsvOptions};
use crate::table::{date_expected, parse_bool, MAX_MAGNITUDE};

/// Bytes read ahead to recognise the layout and the columns.
const HEAD_BYTES: usize = 1 << 18;
/// Lines of the head whose values check the columns' types.
const SAMPLE_LINES: usize = 1_000;
/// Lines per chunk of a whitespace-separated file.
const WHITESPACE_CHUNK: usize = 1 << 16;

const AMOUNT_EXPECTED: &str = "a number (the value of the order line)";
const QUANTITY_EXPECTED: &str = "a number (the quantity of the order line)";
const DISCOUNT_EXPECTED: &str = "a number (discounted when above 0) or yes/no";

/// One order line, parsed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Line {
    /// The customer id: a byte range of [`Chunk::ids`].
    pub id: (usize, usize),
    /// The day number.
    pub day: f64,
    pub amount: f64,
    /// A hash of the order id, when the file has one and the cell is not missing.
    pub order: Option<u64>,
    pub quantity: Option<f64>,
    pub discounted: Option<bool>,
    /// Indices into [`Chunk::categories`] and [`Chunk::channels`].
    pub category: Option<u32>,
    pub channel: Option<u32>,
}

/// The parsed lines of a run of the file, in file order.
#[derive(Debug, Default)]
pub(crate) struct Chunk {
    pub ids: String,
    pub lines: Vec<Line>,
    pub categories: Vec<String>,
    pub channels: Vec<String>,
    category_index: FastMap<String, u32>,
    channel_index: FastMap<String, u32>,
    /// Data lines read (kept or not).
    pub read: usize,
    /// Lines left out for a missing customer, date or amount.
    pub missing: [usize; 3],
    pub zero_quantity: usize,
}

fn intern(levels: &mut Vec<String>, index: &mut FastMap<String, u32>, level: &str) -> u32 {
    if let Some(&i) = index.get(level) {
        return i;
    }
    let i = levels.len() as u32;
    levels.push(level.to_string());
    index.insert(level.to_string(), i);
    i
}

/// A 64-bit key of an order id's text: the same text gives the same key; different texts of
/// one customer share a key with odds of about 2^-64.
fn order_key(text: &str) -> u64 {
    let mut state = crate::rng::splitmix64(text.len() as u64);
    for chunk in text.as_bytes().chunks(8) {
        let mut word = [0u8; 8];
        word[..chunk.len()].copy_from_slice(chunk);
        state = crate::rng::splitmix64(state ^ u64::from_le_bytes(word));
    }
    state
}

/// The words of a column name, for matching.
fn name_words(name: &str) -> Vec<String> {
    crate::text::words(name)
}

/// How a file is laid out and what each column is.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    pub format: TransactionFormat,
    pub delimiter: Option<u8>,
    pub header: Vec<String>,
    /// The column of each role ([`ColumnRole::ALL`] order).
    pub chosen: [Option<usize>; 8],
    pub choices: Vec<ColumnChoice>,
    pub date_format: DateFormat,
    pub ambiguous: bool,
    /// Whether numbers are written with a decimal comma, per role.
    decimal_comma: [bool; 8],
    csv: CsvOptions,
    /// Whether a missing marker starts with a digit.
    digit_marker: bool,
}

/// The first lines of a file: the header and trimmed cells.
struct Head {
    format: TransactionFormat,
    delimiter: Option<u8>,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Layout {
    /// Reads the head of the input, recognises the layout and columns, and returns them with a
    /// reader that yields the whole input again.
    pub(crate) fn open<R: Read>(
        reader: R,
        options: &TransactionOptions,
    ) -> Result<(Self, impl Read)> {
        let mut reader = crate::input::SkipLines::new(reader, options.csv().skip_lines());
        let mut head = Vec::with_capacity(HEAD_BYTES);
        (&mut reader)
            .take(HEAD_BYTES as u64)
            .read_to_end(&mut head)
            .map_err(|e| Error::Csv(csv::Error::from(e)))?;
        let truncated = head.len() == HEAD_BYTES;
        let parsed = read_head(&head, truncated, options)?;
        let layout = Self::recognise(parsed, options)?;
        Ok((layout, Cursor::new(head).chain(reader)))
    }

    fn recognise(head: Head, options: &TransactionOptions) -> Result<Self> {
        let csv = options.csv().clone();
        let n = head.header.len();
        let cells = |c: usize| -> Vec<(usize, &str)> {
            head.rows
                .iter()
                .enumerate()
                .filter_map(|(i, r)| r.get(c).map(|cell| (i + 1, cell.as_str())))
                .filter(|(_, cell)| !csv.is_missing(cell))
                .collect()
        };
        let semicolons = head.delimiter == Some(b';');
        let decimal_comma_of =
            |c: usize| decimal_comma_column(cells(c).iter().map(|(_, s)| *s), semicolons);
        // A column fits a part when at least half its first values read as that part's type; the
        // others are reported, with their row, when the whole file is read.
        let mostly = |c: usize, reads: &dyn Fn(&str) -> bool| {
            let values = cells(c);
            let read = values.iter().filter(|(_, s)| reads(s)).count();
            read > 0 && read * 2 >= values.len()
        };
        let formats: Vec<DateFormat> = match options.date_format {
            Some(f) => vec![f],
            None => vec![
                DateFormat::Ymd,
                DateFormat::Dmy,
                DateFormat::Mdy,
                DateFormat::YmdCompact,
            ],
        };
        let is_date = |s: &str| formats.iter().any(|f| f.parse(s).is_some());
        // The format of the values that read as dates in some format.
        let dates = |c: usize| -> Option<(DateFormat, bool)> {
            let values: Vec<&str> = cells(c)
                .iter()
                .map(|(_, s)| *s)
                .filter(|s| is_date(s))
                .collect();
            if values.is_empty() {
                return None;
            }
            match options.date_format {
                Some(f) => Some((f, false)),
                None => crate::dates::detect(&values),
            }
        };
        let fits = |role: ColumnRole, c: usize| {
            let comma = decimal_comma_of(c);
            match role {
                ColumnRole::Date => mostly(c, &is_date) && dates(c).is_some(),
                ColumnRole::Amount | ColumnRole::Quantity => {
                    mostly(c, &|s| parse_number(s, comma).is_some())
                }
                ColumnRole::Discount => mostly(c, &|s| {
                    parse_number(s, comma).is_some() || parse_bool(s).is_some()
                }),
                _ => true,
            }
        };
        let words: Vec<Vec<String>> = head.header.iter().map(|h| name_words(h)).collect();
        let mut chosen: [Option<usize>; 8] = [None; 8];
        let mut choices = Vec::new();
        // Columns named by the caller first, so recognition never takes them for another part.
        for role in ColumnRole::ALL {
            if let Some(name) = options.column(role) {
                let Some(c) = head.header.iter().position(|h| h == name) else {
                    return Err(Error::NamedColumnMissing {
                        role: role.as_str(),
                        column: name.to_string(),
                        found: list_for_message(&head.header),
                    });
                };
                chosen[role.index()] = Some(c);
                choices.push(ColumnChoice {
                    role,
                    column: name.to_string(),
                    reason: "named by the caller".into(),
                });
            }
        }
        for names in &NAMES {
            let role = names.role;
            if chosen[role.index()].is_some() {
                continue;
            }
            let taken: Vec<usize> = chosen.iter().flatten().copied().collect();
            // Best: the earliest pattern, then the fewest extra words, then the first column.
            let best = (0..n)
                .filter(|c| !taken.contains(c))
                .filter(|&c| !words[c].iter().any(|w| names.unless.contains(&w.as_str())))
                .filter_map(|c| {
                    let p = names
                        .patterns
                        .iter()
                        .position(|p| p.iter().all(|w| words[c].iter().any(|cw| cw == w)))?;
                    Some((p, words[c].len() - names.patterns[p].len(), c))
                })
                .filter(|&(_, _, c)| fits(role, c))
                .min();
            let found = best.map(|(_, _, c)| {
                (
                    c,
                    format!(
                        "named like {} {}",
                        if role == ColumnRole::Amount || role == ColumnRole::OrderId {
                            "an"
                        } else {
                            "a"
                        },
                        role.as_str()
                    ),
                )
            });
            // A date column may also be recognised from its values alone.
            let found = found.or_else(|| {
                (role == ColumnRole::Date)
                    .then(|| {
                        (0..n)
                            .filter(|c| !taken.contains(c))
                            .find(|&c| fits(ColumnRole::Date, c))
                    })
                    .flatten()
                    .map(|c| (c, "its values all read as dates".to_string()))
            });
            match found {
                Some((c, why)) => {
                    let check = match role {
                        ColumnRole::Date => "; its values read as dates",
                        ColumnRole::Amount | ColumnRole::Quantity => "; its values are numbers",
                        _ => "",
                    };
                    chosen[role.index()] = Some(c);
                    choices.push(ColumnChoice {
                        role,
                        column: head.header[c].clone(),
                        reason: if why.starts_with("named") {
                            format!("{why}{check}")
                        } else {
                            why
                        },
                    });
                }
                None if role.index() < 3 => {
                    return Err(Error::NoTransactionColumn {
                        role: role.as_str(),
                        found: list_for_message(&head.header),
                    })
                }
                None => {}
            }
        }
        choices.sort_by_key(|c| c.role.index());
        let date_column = chosen[ColumnRole::Date.index()].unwrap_or_default();
        // Values that read in no format (or in formats that disagree) are reported by the
        // full read, with their row.
        let (date_format, ambiguous) =
            dates(date_column).unwrap_or((options.date_format.unwrap_or(DateFormat::Ymd), false));
        let mut decimal_comma = [false; 8];
        for role in [
            ColumnRole::Amount,
            ColumnRole::Quantity,
            ColumnRole::Discount,
        ] {
            if let Some(c) = chosen[role.index()] {
                decimal_comma[role.index()] = decimal_comma_of(c);
            }
        }
        Ok(Layout {
            format: head.format,
            delimiter: head.delimiter,
            header: head.header,
            chosen,
            choices,
            date_format,
            ambiguous,
            decimal_comma,
            digit_marker: csv.digit_marker(),
            csv,
        })
    }

    /// Whether the file has a column for `role`.
    pub(crate) fn has(&self, role: ColumnRole) -> bool {
        self.chosen[role.index()].is_some()
    }

    /// Reads every line of `input` (the whole file) and hands the parsed chunks to `on_chunk`
    /// in file order.
    pub(crate) fn read<R: Read>(
        &self,
        input: R,
        options: &TransactionOptions,
        mut on_chunk: impl FnMut(Chunk) -> Result<()> + Send,
    ) -> Result<()> {
        match self.format {
            TransactionFormat::Whitespace => self.read_whitespace(input, options, on_chunk),
            _ => {
                let mut csv = options.csv().clone();
                if let Some(d) = self.delimiter {
                    csv = csv.with_delimiter(d);
                }
                crate::table::csv::read_chunked(
                    input,
                    &csv,
                    |_| Ok(()),
                    |rows| {
                        let mut chunk = Chunk::default();
                        chunk.lines.reserve(rows.len_hint());
                        rows.for_each_bytes(|row, record| {
                            self.parse_line(row, &mut chunk, |c| {
                                let bytes = record.get(c).unwrap_or_default();
                                std::str::from_utf8(bytes).map_err(|_| Error::NotUtf8 {
                                    row,
                                    column: self.header[c].clone(),
                                })
                            })
                        })?;
                        Ok(chunk)
                    },
                    &mut on_chunk,
                )?;
                Ok(())
            }
        }
    }

    fn read_whitespace<R: Read>(
        &self,
        input: R,
        options: &TransactionOptions,
        mut on_chunk: impl FnMut(Chunk) -> Result<()> + Send,
    ) -> Result<()> {
        let mut reader = BufReader::with_capacity(1 << 16, input);
        let mut buffer = Vec::new();
        let mut chunk = Chunk::default();
        let mut header_pending = options.csv().has_header();
        let comment = options.csv().comment();
        let mut row = 0;
        // Byte ranges of the fields of the current line.
        let mut fields: Vec<(usize, usize)> = Vec::with_capacity(self.header.len());
        loop {
            buffer.clear();
            let n = reader
                .read_until(b'\n', &mut buffer)
                .map_err(|e| Error::Csv(csv::Error::from(e)))?;
            if n == 0 {
                break;
            }
            if comment.is_some_and(|c| buffer.first() == Some(&c)) {
                continue;
            }
            fields.clear();
            let mut start = None;
            for (i, b) in buffer.iter().enumerate() {
                match (b.is_ascii_whitespace(), start) {
                    (true, Some(s)) => {
                        fields.push((s, i));
                        start = None;
                    }
                    (false, None) => start = Some(i),
                    _ => {}
                }
            }
            if let Some(s) = start {
                fields.push((s, buffer.len()));
            }
            if fields.is_empty() {
                continue;
            }
            if header_pending {
                header_pending = false;
                continue;
            }
            row += 1;
            if fields.len() != self.header.len() {
                return Err(Error::RaggedRow {
                    row,
                    expected: self.header.len(),
                    found: fields.len(),
                });
            }
            self.parse_line(row, &mut chunk, |c| {
                let (a, b) = fields[c];
                std::str::from_utf8(&buffer[a..b]).map_err(|_| Error::NotUtf8 {
                    row,
                    column: self.header[c].clone(),
                })
            })?;
            if chunk.read >= WHITESPACE_CHUNK {
                on_chunk(std::mem::take(&mut chunk))?;
            }
        }
        if row == 0 {
            return Err(if options.csv().has_header() {
                Error::NoRows
            } else {
                Error::EmptyInput
            });
        }
        on_chunk(chunk)
    }

    /// Parses one line (its cells from `cell`, by column) into `chunk`, or counts why it is
    /// left out. Every cell present is checked, whether the line is kept or not.
    fn parse_line<'a>(
        &self,
        row: usize,
        chunk: &mut Chunk,
        cell: impl Fn(usize) -> Result<&'a str>,
    ) -> Result<()> {
        chunk.read += 1;
        let get = |role: ColumnRole| -> Result<Option<(usize, &'a str)>> {
            match self.chosen[role.index()] {
                None => Ok(None),
                Some(c) => {
                    let text = trim_cell(cell(c)?);
                    // A cell starting with a digit is never missing unless a marker does too.
                    let digit = text.as_bytes().first().is_some_and(u8::is_ascii_digit);
                    let missing = (!digit || self.digit_marker) && self.csv.is_missing(text);
                    Ok((!missing).then_some((c, text)))
                }
            }
        };
        let wrong = |c: usize, value: &str, expected: &'static str| Error::WrongType {
            row,
            column: self.header[c].clone(),
            value: value.to_string(),
            expected,
        };
        let number = |role: ColumnRole, expected: &'static str| -> Result<Option<f64>> {
            match get(role)? {
                None => Ok(None),
                Some((c, text)) => parse_number(text, self.decimal_comma[role.index()])
                    .filter(|x| x.is_finite() && x.abs() <= MAX_MAGNITUDE)
                    .map(Some)
                    .ok_or_else(|| wrong(c, text, expected)),
            }
        };
        let customer = get(ColumnRole::Customer)?;
        let day = match get(ColumnRole::Date)? {
            None => None,
            Some((c, text)) => Some(
                self.date_format
                    .parse(text)
                    .ok_or_else(|| wrong(c, text, date_expected(self.date_format)))?,
            ),
        };
        let amount = number(ColumnRole::Amount, AMOUNT_EXPECTED)?;
        let quantity = number(ColumnRole::Quantity, QUANTITY_EXPECTED)?;
        let discounted = match get(ColumnRole::Discount)? {
            None => None,
            Some((c, text)) => Some(
                match parse_number(text, self.decimal_comma[ColumnRole::Discount.index()]) {
                    Some(x) if x.is_finite() => x > 0.0,
                    _ => parse_bool(text).ok_or_else(|| wrong(c, text, DISCOUNT_EXPECTED))?,
                },
            ),
        };
        let order = get(ColumnRole::OrderId)?.map(|(_, t)| order_key(t));
        let category = get(ColumnRole::Category)?.map(|(_, t)| t);
        let channel = get(ColumnRole::Channel)?.map(|(_, t)| t);
        let (Some((_, customer)), Some(day), Some(amount)) = (customer, day, amount) else {
            let which = if customer.is_none() {
                0
            } else if day.is_none() {
                1
            } else {
                2
            };
            chunk.missing[which] += 1;
            return Ok(());
        };
        if quantity == Some(0.0) {
            chunk.zero_quantity += 1;
            return Ok(());
        }
        let start = chunk.ids.len();
        chunk.ids.push_str(customer);
        let category =
            category.map(|t| intern(&mut chunk.categories, &mut chunk.category_index, t));
        let channel = channel.map(|t| intern(&mut chunk.channels, &mut chunk.channel_index, t));
        chunk.lines.push(Line {
            id: (start, chunk.ids.len()),
            day,
            amount,
            order,
            quantity,
            discounted,
            category,
            channel,
        });
        Ok(())
    }
}

/// The first line's layout: whitespace-separated when it has no comma, semicolon, tab or pipe
/// and at least three fields between spaces.
fn detect_format(first_line: &str) -> TransactionFormat {
    if first_line.contains([',', ';', '\t', '|']) || first_line.split_whitespace().count() < 3 {
        TransactionFormat::Delimited
    } else {
        TransactionFormat::Whitespace
    }
}

/// The header and the first lines' cells.
fn read_head(head: &[u8], truncated: bool, options: &TransactionOptions) -> Result<Head> {
    let csv = options.csv();
    let text = String::from_utf8_lossy(head);
    let mut lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter(|l| {
            csv.comment()
                .is_none_or(|c| !l.as_bytes().starts_with(&[c]))
        })
        .take(SAMPLE_LINES + 2)
        .collect();
    if truncated && lines.len() > 1 {
        lines.pop(); // cut off by the read-ahead
    }
    let Some(first) = lines.first() else {
        return Err(Error::EmptyInput);
    };
    if lines.len() == 1 && csv.has_header() && !truncated {
        return Err(Error::NoRows);
    }
    let format = match options.format {
        TransactionFormat::Auto => detect_format(first),
        other => other,
    };
    let names = |found: usize| -> Result<Vec<String>> {
        match csv.column_names() {
            Some(names) if names.len() != found => Err(Error::RaggedRow {
                row: 1,
                expected: names.len(),
                found,
            }),
            Some(names) => Ok(names.to_vec()),
            None => Ok((1..=found).map(|i| format!("column_{i}")).collect()),
        }
    };
    if format == TransactionFormat::Whitespace {
        let mut records = lines
            .iter()
            .map(|l| l.split_whitespace().map(str::to_string).collect::<Vec<_>>());
        let first = records.next().unwrap_or_default();
        let (header, rows) = if csv.has_header() {
            (first, records.collect())
        } else {
            (
                names(first.len())?,
                std::iter::once(first).chain(records).collect(),
            )
        };
        return Ok(Head {
            format,
            delimiter: None,
            header,
            rows,
        });
    }
    let delimiter = csv
        .delimiter()
        .unwrap_or_else(|| detect_delimiter(head, csv.comment()));
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .comment(csv.comment())
        .trim(csv::Trim::All)
        .from_reader(head);
    let mut records: Vec<Vec<String>> = Vec::new();
    let mut record = csv::ByteRecord::new();
    while records.len() < SAMPLE_LINES + 2 && reader.read_byte_record(&mut record)? {
        records.push(
            record
                .iter()
                .map(|f| String::from_utf8_lossy(f).into_owned())
                .collect(),
        );
    }
    if truncated && records.len() > 1 {
        records.pop();
    }
    let mut records = records.into_iter();
    let Some(first) = records.next() else {
        return Err(Error::EmptyInput);
    };
    let (header, rows) = if csv.has_header() {
        (first, records.collect())
    } else {
        (
            names(first.len())?,
            std::iter::once(first).chain(records).collect(),
        )
    };
    Ok(Head {
        format: TransactionFormat::Delimited,
        delimiter: Some(delimiter),
        header,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(text: &str) -> Result<Layout> {
        Layout::open(text.as_bytes(), &TransactionOptions::new()).map(|(l, _)| l)
    }

    fn column(l: &Layout, role: ColumnRole) -> Option<&str> {
        l.chosen[role.index()].map(|c| l.header[c].as_str())
    }

    #[test]
    fn columns_are_recognised_from_names_and_values() {
        let l = layout(
            "Row ID,Order ID,Order Date,Ship Date,Customer ID,Customer Name,Category,\
             Sub-Category,Sales,Quantity,Discount\n\
             1,A-1,2016-11-08,2016-11-11,CG-1,Claire,Furniture,Chairs,261.96,2,0\n",
        )
        .unwrap();
        assert_eq!(column(&l, ColumnRole::Customer), Some("Customer ID"));
        assert_eq!(column(&l, ColumnRole::Date), Some("Order Date"));
        assert_eq!(column(&l, ColumnRole::Amount), Some("Sales"));
        assert_eq!(column(&l, ColumnRole::OrderId), Some("Order ID"));
        assert_eq!(column(&l, ColumnRole::Category), Some("Category"));
        assert_eq!(column(&l, ColumnRole::Quantity), Some("Quantity"));
        assert_eq!(column(&l, ColumnRole::Discount), Some("Discount"));
        assert_eq!(column(&l, ColumnRole::Channel), None);
        assert_eq!(l.date_format, DateFormat::Ymd);
    }

    #[test]
    fn whitespace_files_are_detected() {
        let l = layout(
            " customer_id  date number_of_cds  dollar_value\r\n 00001 19970101  1   11.77\r\n",
        )
        .unwrap();
        assert_eq!(l.format, TransactionFormat::Whitespace);
        assert_eq!(column(&l, ColumnRole::Quantity), Some("number_of_cds"));
        assert_eq!(column(&l, ColumnRole::Amount), Some("dollar_value"));
        assert_eq!(l.date_format, DateFormat::YmdCompact);
    }

    #[test]
    fn a_named_amount_that_is_text_is_not_recognised() {
        // `total` holds words, so the amount is the numeric `sales`.
        let l = layout("customer,date,total,sales\na,2020-01-01,n/a x,3\n").unwrap();
        assert_eq!(column(&l, ColumnRole::Amount), Some("sales"));
    }

    #[test]
    fn order_keys_differ_for_different_ids() {
        assert_eq!(order_key("A-1"), order_key("A-1"));
        assert_ne!(order_key("A-1"), order_key("A-2"));
        assert_ne!(order_key(""), order_key("\0"));
    }
}
