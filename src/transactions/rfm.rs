//! RFM: recency, frequency and monetary scores from 1 to 5, and named cells of scores
//! (Champions, Loyal, …, Lost) as a segmentation whose segments become personas.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{names, Aggregate};
use crate::error::{list_for_message, Error, Result};
use crate::segment::Segmentation;
use crate::table::{Column, CustomerTable};

const BUILTIN: &str = include_str!("rfm_cells.json");

/// Quintile scores 1 to 5 of `values`, 5 for the best fifth.
///
/// A value's score is `1 + floor(5 * worse / n)`, where `worse` counts the values strictly worse
/// than it (smaller when `higher_is_better`, larger otherwise) and `n` all values. **Ties are
/// never split**: equal values get the same score, the one the first of them in rank order
/// would get, so a value shared by many customers (one order, say) can leave a score unused
/// rather than give equal customers different scores. NaN values score 1.
///
/// ```
/// use personas::transactions::quintile_scores;
/// assert_eq!(quintile_scores(&[1.0, 2.0, 3.0, 4.0, 5.0], true), [1, 2, 3, 4, 5]);
/// assert_eq!(quintile_scores(&[1.0, 2.0, 3.0, 4.0, 5.0], false), [5, 4, 3, 2, 1]);
/// // Six of ten customers with one order share the lowest score.
/// let orders = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 3.0, 9.0];
/// assert_eq!(quintile_scores(&orders, true), [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]);
/// ```
pub fn quintile_scores(values: &[f64], higher_is_better: bool) -> Vec<u8> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    sorted.sort_by(f64::total_cmp);
    let n = values.len().max(1);
    values
        .iter()
        .map(|&x| {
            if x.is_nan() {
                return 1;
            }
            let worse = if higher_is_better {
                sorted.partition_point(|&v| v < x)
            } else {
                sorted.len() - sorted.partition_point(|&v| v <= x)
            };
            (1 + 5 * worse / n).min(5) as u8
        })
        .collect()
}

/// One customer's recency, frequency and monetary scores, each 1 to 5 (5 is best: the most
/// recent, the most frequent, the highest spend).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RfmScore {
    /// Recency score.
    pub r: u8,
    /// Frequency score.
    pub f: u8,
    /// Monetary score.
    pub m: u8,
}

fn all_scores() -> [u8; 2] {
    [1, 5]
}

/// A named cell: the scores it covers, as inclusive ranges `[low, high]` of 1 to 5.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RfmCell {
    /// The cell's name ("Champions"); it names the persona.
    pub name: String,
    /// Recency scores covered (all when absent in JSON).
    #[serde(default = "all_scores")]
    pub r: [u8; 2],
    /// Frequency scores covered.
    #[serde(default = "all_scores")]
    pub f: [u8; 2],
    /// Monetary scores covered.
    #[serde(default = "all_scores")]
    pub m: [u8; 2],
}

impl RfmCell {
    /// Whether the cell covers these scores.
    pub fn covers(&self, s: RfmScore) -> bool {
        let within = |range: [u8; 2], x: u8| range[0] <= x && x <= range[1];
        within(self.r, s.r) && within(self.f, s.f) && within(self.m, s.m)
    }
}

/// The table of named cells, as data: the first cell that covers a customer's scores names
/// them. In JSON, `{"cells": [{"name": "Champions", "r": [4, 5], "f": [4, 5], "m": [4, 5]},
/// …]}`; a range left out covers every score.
///
/// The built-in table ([`RfmCells::builtin`], `src/transactions/rfm_cells.json`), first match
/// wins:
///
/// | cell | R | F | M |
/// |---|---|---|---|
/// | Champions | 4–5 | 5 | 5 |
/// | Loyal | 3–5 | 4–5 | any |
/// | Potential loyalist | 4–5 | 2–3 | any |
/// | New | 5 | 1 | any |
/// | Promising | 4 | 1 | any |
/// | Need attention | 3 | 2–3 | any |
/// | About to sleep | 3 | 1 | any |
/// | Cannot lose them | 1–2 | 4–5 | 4–5 |
/// | At risk | 1–2 | 3–5 | any |
/// | Hibernating | 2 | 1–2 | any |
/// | Lost | 1 | 1–2 | any |
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RfmCells {
    cells: Vec<RfmCell>,
}

