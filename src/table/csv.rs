//! Streaming, chunk-parallel CSV reading.
//!
//! One thread reads the input in blocks and cuts each block after its last complete record; the
//! cut is found by a small scanner that follows quoting exactly as the `csv` reader does (a quote
//! opens a quoted field only at the start of a field, `""` inside quotes is a quote, a comment
//! line is skipped whole), so a newline inside quotes never splits a record. The scanner also
//! counts the records of each chunk, so every chunk knows the file row of its first record before
//! it is parsed. Chunks are then parsed in parallel, each by its own `csv` reader, and their
//! results handed back in file order: the outcome, including which bad cell is reported first,
//! is the same whatever the thread count.

use std::io::{BufRead, BufReader, Read};

use ::csv::{ByteRecord, ReaderBuilder, StringRecord};
use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::input::{detect_delimiter, CsvOptions};

/// Bytes per chunk: large enough that a chunk's fixed costs vanish, small enough that several
/// chunks per thread keep both cores busy on a 100 MB file.
const CHUNK_BYTES: usize = 4 << 20;

/// How the bytes are read: the delimiter and the comment byte.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Dialect {
    pub delimiter: u8,
    pub comment: Option<u8>,
}

impl Dialect {
    fn reader<'a>(&self, bytes: &'a [u8]) -> ::csv::Reader<&'a [u8]> {
        ReaderBuilder::new()
            .delimiter(self.delimiter)
            .has_headers(false)
            .flexible(true)
            .comment(self.comment)
            .from_reader(bytes)
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    RecordStart,
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
    Comment,
}

/// Follows the quoting of a byte stream: where records end, and how many there are.
#[derive(Debug, Clone, Copy)]
struct Scanner {
    state: State,
    dialect: Dialect,
    /// Records ended by a carriage return whose line feed (the cut) has not been seen yet.
    pending: usize,
}

impl Scanner {
    fn new(dialect: Dialect) -> Self {
        Scanner {
            state: State::RecordStart,
            dialect,
            pending: 0,
        }
    }

    /// Scans `bytes`; returns the offset just past the last record terminator outside quotes
    /// (0 if none) and the number of records completed up to there.
    fn scan(&mut self, bytes: &[u8]) -> (usize, usize) {
        if let Some(found) = self.scan_unquoted(bytes) {
            return found;
        }
        let Dialect { delimiter, comment } = self.dialect;
        let (mut cut, mut records, mut pending) = (0, 0, self.pending);
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            self.state = match self.state {
                State::RecordStart if Some(b) == comment => State::Comment,
                State::RecordStart | State::FieldStart => match b {
                    b'"' => State::Quoted,
                    b'\n' | b'\r' if self.state == State::RecordStart => State::RecordStart,
                    _ if b == delimiter => State::FieldStart,
                    b'\n' | b'\r' => {
                        pending += 1;
                        State::RecordStart
                    }
                    _ => State::Unquoted,
                },
                State::Unquoted | State::QuoteInQuoted => match b {
                    b'"' if self.state == State::QuoteInQuoted => State::Quoted,
                    _ if b == delimiter => State::FieldStart,
                    b'\n' | b'\r' => {
                        pending += 1;
                        State::RecordStart
                    }
                    _ => State::Unquoted,
                },
                State::Quoted => match memchr_quote(&bytes[i..]) {
                    Some(at) => {
                        i += at;
                        State::QuoteInQuoted
                    }
                    None => {
                        i = bytes.len();
                        continue;
                    }
                },
                State::Comment if b == b'\n' || b == b'\r' => State::RecordStart,
                State::Comment => State::Comment,
            };
            if b == b'\n' && self.state == State::RecordStart {
                cut = i + 1;
                records += pending;
                pending = 0;
            }
            i += 1;
        }
        self.pending = pending;
        (cut, records)
    }

    /// The fast path for the common chunk without quotes, comments or lone carriage returns,
    /// starting at a record start: records are the non-empty lines. `None` when it does not apply.
    fn scan_unquoted(&mut self, bytes: &[u8]) -> Option<(usize, usize)> {
        if self.state != State::RecordStart
            || self.dialect.comment.is_some()
            || bytes.contains(&b'"')
        {
            return None;
        }
        let lone_cr = bytes.contains(&b'\r')
            && bytes
                .iter()
                .enumerate()
                .any(|(i, &b)| b == b'\r' && bytes.get(i + 1).is_some_and(|&n| n != b'\n'));
        if lone_cr {
            return None;
        }
        let cut = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        // The unterminated tail after the cut sets the state the next bytes continue from.
        let tail = &bytes[cut..];
        let state = match tail.last() {
            None => State::RecordStart,
            Some(b'\r') => return None,
            Some(&b) if b == self.dialect.delimiter => State::FieldStart,
            Some(_) => State::Unquoted,
        };
        self.state = state;
        let mut records = bytes[..cut]
            .split(|&b| b == b'\n')
            .filter(|line| !line.is_empty() && *line != b"\r")
            .count();
        if cut > 0 {
            records += std::mem::take(&mut self.pending);
        }
        Some((cut, records))
    }

    /// Whether the bytes scanned so far end inside a record that has content (an unterminated
    /// last line).
    fn in_record(&self) -> bool {
        !matches!(self.state, State::RecordStart | State::Comment)
    }
}

