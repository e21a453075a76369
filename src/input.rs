//! Reading delimited text: options, delimiter detection, and the raw string rows that both schema
//! inference and table loading start from.

use std::collections::BinaryHeap;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering as AtomicOrdering};

use crate::error::{Error, Result};

/// Cell texts that mean "missing", compared case-insensitively after trimming.
/// Besides the usual words, these are spreadsheet error values (`#N/A`, `#DIV/0!`, …) and a lone
/// dash, which spreadsheets and reports use for "no value".
pub const DEFAULT_MISSING_MARKERS: &[&str] = &[
    "", "na", "n/a", "null", "none", "nan", "?", "-", "--", "#n/a", "#na", "#null!", "#div/0!",
    "#value!", "#ref!", "#name?", "#num!",
];

/// What one cell says about its column's decimal mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mark {
    /// Only a decimal comma reads it (`12,5`, `1.234,5`, `1.234.567`).
    Comma,
    /// Only a decimal point reads it (`12.5`, `1,234.5`, `1,234,567`).
    Dot,
    /// Either reads it (`1,500` or `1.500`: a thousands group or three decimals), or it has no
    /// separator at all.
    Either,
}

fn mark_of(cell: &str) -> Mark {
    let t: String = cell
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == ',' || *c == '.')
        .collect();
    let (commas, dots) = (t.matches(',').count(), t.matches('.').count());
    let last_group = |sep: char| t.rsplit(sep).next().map_or(0, str::len);
    match (commas, dots) {
        (0, 0) => Mark::Either,
        (c, d) if c > 0 && d > 0 => {
            if t.rfind(',') > t.rfind('.') {
                Mark::Comma
            } else {
                Mark::Dot
            }
        }
        (1, 0) if last_group(',') == 3 => Mark::Either,
        (1, 0) => Mark::Comma,
        (_, 0) => Mark::Dot,
        (0, 1) if last_group('.') == 3 => Mark::Either,
        (0, 1) => Mark::Dot,
        _ => Mark::Comma,
    }
}

/// Whether a column's numbers are written with a decimal comma, from its cells: yes when some
/// cell can only be read with a decimal comma (`12,5`, `1.234,5`) and none only with a decimal
/// point (`12.5`, `1,234.5`); when every cell reads either way (`1,500`, `9.879`), yes only in a
/// file delimited by `;`, the export of spreadsheets set to a decimal comma.
pub(crate) fn decimal_comma_column<'a>(
    cells: impl IntoIterator<Item = &'a str>,
    semicolons: bool,
) -> bool {
    let (mut comma, mut dot, mut separated) = (false, false, false);
    for cell in cells {
        match mark_of(cell) {
            Mark::Comma => comma = true,
            Mark::Dot => dot = true,
            Mark::Either => separated |= cell.contains([',', '.']),
        }
        if comma && dot {
            return false;
        }
    }
    comma || (!dot && separated && semicolons)
}

/// A cell without the whitespace around it (Unicode whitespace, such as a no-break space, too);
/// the common cell that starts and ends with a visible ASCII character costs two comparisons.
#[inline]
pub(crate) fn trim_cell(cell: &str) -> &str {
    match (cell.as_bytes().first(), cell.as_bytes().last()) {
        (Some(&a), Some(&b)) if a.is_ascii_graphic() && b.is_ascii_graphic() => cell,
        _ => cell.trim(),
    }
}

