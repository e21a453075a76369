//! Transforming: filling the feature matrix with the fitted statistics, in parallel blocks of
//! rows ([`FittedEncoder::transform`]).

use std::collections::HashMap;

use ndarray::{Array2, ArrayViewMut2, Axis};
use rayon::prelude::*;

use super::{negative_for_log1p, Encoding, FittedAttribute, FittedEncoder, UnknownLevels};
use crate::error::{list_for_message, Error, Result};
use crate::schema::AttributeKind;
use crate::segment::{FeatureFloat, FeatureMatrix, Precision};
use crate::table::{Codes, Column, CustomerTable, Flags, Numbers, TagSets};

/// Rows per parallel block in [`FittedEncoder::transform`].
pub(super) const BLOCK_ROWS: usize = 2048;

/// A table column prepared for encoding: codes remapped to the fitted levels.
enum Source<'a> {
    Numeric(&'a Numbers),
    Levels {
        codes: &'a Codes,
        levels: &'a [String],
        /// Table code -> fitted level index (`None`: unknown).
        remap: Vec<Option<u32>>,
    },
    Boolean(&'a Flags),
    Tags {
        sets: &'a TagSets,
        levels: &'a [String],
        remap: Vec<Option<u32>>,
    },
}

/// A categorical or tags attribute's block, as [`FittedEncoder::fill_indicators`] writes it.
#[derive(Clone, Copy)]
struct Indicators<'a> {
    /// The fitted levels, one column each from the attribute's offset.
    fitted: &'a [String],
    /// The unweighted encoding of a missing value, per fitted level.
    fill: &'a [f64],
    /// Whether a `(missing)` column follows the level columns.
    missing_column: bool,
    /// The value of a set indicator: the weight, times `f` for categorical attributes.
    on: f64,
    /// The table's levels.
    levels: &'a [String],
    /// Table code -> fitted level index.
    remap: &'a [Option<u32>],
}

fn remap(table_levels: &[String], fitted: &[String]) -> Vec<Option<u32>> {
    let index: HashMap<&str, u32> = fitted
        .iter()
        .enumerate()
        .map(|(i, l)| (l.as_str(), i as u32))
        .collect();
    table_levels
        .iter()
        .map(|l| index.get(l.as_str()).copied())
        .collect()
}

impl FittedEncoder {
    /// Encodes the customers of `table` with the fitted statistics. Attributes are matched by
    /// name and levels by level name, so the table may have other columns, another column order
    /// and differently numbered levels.
    ///
    /// # Parallelisation
    /// Rows are encoded in blocks of 2048 in parallel on the current rayon pool; the result and
    /// the error reported do not depend on the number of threads.
    ///
    /// # Errors
    /// [`Error::MissingColumn`] when the table lacks an encoded attribute;
    /// [`Error::InvalidSchema`] when it holds an attribute as another kind;
    /// [`Error::UnknownLevel`] (with row and column) for a level or tag the encoder was not
    /// fitted on, under [`UnknownLevels::Error`]; [`Error::WrongType`] for a negative value in a
    /// `log1p` attribute; [`Error::Overflow`] when a numeric value is so far from the fitted
    /// statistics that its encoding overflows.
    pub fn transform(&self, table: &CustomerTable) -> Result<Array2<f64>> {
        self.encode_blocks(table, |block, start, fill| fill(block, start))
    }