/// A byte-order mark of UTF-16, or a start where every other byte is zero (ASCII text in UTF-16).
fn looks_like_utf16(bytes: &[u8]) -> bool {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return true;
    }
    let head = &bytes[..bytes.len().min(1024)];
    head.len() >= 16 && head.iter().filter(|&&b| b == 0).count() * 4 >= head.len()
}

fn memchr_quote(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'"')
}

/// Input cut into chunks of whole records.
struct Chunks<R> {
    reader: R,
    dialect: Dialect,
    /// Bytes read after the last cut, the start of the next chunk.
    carry: Vec<u8>,
    done: bool,
}

/// A run of whole records: its bytes, the 1-based data row of its first record, and how many
/// records it holds (the first chunk counts the header among them until it is taken off).
struct Chunk {
    bytes: Vec<u8>,
    first: usize,
    records: usize,
}

impl<R: Read> Chunks<R> {
    fn next_chunk(&mut self, first: usize) -> Result<Option<Chunk>> {
        if self.done {
            return Ok(None);
        }
        let mut bytes = std::mem::take(&mut self.carry);
        let mut scanned = 0;
        let mut scanner = Scanner::new(self.dialect);
        let mut cut;
        let mut records = 0;
        loop {
            let want = (scanned + CHUNK_BYTES).max(bytes.len());
            if bytes.len() < want {
                let start = bytes.len();
                bytes.resize(want, 0);
                let n = read_full(&mut self.reader, &mut bytes[start..])?;
                bytes.truncate(start + n);
                if n == 0 {
                    // End of input: the rest is the last chunk.
                    let (_, r) = scanner.scan(&bytes[scanned..]);
                    records += r + scanner.pending + usize::from(scanner.in_record());
                    self.done = true;
                    return Ok((!bytes.is_empty()).then_some(Chunk {
                        bytes,
                        first,
                        records,
                    }));
                }
            }
            let (c, r) = scanner.scan(&bytes[scanned..]);
            if c > 0 {
                cut = scanned + c;
                records += r;
                // Rescan the tail from the cut next time, from a record start.
                scanner = Scanner::new(self.dialect);
                scanned = cut;
                if cut >= CHUNK_BYTES {
                    break;
                }
            } else {
                scanned = bytes.len();
            }
        }
        self.carry = bytes.split_off(cut);
        Ok(Some(Chunk {
            bytes,
            first,
            records,
        }))
    }
}

fn read_full<R: Read>(reader: &mut R, buf: &mut [u8]) -> Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::Csv(::csv::Error::from(e))),
        }
    }
    Ok(filled)
}

/// What [`read_chunked`] hands to the parser of each chunk.
pub(crate) struct ChunkRows<'a> {
    bytes: &'a [u8],
    dialect: Dialect,
    /// The 1-based data row of the chunk's first record.
    pub first_row: usize,
    expected: usize,
    records: usize,
}