/// Reads a number as people write them in customer files.
///
/// Besides what Rust's `f64` parser takes (`1200`, `-3.5`, `1e6`), this reads a currency sign
/// before or after the number (`$1,200`, `1200 €`), a trailing percent sign (`12%` is 12, in the
/// unit the column is written in), accounting negatives (`(350)` is -350), and separators, by the
/// column's decimal mark (decided for the whole column, see [`decimal_comma_column`]):
///
/// - with `decimal_comma` false, a dot is the decimal point and commas group thousands, only in
///   the strict pattern `1,234,567.89`; `1,5` is not a number;
/// - with `decimal_comma` true, a comma is the decimal point and dots group thousands, only in
///   the strict pattern `1.234.567,89`; `9.879` is 9879, and `1.5` is not a number.
///
/// Anything else is not a number (`None`), and the caller reports the cell.
pub(crate) fn parse_number(cell: &str, decimal_comma: bool) -> Option<f64> {
    if !decimal_comma || !cell.contains('.') {
        if let Ok(x) = cell.parse::<f64>() {
            return Some(x);
        }
    }
    let mut t = cell.trim();
    let mut negative = false;
    if let Some(inner) = t.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        negative = true;
        t = inner.trim();
    }
    if let Some(rest) = t.strip_prefix('-') {
        negative = !negative;
        t = rest.trim_start();
    } else if let Some(rest) = t.strip_prefix('+') {
        t = rest.trim_start();
    }
    const CURRENCY: [char; 4] = ['$', '€', '£', '¥'];
    t = t
        .trim_start_matches(CURRENCY)
        .trim_end_matches(CURRENCY)
        .trim();
    t = t.strip_suffix('%').unwrap_or(t).trim_end();
    if let Some(rest) = t.strip_prefix('-') {
        // `$-5` and `-$5` alike.
        negative = !negative;
        t = rest;
    }
    let (group, point) = if decimal_comma {
        ('.', ',')
    } else {
        (',', '.')
    };
    let (int, frac) = match t.split_once(point) {
        Some((i, f)) => (i, Some(f)),
        None => (t, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let grouped = {
        let mut parts = int.split(group);
        let first = parts.next().unwrap_or("");
        let rest: Vec<&str> = parts.collect();
        digits(first)
            && (rest.is_empty()
                || first.len() <= 3 && rest.iter().all(|p| p.len() == 3 && digits(p)))
    };
    if !grouped || frac.is_some_and(|f| !digits(f)) {
        return None;
    }
    let mut plain: String = int.chars().filter(|&c| c != group).collect();
    if let Some(f) = frac {
        plain.push('.');
        plain.push_str(f);
    }
    let x: f64 = plain.parse().ok()?;
    Some(if negative { -x } else { x })
}

/// How to read a CSV (or other delimited) file of customers.
///
/// ```
/// use personas::CsvOptions;
/// let options = CsvOptions::new()
///     .with_delimiter(b';')
///     .with_missing_marker("unknown");
/// assert!(options.is_missing("Unknown"));
/// assert!(options.is_missing(" NA "));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct CsvOptions {
    delimiter: Option<u8>,
    has_header: bool,
    column_names: Option<Vec<String>>,
    missing_markers: Vec<String>,
    comment: Option<u8>,
    skip_lines: usize,
}

impl Default for CsvOptions {
    fn default() -> Self {
        Self::new()
    }
}

impl CsvOptions {
    /// Defaults: delimiter detected from the first lines, a header row, cells trimmed, and
    /// [`DEFAULT_MISSING_MARKERS`] read as missing.
    pub fn new() -> Self {
        CsvOptions {
            delimiter: None,
            has_header: true,
            column_names: None,
            missing_markers: DEFAULT_MISSING_MARKERS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            comment: None,
            skip_lines: 0,
        }
    }

    /// Uses this delimiter instead of detecting one.
    pub fn with_delimiter(mut self, delimiter: u8) -> Self {
        self.delimiter = Some(delimiter);
        self
    }

    /// For files without a header row: the column names, in order.
    pub fn with_column_names<I, S>(mut self, names: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.has_header = false;
        self.column_names = Some(names.into_iter().map(Into::into).collect());
        self
    }

    /// Whether the first row is read as the header.
    pub fn has_header(&self) -> bool {
        self.has_header
    }

    /// For files without a header row whose columns should be named `column_1`, `column_2`, ….
    pub fn without_header(mut self) -> Self {
        self.has_header = false;
        self
    }

    /// Reads this text (case-insensitively, after trimming) as missing too.
    pub fn with_missing_marker(mut self, marker: impl Into<String>) -> Self {
        self.missing_markers
            .push(marker.into().trim().to_lowercase());
        self
    }

    /// Replaces the missing markers (the empty cell always stays missing).
    pub fn with_missing_markers<I, S>(mut self, markers: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.missing_markers = std::iter::once(String::new())
            .chain(markers.into_iter().map(|m| m.into().trim().to_lowercase()))
            .collect();
        self
    }

    /// Skips lines that start with this byte (for files with junk or comment lines), wherever
    /// they are: a data line that starts with it is skipped too, so choose a byte no data line
    /// starts with (for a title above the header, [`CsvOptions::with_skip_lines`] is safer).
    pub fn with_comment(mut self, comment: u8) -> Self {
        self.comment = Some(comment);
        self
    }