impl RfmCells {
    /// The built-in table (see [`RfmCells`]).
    pub fn builtin() -> Self {
        // The bundled table is checked by a unit test, so failing to read it is a build defect.
        serde_json::from_str(BUILTIN).unwrap_or(RfmCells { cells: Vec::new() })
    }

    /// A table of these cells.
    ///
    /// # Errors
    /// [`Error::InvalidParameter`] when a range is not within 1 to 5 or runs backwards, a name
    /// is empty, or some combination of scores is covered by no cell (the message names it).
    pub fn new(cells: Vec<RfmCell>) -> Result<Self> {
        let table = RfmCells { cells };
        table.validate()?;
        Ok(table)
    }

    /// Reads a table from JSON (see [`RfmCells`]).
    ///
    /// # Errors
    /// [`Error::Json`] for malformed JSON or an unknown key; as [`RfmCells::new`].
    pub fn from_json(json: &str) -> Result<Self> {
        let table: RfmCells = serde_json::from_str(json)?;
        table.validate()?;
        Ok(table)
    }

    /// Reads a table from a JSON file.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read; [`Error::JsonFile`] for malformed JSON; as
    /// [`RfmCells::new`].
    pub fn from_json_file(path: impl AsRef<Path>) -> Result<Self> {
        crate::error::read_json_file(path.as_ref(), Self::from_json)
    }

    /// The table as pretty-printed JSON.
    ///
    /// # Errors
    /// [`Error::Json`] if serialisation fails (it does not).
    pub fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string_pretty(self)?)
    }

    /// The cells, in matching order.
    pub fn cells(&self) -> &[RfmCell] {
        &self.cells
    }

    /// The position of the first cell covering these scores.
    pub fn cell_of(&self, score: RfmScore) -> Option<usize> {
        self.cells.iter().position(|c| c.covers(score))
    }

    fn validate(&self) -> Result<()> {
        for cell in &self.cells {
            if cell.name.trim().is_empty() {
                return Err(Error::InvalidParameter {
                    name: "RFM cell name",
                    value: cell.name.clone(),
                    reason: "every cell needs a name",
                });
            }
            for range in [cell.r, cell.f, cell.m] {
                if !(1..=5).contains(&range[0]) || !(range[0]..=5).contains(&range[1]) {
                    return Err(Error::InvalidParameter {
                        name: "RFM cell range",
                        value: format!("{}: {range:?}", cell.name),
                        reason: "a range is [low, high] with 1 <= low <= high <= 5",
                    });
                }
            }
        }
        for r in 1..=5 {
            for f in 1..=5 {
                for m in 1..=5 {
                    if self.cell_of(RfmScore { r, f, m }).is_none() {
                        return Err(Error::InvalidParameter {
                            name: "RFM cells",
                            value: format!("r {r}, f {f}, m {m}"),
                            reason: "no cell covers these scores; every combination of scores \
                                     1 to 5 needs a cell (end the table with a catch-all cell)",
                        });
                    }
                }
            }
        }
        Ok(())
    }
}

/// One named cell's customers and revenue.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct CellSummary {
    /// The cell's name.
    pub name: String,
    /// The segment number of the cell in [`Rfm::segmentation`].
    pub segment: usize,
    /// Customers in the cell.
    pub customers: usize,
    /// `customers` over all customers scored.
    pub customer_share: f64,
    /// The cell's monetary total.
    pub revenue: f64,
    /// `revenue` over the total of all customers (0 when that total is 0).
    pub revenue_share: f64,
}

/// RFM scores of every customer and the named cells as a segmentation: each occupied cell is a
/// segment (numbered largest first, as every [`Segmentation`]), [`Rfm::names`] names them, and
/// [`crate::Drafter::with_segment_names`] makes the names the personas' names.
#[derive(Debug, Clone)]
pub struct Rfm {
    scores: Vec<RfmScore>,
    segmentation: Segmentation,
    names: Vec<String>,
    summary: Vec<CellSummary>,
}