impl ChunkRows<'_> {
    /// The number of records in the chunk, as the scanner counted them.
    pub fn len_hint(&self) -> usize {
        self.records
    }

    /// Calls `on_row` with each record (cells as written, not trimmed) and its 1-based data row.
    ///
    /// # Errors
    /// [`Error::RaggedRow`], [`Error::Csv`], and whatever `on_row` returns.
    pub fn for_each_bytes(
        &self,
        mut on_row: impl FnMut(usize, &ByteRecord) -> Result<()>,
    ) -> Result<usize> {
        let mut reader = self.dialect.reader(self.bytes);
        let mut record = ByteRecord::new();
        let mut row = self.first_row;
        while reader.read_byte_record(&mut record)? {
            self.check_length(row, record.len())?;
            on_row(row, &record)?;
            row += 1;
        }
        Ok(row - self.first_row)
    }

    /// Calls `on_row` with each record as text (not trimmed) and its 1-based data row.
    ///
    /// # Errors
    /// As [`ChunkRows::for_each_bytes`]; [`Error::NotUtf8`] for a cell that is not UTF-8.
    pub fn for_each(
        &self,
        header: &[String],
        mut on_row: impl FnMut(usize, &StringRecord) -> Result<()>,
    ) -> Result<usize> {
        let mut reader = self.dialect.reader(self.bytes);
        let mut bytes = ByteRecord::new();
        let mut row = self.first_row;
        while reader.read_byte_record(&mut bytes)? {
            self.check_length(row, bytes.len())?;
            let record = match StringRecord::from_byte_record(std::mem::take(&mut bytes)) {
                Ok(record) => record,
                Err(e) => {
                    let field = e.utf8_error().field();
                    return Err(Error::NotUtf8 {
                        row,
                        column: header.get(field).cloned().unwrap_or_default(),
                    });
                }
            };
            on_row(row, &record)?;
            bytes = record.into_byte_record();
            row += 1;
        }
        Ok(row - self.first_row)
    }

    fn check_length(&self, row: usize, found: usize) -> Result<()> {
        if found == self.expected {
            Ok(())
        } else {
            Err(Error::RaggedRow {
                row,
                expected: self.expected,
                found,
            })
        }
    }
}

/// What [`read_chunked`] read: the number of data rows and the delimiter.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ReadSummary {
    pub rows: usize,
    pub delimiter: u8,
}

