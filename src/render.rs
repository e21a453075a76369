//! Rendering: JSON for pipelines, Markdown for people.
//!
//! Markdown is for people: every string that comes from the data (names, labels, units, levels,
//! persona text) is escaped by [`crate::text::escape_markdown`], so a category value holding
//! `#`, `|`, a line break or `<script>` reads as text, never as a heading, a table break or HTML.
//! JSON is data and holds every string exactly as it was.
//!
//! JSON documents carry a `schema_version` (currently [`SCHEMA_VERSION`]) that changes whenever a
//! field is renamed or removed, so pipelines can check what they read. Field names are stable and
//! documented on the types they come from ([`crate::Profiles`] and the types it holds).

use std::fmt::Write as _;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::profile::{Difference, Profiles, SegmentProfile, Statistic, Summary};
use crate::segment::Segmentation;

/// The version of the JSON documents this crate writes.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a, T: Serialize> {
    schema_version: u32,
    generator: &'static str,
    #[serde(flatten)]
    body: &'a T,
}

/// Serialises `body` as a pretty JSON document with `schema_version` and `generator` fields first.
pub(crate) fn json_document<T: Serialize>(body: &T) -> Result<String> {
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        generator: concat!("personas ", env!("CARGO_PKG_VERSION")),
        body,
    };
    Ok(serde_json::to_string_pretty(&doc)?)
}

impl Profiles {
    /// The profiles as a JSON document:
    /// `{"schema_version": 1, "generator": "...", "n_customers": ..., "unassigned": ...,
    /// "segments": [...]}`.
    ///
    /// # Errors
    /// [`crate::Error::Json`] if serialisation fails (it does not for profiles this crate made).
    pub fn to_json(&self) -> Result<String> {
        json_document(self)
    }

    /// The profiles as Markdown: an overview table, then a section per segment with what sets
    /// it apart and every attribute beside all customers.
    pub fn to_markdown(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# Customer segments\n");
        let _ = write!(
            out,
            "{} customers in {} segments",
            group_thousands(self.n_customers as f64),
            self.segments.len()
        );
        if self.unassigned > 0 {
            let _ = write!(
                out,
                "; {} customers fit no segment",
                group_thousands(self.unassigned as f64)
            );
        }
        out.push_str(".\n\n");
        let value_names: Vec<String> = self
            .segments
            .first()
            .map(|s| {
                s.value_shares
                    .iter()
                    .map(|v| s.label(&v.attribute).to_string())
                    .collect()
            })
            .unwrap_or_default();
        out.push_str("| Segment | Customers | Share |");
        for v in &value_names {
            let _ = write!(out, " Share of {} |", escape_markdown(v));
        }
        out.push_str(" Stands out for |\n|---|---:|---:|");
        out.push_str(&"---:|".repeat(value_names.len()));
        out.push_str("---|\n");
        for s in &self.segments {
            let _ = write!(
                out,
                "| {} | {} | {} |",
                s.segment,
                group_thousands(s.size as f64),
                percent(s.share)
            );
            for v in &s.value_shares {
                let _ = write!(out, " {} |", percent(v.share));
            }
            let top: Vec<String> = s
                .distinguishing
                .iter()
                .take(3)
                .map(|d| short_difference(s, d))
                .collect();
            let _ = writeln!(out, " {} |", escape_markdown(&top.join("; ")));
        }
        for s in &self.segments {
            out.push('\n');
            segment_markdown(&mut out, s);
        }
        out
    }
}

impl Segmentation {
    /// Writes a `customer,segment` CSV in input row order: the customer id (from
    /// [`crate::CustomerTable::ids`]) and the segment number, empty for customers in no segment.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when `ids` and the labels differ in length; [`Error::Write`]
    /// (naming the labels CSV) when writing fails.
    pub fn write_labels_csv<W, I>(&self, ids: I, writer: W) -> Result<()>
    where
        W: std::io::Write,
        I: IntoIterator,
        I::Item: AsRef<str>,
        I::IntoIter: ExactSizeIterator,
    {
        let ids = ids.into_iter();
        if ids.len() != self.n_customers() {
            return Err(Error::ShapeMismatch {
                what: "customer ids vs segmentation labels",
                expected: self.n_customers(),
                found: ids.len(),
            });
        }
        let failed = |e| crate::error::write_failed("the segment labels CSV", e);
        let mut out = csv::Writer::from_writer(writer);
        out.write_record(["customer", "segment"]).map_err(failed)?;
        for (id, label) in ids.zip(self.labels()) {
            let segment = label.map(|l| l.to_string()).unwrap_or_default();
            out.write_record([id.as_ref(), segment.as_str()])
                .map_err(failed)?;
        }
        out.flush().map_err(|e| failed(csv::Error::from(e)))?;
        Ok(())
    }
}

fn short_difference(segment: &SegmentProfile, d: &Difference) -> String {
    let label = segment.label(&d.attribute);
    let up = d.standardised >= 0.0;
    match &d.level {
        None => format!("{} {label}", if up { "high" } else { "low" }),
        Some(level) => format!("{} {label} = {level}", if up { "more" } else { "fewer" }),
    }
}