    /// Skips the first `lines` lines of the input, before the header (a title, an export note).
    /// Row numbers in messages count from the first row after them.
    pub fn with_skip_lines(mut self, lines: usize) -> Self {
        self.skip_lines = lines;
        self
    }

    /// How many leading lines are skipped.
    pub fn skip_lines(&self) -> usize {
        self.skip_lines
    }

    /// The delimiter, if one was set.
    pub fn delimiter(&self) -> Option<u8> {
        self.delimiter
    }

    /// The comment byte, if one was set.
    pub fn comment(&self) -> Option<u8> {
        self.comment
    }

    /// The column names given for a file without a header row.
    pub fn column_names(&self) -> Option<&[String]> {
        self.column_names.as_deref()
    }

    /// Whether any missing marker starts with an ASCII digit (then a cell starting with a digit
    /// must be compared with the markers; otherwise it never is missing).
    pub(crate) fn digit_marker(&self) -> bool {
        self.missing_markers
            .iter()
            .any(|m| m.bytes().next().is_some_and(|b| b.is_ascii_digit()))
    }

    /// Whether a cell's text means "missing".
    pub fn is_missing(&self, cell: &str) -> bool {
        let t = trim_cell(cell);
        t.is_empty()
            || self
                .missing_markers
                .iter()
                .any(|m| m.eq_ignore_ascii_case(t))
    }
}

/// Opens a file for reading, naming it in the error.
pub(crate) fn open(path: &Path) -> Result<std::fs::File> {
    let io = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    if path.is_dir() {
        return Err(io(std::io::Error::other(
            "it is a directory; give the CSV file inside it",
        )));
    }
    std::fs::File::open(path).map_err(io)
}

/// The header and a uniform sample of the rows of a delimited file, as trimmed strings: what
/// schema inference reads.
#[derive(Debug, Clone)]
pub(crate) struct RawCsv {
    pub header: Vec<String>,
    /// The sampled cells, column by column (rows in file order), trimmed.
    pub columns: Vec<SampleColumn>,
    /// The number of sampled rows.
    pub n_rows: usize,
    /// The 1-based file row of each sampled row.
    pub row_numbers: Vec<usize>,
    /// How many rows the file has.
    pub total_rows: usize,
    /// Whether the file is delimited by `;` (a hint for the decimal mark of a column whose cells
    /// read either way).
    pub semicolons: bool,
}

/// The sampled cells of one column, stored end to end.
#[derive(Debug, Clone, Default)]
pub(crate) struct SampleColumn {
    text: String,
    ends: Vec<usize>,
}

impl SampleColumn {
    fn push(&mut self, cell: &str) {
        self.text.push_str(cell);
        self.ends.push(self.text.len());
    }

    /// Row `i`'s cell.
    pub(crate) fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    /// Every cell, in row order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.ends.len()).map(|i| self.get(i))
    }
}

/// One sampled row: its key, its 1-based row, its cells.
struct Kept(u64, usize, csv::ByteRecord);

impl PartialEq for Kept {
    fn eq(&self, other: &Self) -> bool {
        (self.0, self.1) == (other.0, other.1)
    }
}
impl Eq for Kept {}
impl PartialOrd for Kept {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Kept {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.0, self.1).cmp(&(other.0, other.1))
    }
}

/// The sampling key of a row: a hash of the row number, so the rows kept (those with the
/// smallest keys) are a uniform sample that does not depend on how the file was chunked.
fn sample_key(row: usize) -> u64 {
    crate::rng::splitmix64((row as u64).wrapping_add(0x9e37_79b9_7f4a_7c15))
}

/// A copy of a record that holds its cells and no more: the reader's record keeps a buffer as
/// large as the largest row read so far, which a plain clone would copy for every row after a
/// huge cell.
fn compact(record: &csv::ByteRecord) -> csv::ByteRecord {
    let mut copy = csv::ByteRecord::with_capacity(record.as_slice().len(), record.len());
    record.iter().for_each(|field| copy.push_field(field));
    copy
}

/// Keeps the `limit` smallest keys of `heap` (a max-heap).
fn keep(heap: &mut BinaryHeap<Kept>, limit: usize, kept: Kept) {
    if heap.len() < limit {
        heap.push(kept);
    } else if heap.peek().is_some_and(|top| kept < *top) {
        heap.pop();
        heap.push(kept);
    }
}