    /// Encodes the customers of `table` into a matrix of the given [`Precision`]: as
    /// [`FittedEncoder::transform`] for [`Precision::F64`]; for [`Precision::F32`] each block of
    /// rows is encoded in `f64` and rounded to `f32` as it is stored, so the `f64` matrix never
    /// exists and the result takes half the memory.
    ///
    /// # Errors
    /// As [`FittedEncoder::transform`], plus [`Error::Overflow`] (naming the attribute) when an
    /// encoded value is beyond the largest `f32`.
    pub fn transform_as(
        &self,
        table: &CustomerTable,
        precision: Precision,
    ) -> Result<FeatureMatrix> {
        if precision == Precision::F64 {
            return self.transform(table).map(FeatureMatrix::F64);
        }
        let narrow =
            self.encode_blocks(table, |block: &mut ArrayViewMut2<'_, f32>, start, fill| {
                let mut wide = Array2::<f64>::zeros(block.dim());
                fill(&mut wide.view_mut(), start)?;
                if let Some(((_, column), _)) =
                    wide.indexed_iter().find(|(_, v)| v.abs() > f32::MAX.into())
                {
                    return Err(self.overflow_at(column));
                }
                block.zip_mut_with(&wide, |o, &v| *o = f32::from_f64(v));
                Ok(())
            })?;
        Ok(FeatureMatrix::F32(narrow))
    }

    /// A matrix of one row per customer, written in parallel blocks of [`BLOCK_ROWS`] rows:
    /// `write` gets each block, its first customer and `fill`, which encodes every attribute of
    /// the customers from that one into an `f64` block of the same shape. The first error in
    /// block order is returned, whatever the number of threads.
    fn encode_blocks<T, W>(&self, table: &CustomerTable, write: W) -> Result<Array2<T>>
    where
        T: FeatureFloat,
        W: Fn(
                &mut ArrayViewMut2<'_, T>,
                usize,
                &dyn Fn(&mut ArrayViewMut2<'_, f64>, usize) -> Result<()>,
            ) -> Result<()>
            + Sync,
    {
        let sources = self
            .attributes
            .iter()
            .map(|a| self.source(a, table))
            .collect::<Result<Vec<_>>>()?;
        let fill = |block: &mut ArrayViewMut2<'_, f64>, start: usize| {
            self.attributes
                .iter()
                .zip(&sources)
                .try_for_each(|(a, s)| self.fill(a, s, block, start))
        };
        let mut out = Array2::from_elem((table.n_customers(), self.n_features()), T::default());
        let blocks: Vec<_> = out
            .axis_chunks_iter_mut(Axis(0), BLOCK_ROWS)
            .enumerate()
            .collect();
        let results: Vec<Result<()>> = blocks
            .into_par_iter()
            .map(|(b, mut block)| write(&mut block, b * BLOCK_ROWS, &fill))
            .collect();
        results.into_iter().collect::<Result<()>>()?;
        Ok(out)
    }

    /// [`Error::Overflow`] for the attribute that feature column `column` encodes.
    fn overflow_at(&self, column: usize) -> Error {
        let name = self
            .attributes
            .iter()
            .find(|a| a.range().contains(&column))
            .map_or_else(|| format!("feature column {column}"), |a| a.name.clone());
        Error::Overflow { column: name }
    }

    fn source<'a>(&self, a: &FittedAttribute, table: &'a CustomerTable) -> Result<Source<'a>> {
        let Some(column) = table.column(&a.name) else {
            let names: Vec<&str> = table
                .schema()
                .attributes()
                .iter()
                .map(|a| a.name.as_str())
                .collect();
            return Err(Error::MissingColumn {
                column: a.name.clone(),
                found: list_for_message(&names),
            });
        };
        let kind = table.schema().get(&a.name).map(|t| &t.kind);
        let source = match (&a.encoding, column, kind) {
            (Encoding::Numeric { .. }, Column::Numeric(v), _) => Some(Source::Numeric(v)),
            (Encoding::Boolean { .. }, Column::Boolean(v), _) => Some(Source::Boolean(v)),
            (
                Encoding::Categorical { levels: fitted, .. },
                Column::Levels(codes),
                Some(AttributeKind::Categorical { .. }),
            )
            | (
                Encoding::Ordinal { levels: fitted, .. },
                Column::Levels(codes),
                Some(AttributeKind::Ordinal { .. }),
            ) => Some(Source::Levels {
                codes,
                levels: codes.levels(),
                remap: remap(codes.levels(), fitted),
            }),
            (Encoding::Tags { levels: fitted, .. }, Column::Tags(sets), _) => Some(Source::Tags {
                sets,
                levels: sets.levels(),
                remap: remap(sets.levels(), fitted),
            }),
            _ => None,
        };
        source.ok_or_else(|| Error::InvalidSchema {
            attribute: a.name.clone(),
            reason: format!(
                "the encoder was fitted on it as a {} feature, but the table holds it as {}",
                a.encoding.kind_name(),
                kind.filter(|_| !matches!(column, Column::Omitted { .. }))
                    .map_or("text (an identifier or ignored column)", |k| k.name())
            ),
        })
    }

    fn unknown(&self, a: &FittedAttribute, row: usize, value: &str, fitted: &[String]) -> Error {
        Error::UnknownLevel {
            row: row + 1,
            column: a.name.clone(),
            value: crate::error::shorten(value),
            known: list_for_message(fitted),
        }
    }

    /// Writes attribute `a` into `block`, whose first row is customer `start` (0-based).
    fn fill(
        &self,
        a: &FittedAttribute,
        source: &Source<'_>,
        block: &mut ArrayViewMut2<'_, f64>,
        start: usize,
    ) -> Result<()> {
        let n = block.nrows();
        let rows = start..start + n;
        let w = a.weight;
        let o = a.offset;
        let ignore = self.unknown_levels == UnknownLevels::Ignore;
        match (&a.encoding, source) {
            (
                Encoding::Numeric {
                    log1p,
                    center,
                    scale,
                    impute,
                    missing_column,
                    ..
                },
                Source::Numeric(values),
            ) => {
                let encode = |x: f64| {
                    let value = w * (if *log1p { x.ln_1p() } else { x } - center) / scale;
                    if value.is_finite() {
                        Ok(value)
                    } else {
                        Err(Error::Overflow {
                            column: a.name.clone(),
                        })
                    }
                };
                for (i, v) in rows.map(|r| values.get(r)).enumerate() {
                    match v {
                        Some(x) if *log1p && x < 0.0 => {
                            return Err(negative_for_log1p(&a.name, start + i, x))
                        }
                        Some(x) => block[[i, o]] = encode(x)?,
                        None => {
                            block[[i, o]] = encode(*impute)?;
                            if *missing_column {
                                block[[i, o + 1]] = w;
                            }
                        }
                    }
                }
            }
            (
                Encoding::Categorical {
                    levels: fitted,
                    factor,
                    fill,
                    missing_column,
                },
                Source::Levels {
                    codes,
                    levels,
                    remap,
                },
            ) => {
                let indicators = Indicators {
                    fitted,
                    fill,
                    missing_column: *missing_column,
                    on: w * factor,
                    levels,
                    remap,
                };
                let values = rows.map(|r| codes.get(r).map(std::iter::once));
                self.fill_indicators(a, &indicators, values, block, start)?;
            }
            (
                Encoding::Ordinal {
                    levels: fitted,
                    fill,
                    missing_column,
                },
                Source::Levels {
                    codes,
                    levels,
                    remap,
                },
            ) => {
                let step = w / (fitted.len() - 1) as f64;
                for (i, c) in rows.map(|r| codes.get(r)).enumerate() {
                    match c.map(|c| (c, remap[c as usize])) {
                        Some((_, Some(k))) => block[[i, o]] = step * f64::from(k),
                        Some((c, None)) if !ignore => {
                            return Err(self.unknown(a, start + i, &levels[c as usize], fitted))
                        }
                        Some((_, None)) | None => {
                            block[[i, o]] = w * fill;
                            if *missing_column {
                                block[[i, o + 1]] = w;
                            }
                        }
                    }
                }
            }
            (
                Encoding::Boolean {
                    fill,
                    missing_column,
                },
                Source::Boolean(values),
            ) => {
                for (i, v) in rows.map(|r| values.get(r)).enumerate() {
                    match v {
                        Some(true) => block[[i, o]] = w,
                        Some(false) => {}
                        None => {
                            block[[i, o]] = w * fill;
                            if *missing_column {
                                block[[i, o + 1]] = w;
                            }
                        }
                    }
                }
            }
            (
                Encoding::Tags {
                    levels: fitted,
                    fill,
                    missing_column,
                },
                Source::Tags {
                    sets,
                    levels,
                    remap,
                },
            ) => {
                let indicators = Indicators {
                    fitted,
                    fill,
                    missing_column: *missing_column,
                    on: w,
                    levels,
                    remap,
                };
                let values = rows.map(|r| sets.get(r).map(|t| t.iter().copied()));
                self.fill_indicators(a, &indicators, values, block, start)?;
            }
            // `source` only pairs an encoding with its own kind of column.
            _ => unreachable!("source() pairs each encoding with a matching column"),
        }
        Ok(())
    }

    /// Writes a one-hot (categorical) or multi-hot (tags) block: `values` holds each customer's
    /// level codes in the table's numbering (one for a categorical value, any number of tags),
    /// `None` when missing.
    fn fill_indicators<C: IntoIterator<Item = u32>>(
        &self,
        a: &FittedAttribute,
        indicators: &Indicators<'_>,
        values: impl Iterator<Item = Option<C>>,
        block: &mut ArrayViewMut2<'_, f64>,
        start: usize,
    ) -> Result<()> {
        let Indicators {
            fitted,
            fill,
            missing_column,
            on,
            levels,
            remap,
        } = *indicators;
        let o = a.offset;
        let ignore = self.unknown_levels == UnknownLevels::Ignore;
        for (i, value) in values.enumerate() {
            match value {
                Some(codes) => {
                    for c in codes {
                        match remap[c as usize] {
                            Some(k) => block[[i, o + k as usize]] = on,
                            None if !ignore => {
                                return Err(self.unknown(a, start + i, &levels[c as usize], fitted))
                            }
                            None => {}
                        }
                    }
                }
                None if missing_column => block[[i, o + fitted.len()]] = on,
                None => {
                    for (k, f) in fill.iter().enumerate() {
                        block[[i, o + k]] = on * f;
                    }
                }
            }
        }
        Ok(())
    }
}