/// The segment of each customer as plain numbers: the one place that reads the labels' type.
fn segment_numbers(segmentation: &Segmentation) -> Vec<Option<usize>> {
    segmentation
        .labels()
        .iter()
        .map(|l| l.map(|s| s.index()))
        .collect()
}

fn numbers<'a>(table: &'a CustomerTable, name: &str) -> Result<&'a crate::table::Numbers> {
    match table.column(name) {
        Some(Column::Numeric(v)) => Ok(v),
        _ => Err(Error::MissingColumn {
            column: name.to_string(),
            found: list_for_message(
                &table
                    .schema()
                    .attributes()
                    .iter()
                    .map(|a| a.name.as_str())
                    .collect::<Vec<_>>(),
            ),
        }),
    }
}

impl Rfm {
    /// Scores the customers of an order-line aggregate and names their cells.
    ///
    /// # Errors
    /// As [`Rfm::from_table`].
    pub fn new(aggregate: &Aggregate, cells: &RfmCells) -> Result<Self> {
        Self::from_table(aggregate.table(), cells)
    }

    /// Scores the customers of any table with the aggregate's `recency_days`,
    /// `frequency_orders` and `monetary_total` columns ([`names`](super::names)): recency
    /// scores 5 for the most recent fifth, frequency and monetary 5 for the highest (ties as in
    /// [`quintile_scores`]). Each customer's cell is the first of `cells` covering the scores.
    ///
    /// # Errors
    /// [`Error::MissingColumn`] when a column is absent or not numeric; [`Error::AllMissing`]
    /// when a customer has no value in one of them (an aggregate never has).
    pub fn from_table(table: &CustomerTable, cells: &RfmCells) -> Result<Self> {
        cells.validate()?;
        let columns = [names::RECENCY, names::FREQUENCY, names::MONETARY];
        let mut values: Vec<&[f64]> = Vec::with_capacity(3);
        for name in columns {
            let v = numbers(table, name)?;
            if v.validity().missing_count() > 0 {
                return Err(Error::AllMissing {
                    column: name.to_string(),
                });
            }
            values.push(v.values());
        }
        let r = quintile_scores(values[0], false);
        let f = quintile_scores(values[1], true);
        let m = quintile_scores(values[2], true);
        let scores: Vec<RfmScore> = (0..table.n_customers())
            .map(|i| RfmScore {
                r: r[i],
                f: f[i],
                m: m[i],
            })
            .collect();
        // Customers of one name share a raw label: the position of the first cell of that name.
        let first_of_name: Vec<usize> = cells
            .cells
            .iter()
            .map(|c| {
                cells
                    .cells
                    .iter()
                    .position(|o| o.name == c.name)
                    .unwrap_or_default()
            })
            .collect();
        let raw: Vec<Option<usize>> = scores
            .iter()
            .map(|&s| cells.cell_of(s).map(|c| first_of_name[c]))
            .collect();
        let segmentation = Segmentation::new(raw.clone(), None, None)?;
        let labels = segment_numbers(&segmentation);
        let k = segmentation.n_segments();
        let mut names = vec![String::new(); k];
        let mut summary: Vec<CellSummary> = Vec::with_capacity(k);
        for (i, label) in labels.iter().enumerate() {
            if let (Some(s), Some(cell)) = (label, raw[i]) {
                names[*s].clone_from(&cells.cells[cell].name);
            }
        }
        let monetary = values[2];
        let total: f64 = monetary.iter().sum();
        let n = table.n_customers().max(1);
        for (segment, name) in names.iter().enumerate() {
            let (customers, revenue) = labels
                .iter()
                .zip(monetary)
                .filter(|(l, _)| **l == Some(segment))
                .fold((0, 0.0), |(c, r), (_, x)| (c + 1, r + x));
            summary.push(CellSummary {
                name: name.clone(),
                segment,
                customers,
                customer_share: customers as f64 / n as f64,
                revenue,
                revenue_share: if total == 0.0 { 0.0 } else { revenue / total },
            });
        }
        Ok(Rfm {
            scores,
            segmentation,
            names,
            summary,
        })
    }

    /// Each customer's scores, in table order.
    pub fn scores(&self) -> &[RfmScore] {
        &self.scores
    }

