//! Decoding: a point of feature space back to attribute values in original units
//! ([`FittedEncoder::decode`]).

use ndarray::ArrayView1;

use super::{
    DecodedAttribute, DecodedShare, DecodedValue, Encoding, FittedAttribute, FittedEncoder,
};
use crate::error::{Error, Result};

impl FittedEncoder {
    /// Maps a point of feature space (a centroid, or any encoded customer) back to each encoded
    /// attribute in original units, dividing the weights out: numeric values through inverse
    /// scaling and `expm1` (for `log1p` attributes); categorical blocks to level shares
    /// (`column / (w · f)`) and the largest; ordinal ranks to the level scale
    /// (`column / w · (L - 1)`) and the nearest level; booleans and tags to shares.
    ///
    /// Decoding is linear in the point except for `expm1`: the mean of encoded customers decodes
    /// to their mean value (or level shares), but for `log1p` attributes to the `expm1` of their
    /// mean `ln(1 + x)`, a geometric-type mean.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when the point's length is not [`FittedEncoder::n_features`];
    /// [`Error::NonFiniteFeature`] (row 0) for a NaN or infinite coordinate.
    pub fn decode(&self, point: ArrayView1<'_, f64>) -> Result<Vec<DecodedAttribute>> {
        if point.len() != self.n_features() {
            return Err(Error::ShapeMismatch {
                what: "point length vs encoded features",
                expected: self.n_features(),
                found: point.len(),
            });
        }
        if let Some((column, &value)) = point.iter().enumerate().find(|(_, x)| !x.is_finite()) {
            return Err(Error::NonFiniteFeature {
                row: 0,
                column,
                value,
            });
        }
        Ok(self
            .attributes
            .iter()
            .map(|a| DecodedAttribute {
                attribute: a.name.clone(),
                value: decode_attribute(a, point),
            })
            .collect())
    }
}

fn decode_attribute(a: &FittedAttribute, point: ArrayView1<'_, f64>) -> DecodedValue {
    let w = a.weight;
    let o = a.offset;
    let at = |k: usize| point[o + k] / w;
    let missing_share = a
        .encoding
        .has_missing_column()
        .then(|| at(a.encoding.value_width()));
    let shares = |levels: &[String], divisor: f64| -> Vec<DecodedShare> {
        levels
            .iter()
            .enumerate()
            .map(|(k, l)| DecodedShare {
                level: l.clone(),
                share: at(k) / divisor,
            })
            .collect()
    };
    match &a.encoding {
        Encoding::Numeric {
            log1p,
            center,
            scale,
            ..
        } => {
            let t = at(0) * scale + center;
            DecodedValue::Numeric {
                value: if *log1p { t.exp_m1() } else { t },
                missing_share,
            }
        }
        Encoding::Categorical { levels, factor, .. } => {
            let shares = shares(levels, *factor);
            let missing_share = missing_share.map(|m| m / factor);
            let nearest = shares
                .iter()
                .fold(None::<&DecodedShare>, |best, s| match best {
                    Some(b) if b.share >= s.share => Some(b),
                    _ => Some(s),
                })
                .map(|s| s.level.clone())
                .unwrap_or_default();
            DecodedValue::Categorical {
                shares,
                nearest,
                missing_share,
            }
        }
        Encoding::Ordinal { levels, .. } => {
            let top = levels.len() - 1;
            let rank = at(0) * top as f64;
            let index = rank.round().clamp(0.0, top as f64) as usize;
            DecodedValue::Ordinal {
                rank,
                nearest: levels[index].clone(),
                missing_share,
            }
        }
        Encoding::Boolean { .. } => DecodedValue::Boolean {
            share_true: at(0),
            missing_share,
        },
        Encoding::Tags { levels, .. } => DecodedValue::Tags {
            shares: shares(levels, 1.0),
            missing_share,
        },
    }
}
