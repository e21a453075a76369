//! Reading delimited text: options, delimiter detection, and the raw string rows that both schema
//! inference and table loading start from.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use crate::error::{Error, Result};

/// Cell texts that mean "missing", compared case-insensitively after trimming.
pub const DEFAULT_MISSING_MARKERS: &[&str] = &["", "na", "n/a", "null", "none", "nan", "?"];

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

    /// Skips lines that start with this byte (for files with junk or comment lines).
    pub fn with_comment(mut self, comment: u8) -> Self {
        self.comment = Some(comment);
        self
    }

    /// The delimiter, if one was set.
    pub fn delimiter(&self) -> Option<u8> {
        self.delimiter
    }

    /// Whether a cell's text means "missing".
    pub fn is_missing(&self, cell: &str) -> bool {
        let t = cell.trim();
        t.is_empty()
            || self
                .missing_markers
                .iter()
                .any(|m| m.eq_ignore_ascii_case(t))
    }
}

/// Opens a file for reading, naming it in the error.
pub(crate) fn open(path: &Path) -> Result<std::fs::File> {
    std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// The header and rows of a delimited file as trimmed strings (for schema inference, which looks
/// at every value of a column before deciding).
#[derive(Debug, Clone)]
pub(crate) struct RawCsv {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl RawCsv {
    pub(crate) fn from_path(path: &Path, options: &CsvOptions) -> Result<Self> {
        Self::from_reader(open(path)?, options)
    }

    pub(crate) fn from_reader<R: Read>(reader: R, options: &CsvOptions) -> Result<Self> {
        let mut header = Vec::new();
        let mut rows = Vec::new();
        read_records(
            reader,
            options,
            |names| {
                header = names.to_vec();
                Ok(())
            },
            |_, record| {
                rows.push(record.iter().map(str::to_string).collect());
                Ok(())
            },
        )?;
        Ok(RawCsv { header, rows })
    }
}

/// Reads delimited text one record at a time, so a large file never has to be held as strings:
/// `on_header` receives the column names once, then `on_row` each row with its 1-based number.
/// Cells are trimmed.
///
/// # Errors
/// [`Error::EmptyInput`] without a header (or without any row for header-less input),
/// [`Error::NoRows`] for a header only, [`Error::RaggedRow`] for a row whose length differs from
/// the header's, [`Error::Csv`] for read failures, and whatever the callbacks return.
pub(crate) fn read_records<R: Read>(
    reader: R,
    options: &CsvOptions,
    mut on_header: impl FnMut(&[String]) -> Result<()>,
    mut on_row: impl FnMut(usize, &csv::StringRecord) -> Result<()>,
) -> Result<()> {
    let mut buffered = BufReader::with_capacity(1 << 16, reader);
    let delimiter = match options.delimiter {
        Some(d) => d,
        None => {
            let head = buffered.fill_buf().map_err(csv::Error::from)?;
            detect_delimiter(head, options.comment)
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .comment(options.comment)
        .trim(csv::Trim::All)
        .from_reader(buffered);
    let mut record = csv::StringRecord::new();
    let mut expected = None;
    if options.has_header {
        if !reader.read_record(&mut record)? {
            return Err(Error::EmptyInput);
        }
        let header: Vec<String> = record.iter().map(str::to_string).collect();
        expected = Some(header.len());
        on_header(&header)?;
    }
    let mut row = 0;
    while reader.read_record(&mut record)? {
        row += 1;
        let expected = *expected.get_or_insert_with(|| record.len());
        if row == 1 && !options.has_header {
            let names = match &options.column_names {
                Some(names) if names.len() != expected => {
                    return Err(Error::RaggedRow {
                        row: 1,
                        expected: names.len(),
                        found: expected,
                    })
                }
                Some(names) => names.clone(),
                None => (1..=expected).map(|i| format!("column_{i}")).collect(),
            };
            on_header(&names)?;
        }
        if record.len() != expected {
            return Err(Error::RaggedRow {
                row,
                expected,
                found: record.len(),
            });
        }
        on_row(row, &record)?;
    }
    match (row, options.has_header) {
        (0, true) => Err(Error::NoRows),
        (0, false) => Err(Error::EmptyInput),
        _ => Ok(()),
    }
}

/// Picks the candidate delimiter that splits the first lines into the same, largest number of
/// fields; a comma when nothing else fits.
fn detect_delimiter(head: &[u8], comment: Option<u8>) -> u8 {
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
        RawCsv::from_reader(text.as_bytes(), options)
    }

    #[test]
    fn delimiter_is_detected() {
        assert_eq!(detect_delimiter(b"a;b;c\n1;2;3\n", None), b';');
        assert_eq!(detect_delimiter(b"a\tb\n1\t2\n", None), b'\t');
        assert_eq!(detect_delimiter(b"a,b\n\"1;2\",3\n", None), b',');
        assert_eq!(detect_delimiter(b"single\n1\n", None), b',');
        let raw = read("x|y\n1|2\n", &CsvOptions::new()).unwrap();
        assert_eq!(raw.header, ["x", "y"]);
        assert_eq!(raw.rows, [["1", "2"]]);
    }

    #[test]
    fn cells_are_trimmed_and_crlf_handled() {
        let raw = read("id, name \r\n1,  Ann \r\n2,Bo\r\n", &CsvOptions::new()).unwrap();
        assert_eq!(raw.header, ["id", "name"]);
        assert_eq!(raw.rows[0], ["1", "Ann"]);
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
        assert_eq!(raw.rows.len(), 2);
        let raw = read("1,2\n", &CsvOptions::new().without_header()).unwrap();
        assert_eq!(raw.header, ["column_1", "column_2"]);
        let wrong = read("1,2\n", &CsvOptions::new().with_column_names(["a"]));
        assert!(matches!(wrong, Err(Error::RaggedRow { .. })));
    }

    #[test]
    fn comment_lines_are_skipped() {
        let opts = CsvOptions::new().with_comment(b'|');
        let raw = read("|junk line\na,b\n1,2\n", &opts).unwrap();
        assert_eq!(raw.header, ["a", "b"]);
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