    /// The cells as a segmentation, one segment per occupied cell name.
    pub fn segmentation(&self) -> &Segmentation {
        &self.segmentation
    }

    /// The cell name of each segment, segment 0 first.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Each occupied cell's customers and revenue, segment 0 first.
    pub fn summary(&self) -> &[CellSummary] {
        &self.summary
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quintiles_of_distinct_values_are_even_fifths() {
        let values: Vec<f64> = (0..100).map(f64::from).collect();
        let scores = quintile_scores(&values, true);
        for s in 1..=5u8 {
            assert_eq!(scores.iter().filter(|&&x| x == s).count(), 20);
        }
        assert_eq!(scores[0], 1);
        assert_eq!(scores[99], 5);
        // Lower is better: the smallest values score 5.
        let r = quintile_scores(&values, false);
        assert_eq!((r[0], r[99]), (5, 1));
    }

    #[test]
    fn ties_are_never_split() {
        // 50 customers share the value 3: all get the score of the first of them.
        let mut values = vec![3.0; 50];
        values.extend((0..50).map(|i| 10.0 + f64::from(i)));
        values.extend([0.0; 10]);
        let scores = quintile_scores(&values, true);
        let tied: Vec<u8> = scores[..50].to_vec();
        assert!(tied.iter().all(|&s| s == tied[0]));
        // 10 of 110 values are smaller: 1 + floor(5 * 10 / 110) = 1.
        assert_eq!(tied[0], 1);
        assert_eq!(scores[109], 1);
        // Lower is better with ties: everything above 3 is worse for the tied group.
        let r = quintile_scores(&values, false);
        assert_eq!(r[0], 1 + (5 * 50 / 110) as u8);
        // All equal: everyone scores 1.
        assert!(quintile_scores(&[7.0; 9], true).iter().all(|&s| s == 1));
        assert!(quintile_scores(&[], true).is_empty());
    }

    #[test]
    fn the_builtin_table_is_valid_and_covers_every_score() {
        let cells = RfmCells::builtin();
        assert_eq!(cells.cells().len(), 11);
        assert!(cells.validate().is_ok());
        let name = |r, f, m| &cells.cells()[cells.cell_of(RfmScore { r, f, m }).unwrap()].name;
        assert_eq!(name(5, 5, 5), "Champions");
        assert_eq!(name(5, 5, 1), "Loyal");
        assert_eq!(name(4, 4, 5), "Loyal");
        assert_eq!(name(3, 5, 5), "Loyal");
        assert_eq!(name(5, 1, 5), "New");
        assert_eq!(name(4, 1, 1), "Promising");
        assert_eq!(name(4, 3, 3), "Potential loyalist");
        assert_eq!(name(3, 2, 2), "Need attention");
        assert_eq!(name(3, 1, 4), "About to sleep");
        assert_eq!(name(1, 5, 5), "Cannot lose them");
        assert_eq!(name(2, 4, 2), "At risk");
        assert_eq!(name(2, 1, 1), "Hibernating");
        assert_eq!(name(1, 1, 5), "Lost");
        let back = RfmCells::from_json(&cells.to_json().unwrap()).unwrap();
        assert_eq!(back, cells);
    }

    #[test]
    fn a_table_with_gaps_or_bad_ranges_is_refused() {
        let gap = r#"{"cells": [{"name": "Top", "r": [4, 5]}]}"#;
        let err = RfmCells::from_json(gap).unwrap_err();
        assert!(err.to_string().contains("r 1, f 1, m 1"), "{err}");
        let backwards = r#"{"cells": [{"name": "All", "r": [5, 1]}]}"#;
        assert!(RfmCells::from_json(backwards).is_err());
        let unknown = r#"{"cells": [{"name": "All", "x": [1, 5]}]}"#;
        assert!(matches!(RfmCells::from_json(unknown), Err(Error::Json(_))));
        let catch_all = RfmCells::new(vec![RfmCell {
            name: "Everyone".into(),
            r: [1, 5],
            f: [1, 5],
            m: [1, 5],
        }]);
        assert!(catch_all.is_ok());
    }
}