/// Reads delimited text in chunks: `on_header` receives the column names once, then `parse` runs
/// on chunks in parallel and `merge` receives each chunk's result in file order.
///
/// # Errors
/// [`Error::EmptyInput`] without a header (or without any row for header-less input),
/// [`Error::NoRows`] for a header only, [`Error::RaggedRow`], [`Error::Csv`], and whatever the
/// callbacks return; the error of the earliest failing row wins.
pub(crate) fn read_chunked<R, T, P, M>(
    reader: R,
    options: &CsvOptions,
    on_header: impl FnOnce(&[String]) -> Result<()>,
    parse: P,
    mut merge: M,
) -> Result<ReadSummary>
where
    R: Read,
    T: Send,
    P: Fn(&ChunkRows<'_>) -> Result<T> + Sync,
    M: FnMut(T) -> Result<()> + Send,
{
    let reader = crate::input::SkipLines::new(reader, options.skip_lines());
    let mut buffered = BufReader::with_capacity(1 << 16, reader);
    let delimiter = match options.delimiter() {
        Some(d) => d,
        None => {
            let head = buffered.fill_buf().map_err(::csv::Error::from)?;
            detect_delimiter(head, options.comment())
        }
    };
    let dialect = Dialect {
        delimiter,
        comment: options.comment(),
    };
    let mut chunks = Chunks {
        reader: buffered,
        dialect,
        carry: Vec::new(),
        done: false,
    };
    let Some(mut first) = chunks.next_chunk(1)? else {
        return Err(Error::EmptyInput);
    };
    if looks_like_utf16(&first.bytes) {
        return Err(Error::InvalidHeader {
            column: 1,
            reason: "the file is UTF-16 text (Excel's \"Unicode Text\"), not UTF-8; save it as \
                     \"CSV UTF-8\", or convert it with `iconv -f utf-16 -t utf-8`"
                .into(),
        });
    }
    // The header: the first record, or names for header-less input.
    let (names, header_end) = {
        let mut head = dialect.reader(&first.bytes);
        let mut record = ByteRecord::new();
        if !head.read_byte_record(&mut record)? {
            return Err(Error::EmptyInput);
        }
        let found = record.len();
        if options.has_header() {
            let names = record
                .iter()
                .enumerate()
                .map(|(i, b)| match std::str::from_utf8(b) {
                    Ok(name) => Ok(crate::input::header_name(name, i)),
                    Err(_) => Err(Error::InvalidHeader {
                        column: i + 1,
                        reason: format!(
                            "the name `{}` is not UTF-8 text; save the file as UTF-8 (in a \
                             spreadsheet: \"CSV UTF-8\"), or convert it with `iconv -f latin1 \
                             -t utf-8`",
                            crate::error::shorten(&String::from_utf8_lossy(b))
                        ),
                    }),
                })
                .collect::<Result<Vec<String>>>()?;
            let end = usize::try_from(head.position().byte()).unwrap_or(first.bytes.len());
            (names, Some(end))
        } else {
            let names = match options.column_names() {
                Some(names) if names.len() != found => {
                    return Err(Error::RaggedRow {
                        row: 1,
                        expected: names.len(),
                        found,
                    })
                }
                Some(names) => names.to_vec(),
                None => (1..=found).map(|i| format!("column_{i}")).collect(),
            };
            (names, None)
        }
    };
    let expected = names.len();
    if let Some(end) = header_end {
        first.bytes.drain(..end.min(first.bytes.len()));
        first.records = first.records.saturating_sub(1);
    }
    on_header(&names)?;

    // Batches of chunks are parsed in parallel; the merge of one batch (in file order, on one
    // thread) overlaps the parsing of the next, so that a sequential merge does not leave the
    // other threads idle. Errors surface in file order: a batch's parse error is reported only
    // after every earlier chunk has been merged.
    let batch = 2 * rayon::current_num_threads().max(1);
    let mut pending = vec![first];
    let mut next_row = 1 + pending[0].records;
    let mut total = 0;
    let mut parsed: Vec<Result<(T, usize)>> = Vec::new();
    loop {
        while pending.len() < batch {
            match chunks.next_chunk(next_row)? {
                Some(chunk) => {
                    next_row += chunk.records;
                    pending.push(chunk);
                }
                None => break,
            }
        }
        if pending.is_empty() && parsed.is_empty() {
            break;
        }
        let previous = std::mem::take(&mut parsed);
        let (merged, next) = rayon::join(
            || -> Result<usize> {
                let mut rows = 0;
                for result in previous {
                    let (part, n) = result?;
                    rows += n;
                    merge(part)?;
                }
                Ok(rows)
            },
            || -> Vec<Result<(T, usize)>> {
                pending
                    .par_iter()
                    .map(|chunk| {
                        let rows = ChunkRows {
                            bytes: &chunk.bytes,
                            dialect,
                            first_row: chunk.first,
                            expected,
                            records: chunk.records,
                        };
                        Ok((parse(&rows)?, chunk.records))
                    })
                    .collect()
            },
        );
        total += merged?;
        parsed = next;
        pending.clear();
    }
    match (total, options.has_header()) {
        (0, true) => Err(Error::NoRows),
        (0, false) => Err(Error::EmptyInput),
        _ => Ok(ReadSummary {
            rows: total,
            delimiter,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dialect() -> Dialect {
        Dialect {
            delimiter: b',',
            comment: Some(b'#'),
        }
    }

    /// Records as the `csv` reader counts them.
    fn csv_count(bytes: &[u8]) -> usize {
        dialect().reader(bytes).byte_records().count()
    }

    #[test]
    fn the_scanner_cuts_only_between_records_and_counts_as_csv_does() {
        let text = "a,b\n\"x\ny\",2\r\n\n#c \"\n3,\"q\"\"\n\"\n4,5'\"6\n7,8";
        let bytes = text.as_bytes();
        for end in 0..=bytes.len() {
            let mut s = Scanner::new(dialect());
            let (cut, records) = s.scan(&bytes[..end]);
            // Everything before the cut is whole records; the count matches the csv reader's.
            assert_eq!(records, csv_count(&bytes[..cut]), "end {end}, cut {cut}");
            assert!(cut == 0 || bytes[cut - 1] == b'\n');
        }
        let mut s = Scanner::new(dialect());
        let (_, records) = s.scan(bytes);
        assert_eq!(records + usize::from(s.in_record()), csv_count(bytes));
    }

    #[test]
    fn the_fast_path_for_unquoted_text_agrees_with_the_csv_reader() {
        let text = "a,b\r\n1,2\r\n\r\n3,\n\n4,5\n6";
        let bytes = text.as_bytes();
        for end in 0..=bytes.len() {
            for split in 0..=end {
                // Two scans in a row, as a chunk that grows does.
                let mut s = Scanner::new(dialect_without_comment());
                let (cut1, r1) = s.scan(&bytes[..split]);
                let (cut, records) = if cut1 > 0 {
                    let mut s = Scanner::new(dialect_without_comment());
                    let (c2, r2) = s.scan(&bytes[cut1..end]);
                    (if c2 > 0 { cut1 + c2 } else { cut1 }, r1 + r2)
                } else {
                    let (c2, r2) = s.scan(&bytes[split..end]);
                    (if c2 > 0 { split + c2 } else { 0 }, r2)
                };
                assert_eq!(records, csv_count(&bytes[..cut]), "end {end} split {split}");
            }
        }
        let follows_quote = "x,\"q\ny\",1\n";
        let mut s = Scanner::new(dialect_without_comment());
        let (_, r) = s.scan(&follows_quote.as_bytes()[..2]);
        let (cut, r2) = s.scan(&follows_quote.as_bytes()[2..]);
        assert_eq!((r + r2, cut), (1, follows_quote.len() - 2));
    }

    fn dialect_without_comment() -> Dialect {
        Dialect {
            delimiter: b',',
            comment: None,
        }
    }

    #[test]
    fn chunked_reading_matches_one_reader_whatever_the_chunking() {
        // Many records with quoted newlines and commas, beyond one chunk.
        let mut text = String::from("id,note,n\n");
        for i in 0..200_000 {
            text.push_str(&format!("{i},\"line {i}\nsecond, part\",{}\n", i % 7));
        }
        let options = CsvOptions::new();
        let mut rows = Vec::new();
        let total = read_chunked(
            text.as_bytes(),
            &options,
            |h| {
                assert_eq!(h, ["id", "note", "n"]);
                Ok(())
            },
            |chunk| {
                let mut seen = Vec::new();
                chunk.for_each_bytes(|row, r| {
                    assert_eq!(r[0], *(row - 1).to_string().as_bytes());
                    seen.push(row);
                    Ok(())
                })?;
                Ok(seen)
            },
            |seen| {
                rows.extend(seen);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(total.rows, 200_000);
        assert!(rows.iter().copied().eq(1..=200_000));
    }

    #[test]
    fn the_earliest_bad_row_is_reported() {
        let mut text = String::from("a,b\n");
        for i in 0..300_000 {
            text.push_str(if i == 250_000 || i == 280_000 {
                "1\n"
            } else {
                "1,2\n"
            });
        }
        let err = read_chunked(
            text.as_bytes(),
            &CsvOptions::new(),
            |_| Ok(()),
            |c| c.for_each_bytes(|_, _| Ok(())),
            |_| Ok(()),
        )
        .unwrap_err();
        assert!(
            matches!(err, Error::RaggedRow { row: 250_001, .. }),
            "{err}"
        );
    }
}