/// A segment's value beside all customers', in short form: "82,400 vs 51,700 (+1.2 sd)" for
/// means and medians (the effect is the standardised mean difference), "45% vs 20% (2.3x)" for
/// shares (the effect is the lift).
pub(crate) fn comparison(
    label: &str,
    statistic: Statistic,
    segment_value: f64,
    population_value: f64,
    effect: f64,
) -> String {
    match statistic {
        Statistic::Share => format!(
            "{} vs {} ({})",
            percent(segment_value),
            percent(population_value),
            lift(effect)
        ),
        Statistic::Mean | Statistic::Median => format!(
            "{} vs {} ({:+.1} sd)",
            number_for(label, segment_value),
            number_for(label, population_value),
            effect
        ),
    }
}

fn segment_markdown(out: &mut String, s: &SegmentProfile) {
    let _ = writeln!(
        out,
        "## Segment {}: {} customers ({})\n",
        s.segment,
        group_thousands(s.size as f64),
        percent(s.share)
    );
    for v in &s.value_shares {
        let _ = writeln!(
            out,
            "Accounts for {} of all {} ({} of {}).\n",
            percent(v.share),
            escape_markdown(s.label(&v.attribute)),
            number(v.segment_total),
            number(v.population_total)
        );
    }
    if s.distinguishing.is_empty() {
        out.push_str("Nothing sets this segment clearly apart from all customers.\n\n");
    } else {
        out.push_str("What sets it apart (segment vs all customers):\n\n");
        for d in &s.distinguishing {
            let label = s.label(&d.attribute);
            let what = match &d.level {
                Some(level) => format!("{label} = {level}"),
                None => label.to_string(),
            };
            let direction = if d.standardised >= 0.0 {
                "more"
            } else {
                "less"
            };
            let numbers = comparison(
                label,
                d.statistic,
                d.segment_value,
                d.population_value,
                d.effect,
            );
            let _ = writeln!(
                out,
                "- **{}** ({direction}): {}",
                escape_markdown(&what),
                escape_markdown(&numbers)
            );
        }
        out.push('\n');
    }
    out.push_str("| Attribute | This segment | All customers |\n|---|---|---|\n");
    for a in &s.attributes {
        let name = match &a.unit {
            Some(unit) => format!("{} ({unit})", a.label),
            None => a.label.clone(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            escape_markdown(&name),
            escape_markdown(&summary_text(&a.label, &a.segment)),
            escape_markdown(&summary_text(&a.label, &a.population))
        );
    }
}

fn summary_text(label: &str, summary: &Summary) -> String {
    match summary {
        Summary::Numeric {
            mean: Some(mean),
            median: Some(median),
            ..
        } => format!(
            "{} (median {})",
            number_for(label, *mean),
            number_for(label, *median)
        ),
        Summary::Numeric { .. } => "no values".into(),
        Summary::Levels { known: 0, .. } => "no values".into(),
        Summary::Levels { shares, .. } => {
            let mut sorted: Vec<_> = shares.iter().filter(|s| s.count > 0).collect();
            sorted.sort_by(|a, b| b.share.total_cmp(&a.share));
            let mut parts: Vec<String> = sorted
                .iter()
                .take(3)
                .map(|s| format!("{} {}", s.level, percent(s.share)))
                .collect();
            if sorted.len() > 3 {
                parts.push("…".into());
            }
            parts.join(", ")
        }
    }
}

/// A lift as a multiplier: "2.3x", "0.02x".
pub(crate) fn lift(x: f64) -> String {
    if x.abs() >= 0.1 {
        format!("{x:.1}x")
    } else {
        format!("{x:.2}x")
    }
}

pub(crate) use crate::text::{escape_markdown, group_thousands, number, number_for, percent};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_csv_has_ids_and_empty_cells_for_no_segment() {
        let s = Segmentation::new(vec![Some(1), None, Some(1)], None, None).unwrap();
        let mut out = Vec::new();
        s.write_labels_csv(["a", "b", "c"], &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "customer,segment\na,0\nb,\nc,0\n"
        );
        assert!(s.write_labels_csv(["a"], Vec::new()).is_err());
    }

    #[test]
    fn table_cells_escape_pipes() {
        assert_eq!(escape_markdown("a|b"), "a\\|b");
    }

    #[test]
    fn numbers_are_readable() {
        assert_eq!(group_thousands(1_234_567.8), "1,234,568");
        assert_eq!(group_thousands(-999.0), "-999");
        assert_eq!(group_thousands(-0.2), "0");
        assert_eq!(number(82_400.4), "82,400");
        assert_eq!(number(152.3), "152");
        assert_eq!(number(34.26), "34.3");
        assert_eq!(number(0.456), "0.46");
        assert_eq!(number(2.0), "2");
        assert_eq!(percent(0.304), "30%");
        assert_eq!(percent(0.054), "5.4%");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(lift(2.345), "2.3x");
        assert_eq!(lift(0.0176), "0.02x");
    }
}