impl RawCsv {
    pub(crate) fn sample_path(path: &Path, options: &CsvOptions, limit: usize) -> Result<Self> {
        Self::sample(open(path)?, options, limit)
    }

    /// Reads every row (checking its length) and keeps a uniform sample of at most `limit`
    /// (every row when the file has no more).
    pub(crate) fn sample<R: Read>(reader: R, options: &CsvOptions, limit: usize) -> Result<Self> {
        let limit = limit.max(1);
        let mut header = Vec::new();
        let mut heap = BinaryHeap::new();
        // Keys at or above the largest key kept so far can never make the sample: chunks skip
        // them. The threshold only prunes, so the sample is the same whatever the chunking.
        let threshold = AtomicU64::new(u64::MAX);
        let summary = crate::table::csv::read_chunked(
            reader,
            options,
            |names| {
                header = names.to_vec();
                Ok(())
            },
            |chunk| {
                let mut local = BinaryHeap::new();
                let bound = threshold.load(AtomicOrdering::Relaxed);
                chunk.for_each_bytes(|row, record| {
                    let key = sample_key(row);
                    if key < bound
                        && (local.len() < limit || local.peek().is_some_and(|t: &Kept| key < t.0))
                    {
                        keep(&mut local, limit, Kept(key, row, compact(record)));
                    }
                    Ok(())
                })?;
                Ok(local)
            },
            |local| {
                local.into_iter().for_each(|k| keep(&mut heap, limit, k));
                if heap.len() == limit {
                    if let Some(top) = heap.peek() {
                        threshold.store(top.0, AtomicOrdering::Relaxed);
                    }
                }
                Ok(())
            },
        )?;
        let mut kept = heap.into_vec();
        kept.sort_unstable_by_key(|k| k.1);
        let row_numbers: Vec<usize> = kept.iter().map(|k| k.1).collect();
        let mut columns = vec![SampleColumn::default(); header.len()];
        for Kept(_, row, mut record) in kept {
            record.trim();
            let record = csv::StringRecord::from_byte_record(record).map_err(|e| {
                let column = e.utf8_error().field();
                Error::NotUtf8 {
                    row,
                    column: header.get(column).cloned().unwrap_or_default(),
                }
            })?;
            for (column, cell) in columns.iter_mut().zip(record.iter()) {
                column.push(cell);
            }
        }
        Ok(RawCsv {
            header,
            columns,
            n_rows: row_numbers.len(),
            row_numbers,
            total_rows: summary.rows,
            semicolons: summary.delimiter == b';',
        })
    }
}

/// A reader that drops its input's first `left` lines (up to and including each `\n`).
pub(crate) struct SkipLines<R> {
    inner: R,
    left: usize,
}

impl<R: Read> SkipLines<R> {
    pub(crate) fn new(inner: R, lines: usize) -> Self {
        SkipLines { inner, left: lines }
    }
}

impl<R: Read> Read for SkipLines<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        while self.left > 0 {
            let n = self.inner.read(buf)?;
            if n == 0 {
                return Ok(0);
            }
            let mut start = 0;
            while self.left > 0 {
                match buf[start..n].iter().position(|&b| b == b'\n') {
                    Some(p) => {
                        self.left -= 1;
                        start += p + 1;
                    }
                    None => {
                        start = n;
                        break;
                    }
                }
            }
            if self.left == 0 && start < n {
                buf.copy_within(start..n, 0);
                return Ok(n - start);
            }
        }
        self.inner.read(buf)
    }
}

/// The name of header cell `i` (0-based): trimmed, or `column_{i + 1}` when the cell is empty, as
/// in the index column pandas writes with `to_csv()` (the same name a file without a header
/// gives that column).
pub(crate) fn header_name(cell: &str, i: usize) -> String {
    match cell.trim() {
        "" => format!("column_{}", i + 1),
        name => name.to_string(),
    }
}

