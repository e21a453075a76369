//! How stable each persona is: Hennig's cluster-wise Jaccard stability attached to the personas,
//! with the verdict in words a marketer reads.

use serde::{Deserialize, Serialize};

use super::Personas;
use crate::segment::stability::StabilityScore;

/// At or above this mean Jaccard agreement a persona is called stable (Hennig's suggestion).
pub const STABLE_FROM: f64 = 0.75;

/// Below this mean Jaccard agreement a persona is called dissolved: it does not come back when
/// the data change a little (Hennig's suggestion).
pub const DISSOLVED_BELOW: f64 = 0.6;

/// The verdict on one persona's stability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StabilityVerdict {
    /// Mean Jaccard agreement at least [`STABLE_FROM`].
    Stable,
    /// Between [`DISSOLVED_BELOW`] and [`STABLE_FROM`].
    Uncertain,
    /// Below [`DISSOLVED_BELOW`].
    Dissolved,
}

impl StabilityVerdict {
    /// The verdict for a mean Jaccard agreement.
    pub fn of(jaccard: f64) -> Self {
        if jaccard >= STABLE_FROM {
            StabilityVerdict::Stable
        } else if jaccard >= DISSOLVED_BELOW {
            StabilityVerdict::Uncertain
        } else {
            StabilityVerdict::Dissolved
        }
    }

    /// The verdict in plain words.
    pub fn words(self) -> &'static str {
        match self {
            StabilityVerdict::Stable => {
                "stable: the segment comes back when the data change a little"
            }
            StabilityVerdict::Uncertain => {
                "uncertain: the segment only partly comes back when the data change a little; \
                 check it against what you know before relying on it"
            }
            StabilityVerdict::Dissolved => {
                "this persona changes when the data change a little; treat it as a hypothesis"
            }
        }
    }
}

/// One persona's stability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonaStability {
    /// The mean over resamples of the segment's best Jaccard agreement with a segment of the
    /// re-fit (1: the same customers every time; near 0: it falls apart).
    pub jaccard: f64,
    /// The verdict ([`STABLE_FROM`], [`DISSOLVED_BELOW`]).
    pub verdict: StabilityVerdict,
    /// The verdict in words.
    pub text: String,
}

/// How stability was measured, for the whole set of personas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StabilitySummary {
    /// The mean adjusted Rand index between the re-fits and the segmentation (1: the same
    /// partition every time).
    pub mean_ari: f64,
    /// The number of resamples re-fitted.
    pub resamples: usize,
    /// Customers in each resample.
    pub resample_size: usize,
    /// Personas whose verdict is not [`StabilityVerdict::Stable`].
    pub flagged: usize,
}

impl Personas {
    /// Attaches a stability measurement of the segmentation the personas were drafted from
    /// ([`crate::segment::stability::Stability::measure`] with the segmentation's labels as
    /// reference): a [`PersonaStability`] on each persona whose segment was seen in a resample,
    /// and a [`StabilitySummary`].
    pub fn with_stability(mut self, score: &StabilityScore) -> Self {
        let mut flagged = 0;
        for persona in &mut self.personas {
            persona.stability = score
                .segment_jaccard
                .get(persona.segment)
                .copied()
                .flatten()
                .map(|jaccard| {
                    let verdict = StabilityVerdict::of(jaccard);
                    if verdict != StabilityVerdict::Stable {
                        flagged += 1;
                    }
                    PersonaStability {
                        jaccard,
                        verdict,
                        text: verdict.words().to_string(),
                    }
                });
        }
        self.stability = Some(StabilitySummary {
            mean_ari: score.mean_ari,
            resamples: score.ari.len(),
            resample_size: score.subsample_size,
            flagged,
        });
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_follow_hennigs_thresholds() {
        assert_eq!(StabilityVerdict::of(0.95), StabilityVerdict::Stable);
        assert_eq!(StabilityVerdict::of(STABLE_FROM), StabilityVerdict::Stable);
        assert_eq!(StabilityVerdict::of(0.7), StabilityVerdict::Uncertain);
        assert_eq!(
            StabilityVerdict::of(DISSOLVED_BELOW),
            StabilityVerdict::Uncertain
        );
        assert_eq!(StabilityVerdict::of(0.59), StabilityVerdict::Dissolved);
        assert!(StabilityVerdict::Dissolved.words().contains("hypothesis"));
    }
}
