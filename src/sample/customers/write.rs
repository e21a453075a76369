//! The CSV writers shared by a generated [`Sample`](super::Sample) and the streaming
//! [`SampleCustomers`](super::SampleCustomers) writers.

use std::io::Write;

use super::PLANTED_SEGMENTS;
use crate::error::Result;

fn csv_writer<W: Write>(writer: W) -> csv::Writer<W> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(writer)
}

/// A header row, then the rows, `\n` line ends.
pub(super) fn write_rows<W, H, R>(
    writer: W,
    header: H,
    rows: impl IntoIterator<Item = R>,
) -> Result<()>
where
    W: Write,
    H: IntoIterator,
    H::Item: AsRef<[u8]>,
    R: IntoIterator,
    R::Item: AsRef<[u8]>,
{
    let failed = |e| crate::error::write_failed("the sample customers CSV", e);
    let mut csv = csv_writer(writer);
    csv.write_record(header).map_err(failed)?;
    for row in rows {
        csv.write_record(row).map_err(failed)?;
    }
    csv.flush().map_err(|e| failed(csv::Error::from(e)))?;
    Ok(())
}

/// `customer,segment,segment_name`, then one row per customer.
pub(super) fn write_planted_rows<W: Write>(
    writer: W,
    rows: impl Iterator<Item = (impl AsRef<str>, usize)>,
) -> Result<()> {
    let failed = |e| crate::error::write_failed("the planted labels CSV", e);
    let mut csv = csv_writer(writer);
    csv.write_record(["customer", "segment", "segment_name"])
        .map_err(failed)?;
    for (id, segment) in rows {
        let segment_index = segment.to_string();
        csv.write_record([
            id.as_ref(),
            segment_index.as_str(),
            PLANTED_SEGMENTS[segment].name,
        ])
        .map_err(failed)?;
    }
    csv.flush().map_err(|e| failed(csv::Error::from(e)))?;
    Ok(())
}