/// Picks the candidate delimiter that splits the first lines into the same, largest number of
/// fields; a comma when nothing else fits.
pub(crate) fn detect_delimiter(head: &[u8], comment: Option<u8>) -> u8 {
    const CANDIDATES: [u8; 4] = [b',', b';', b'\t', b'|'];
    let text = String::from_utf8_lossy(head);
    let mut lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter(|l| comment.is_none_or(|c| !l.as_bytes().starts_with(&[c])))
        .take(20)
        .collect();
    if lines.len() > 1 && !head.ends_with(b"\n") {
        lines.pop(); // the last line may be cut off by the buffer
    }
    let count = |line: &str, d: u8| {
        let mut in_quotes = false;
        line.bytes()
            .filter(|&b| {
                if b == b'"' {
                    in_quotes = !in_quotes;
                }
                b == d && !in_quotes
            })
            .count()
    };
    CANDIDATES
        .iter()
        .copied()
        .filter_map(|d| {
            let first = count(lines.first()?, d);
            let consistent = lines.iter().all(|l| count(l, d) == first);
            (first > 0 && consistent).then_some((first, d))
        })
        .max_by_key(|&(fields, d)| (fields, std::cmp::Reverse(d)))
        .map_or(b',', |(_, d)| d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str, options: &CsvOptions) -> Result<RawCsv> {
        RawCsv::sample(text.as_bytes(), options, 1000)
    }

    #[test]
    fn a_sample_is_uniform_ordered_and_the_same_whatever_the_chunking() {
        let mut text = String::from("id,x\n");
        for i in 0..50_000 {
            text.push_str(&format!("{i},{}\n", i % 10));
        }
        let raw = RawCsv::sample(text.as_bytes(), &CsvOptions::new(), 2000).unwrap();
        assert_eq!(raw.total_rows, 50_000);
        assert_eq!(raw.n_rows, 2000);
        let ids: Vec<usize> = raw.columns[0].iter().map(|c| c.parse().unwrap()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "file order");
        // Uniform: each tenth of the file holds about a tenth of the sample.
        for tenth in 0..10 {
            let n = ids.iter().filter(|&&i| i / 5000 == tenth).count();
            assert!((140..=260).contains(&n), "tenth {tenth}: {n}");
        }
        let again = RawCsv::sample(text.as_bytes(), &CsvOptions::new(), 2000).unwrap();
        assert_eq!(again.row_numbers, raw.row_numbers);
    }

    #[test]
    fn delimiter_is_detected() {
        assert_eq!(detect_delimiter(b"a;b;c\n1;2;3\n", None), b';');
        assert_eq!(detect_delimiter(b"a\tb\n1\t2\n", None), b'\t');
        assert_eq!(detect_delimiter(b"a,b\n\"1;2\",3\n", None), b',');
        assert_eq!(detect_delimiter(b"single\n1\n", None), b',');
        let raw = read("x|y\n1|2\n", &CsvOptions::new()).unwrap();
        assert_eq!(raw.header, ["x", "y"]);
        assert_eq!(raw.n_rows, 1);
        assert_eq!((raw.columns[0].get(0), raw.columns[1].get(0)), ("1", "2"));
    }

    #[test]
    fn cells_are_trimmed_and_crlf_handled() {
        let raw = read("id, name \r\n1,  Ann \r\n2,Bo\r\n", &CsvOptions::new()).unwrap();
        assert_eq!(raw.header, ["id", "name"]);
        assert_eq!((raw.columns[0].get(0), raw.columns[1].get(0)), ("1", "Ann"));
    }

    #[test]
    fn empty_input_header_only_and_ragged_rows_are_errors() {
        assert!(matches!(
            read("", &CsvOptions::new()),
            Err(Error::EmptyInput)
        ));
        assert!(matches!(
            read("a,b\n", &CsvOptions::new()),
            Err(Error::NoRows)
        ));
        let ragged = read("a,b\n1,2\n3\n", &CsvOptions::new());
        assert!(matches!(
            ragged,
            Err(Error::RaggedRow {
                row: 2,
                expected: 2,
                found: 1
            })
        ));
    }

    #[test]
    fn headerless_files_get_names() {
        let opts = CsvOptions::new().with_column_names(["a", "b"]);
        let raw = read("1,2\n3,4\n", &opts).unwrap();
        assert_eq!(raw.header, ["a", "b"]);
        assert_eq!(raw.n_rows, 2);
        let raw = read("1,2\n", &CsvOptions::new().without_header()).unwrap();
        assert_eq!(raw.header, ["column_1", "column_2"]);
        let wrong = read("1,2\n", &CsvOptions::new().with_column_names(["a"]));
        assert!(matches!(wrong, Err(Error::RaggedRow { .. })));
    }

    #[test]
    fn skip_lines_drops_whole_lines_across_reads() {
        let text = b"title one\ntitle two\nid,x\na,1\n";
        for lines in 0..=5 {
            // A reader that hands out one byte at a time, to cross every boundary.
            struct Slow<'a>(&'a [u8]);
            impl Read for Slow<'_> {
                fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                    let Some((&b, rest)) = self.0.split_first() else {
                        return Ok(0);
                    };
                    buf[0] = b;
                    self.0 = rest;
                    Ok(1)
                }
            }
            let mut out = String::new();
            SkipLines::new(Slow(text), lines)
                .read_to_string(&mut out)
                .unwrap();
            let expected: String = std::str::from_utf8(text)
                .unwrap()
                .split_inclusive('\n')
                .skip(lines)
                .collect();
            assert_eq!(out, expected, "{lines} lines");
        }
    }

    #[test]
    fn comment_lines_are_skipped() {
        let opts = CsvOptions::new().with_comment(b'|');
        let raw = read("|junk line\na,b\n1,2\n", &opts).unwrap();
        assert_eq!(raw.header, ["a", "b"]);
    }

    #[test]
    fn numbers_are_read_as_people_write_them() {
        let plain = |s| parse_number(s, false);
        assert_eq!(plain("1200"), Some(1200.0));
        assert_eq!(plain("$1,200"), Some(1200.0));
        assert_eq!(plain("1,234,567.5"), Some(1_234_567.5));
        assert_eq!(plain("12%"), Some(12.0));
        assert_eq!(plain("-$5.25"), Some(-5.25));
        assert_eq!(plain("(350)"), Some(-350.0));
        assert_eq!(plain("1200 €"), Some(1200.0));
        for bad in [
            "1,5", "12,00", "1,2345", "abc", "$", "%", "1.2.3", "1,,200", ",200",
        ] {
            assert_eq!(plain(bad), None, "{bad}");
        }
        let euro = |s| parse_number(s, true);
        assert_eq!(euro("1,5"), Some(1.5));
        assert_eq!(euro("1.234,5"), Some(1234.5));
        assert_eq!(euro("16558,0"), Some(16558.0));
        assert_eq!(euro("9.879"), Some(9879.0), "dots group thousands");
        assert_eq!(
            euro("1.5"),
            None,
            "a decimal point is not read in a decimal-comma column"
        );
        assert_eq!(euro("1,2,3"), None);
        assert_eq!(euro("980"), Some(980.0));
    }

    #[test]
    fn the_decimal_mark_is_decided_for_the_whole_column() {
        // A US export, tab-delimited, with thousands commas: never decimal commas.
        assert!(!decimal_comma_column(["52,092", "129", "1,500"], false));
        // A European export mixing thousands dots and decimal commas.
        assert!(decimal_comma_column(
            ["6.142,13", "9.879", "1.500", "980,50"],
            true
        ));
        assert!(
            decimal_comma_column(["12,5", "3"], false),
            "a quoted 12,5 in a comma file"
        );
        // Whole numbers with a thousands dot: decided by the delimiter.
        assert!(decimal_comma_column(["12.345", "980"], true));
        assert!(!decimal_comma_column(["12.345", "980"], false));
        // Evidence both ways: not a decimal comma (the cells that disagree are reported).
        assert!(!decimal_comma_column(["12,5", "12.5"], true));
        assert!(!decimal_comma_column(["1", "2"], true));
    }

    #[test]
    fn spreadsheet_errors_and_dashes_are_missing() {
        let o = CsvOptions::new();
        for m in ["#N/A", "#DIV/0!", "-", "--", "#VALUE!"] {
            assert!(o.is_missing(m), "{m:?}");
        }
        assert!(!o.is_missing("-1"));
    }

    #[test]
    fn missing_markers_are_case_insensitive() {
        let o = CsvOptions::new();
        for m in ["", " ", "NA", "n/a", "NULL", "None", "NaN", "?"] {
            assert!(o.is_missing(m), "{m:?}");
        }
        assert!(!o.is_missing("0"));
        assert!(!o.is_missing("inf"));
        let o = CsvOptions::new().with_missing_markers(["-"]);
        assert!(o.is_missing("-") && o.is_missing("") && !o.is_missing("NA"));
    }
}
