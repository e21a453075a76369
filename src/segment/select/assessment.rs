//! The assessment of an [`AutoK`] choice: why the chosen `k` won, whether it sits at an end of
//! the range, whether the structure is weak, and the score table.

use std::ops::RangeInclusive;

use serde::{Deserialize, Serialize};

use super::{AutoK, KScore};
use crate::segment::stability::StabilityScore;

/// How a number of segments was chosen and how much to trust it: what the rest of the crate
/// attaches to the personas. Made by [`AutoK::fit`]; read it with
/// [`KChoice::assessment`](super::KChoice::assessment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KAssessment {
    /// The chosen number of segments.
    pub k: usize,
    /// The range of `k` searched.
    pub range: RangeInclusive<usize>,
    /// One row per `k` tried, in increasing `k`.
    pub scores: Vec<KScore>,
    /// Why the chosen `k` won, in one sentence, e.g. "k = 4: highest combined score 0.93
    /// (silhouette 0.71, stability 0.99); next k = 5 scored 0.61 (less stable: 0.71)".
    pub reason: String,
    /// Whether the chosen `k` is the lowest or the highest `k` tried (never for a range of one
    /// value): the best number of segments may lie outside the range.
    pub on_edge: bool,
    /// Whether the structure is weak: the chosen fit's silhouette is below
    /// [`weak_silhouette_below`](Self::weak_silhouette_below) or its stability below
    /// [`weak_stability_below`](Self::weak_stability_below).
    pub weak_structure: bool,
    /// Plain-language warnings for the reader of the personas (empty when there is nothing to
    /// say): the edge of the range, weak separation, weak stability, tiny segments, values of
    /// `k` skipped because the range reaches past the number of customers.
    pub warnings: Vec<String>,
    /// The minimum share of customers an eligible `k`'s smallest segment had to hold.
    pub min_share_required: f64,
    /// The silhouette below which the structure is called weak.
    pub weak_silhouette_below: f64,
    /// The stability (mean adjusted Rand index) below which the structure is called weak.
    pub weak_stability_below: f64,
    /// The chosen `k`'s stability in full, with a Jaccard stability per segment (indexed by
    /// segment number); `None` when it could not be measured.
    pub stability: Option<StabilityScore>,
}

fn two(v: Option<f64>) -> String {
    v.map_or("-".to_string(), |v| format!("{v:.2}"))
}

/// Three decimals, for values compared with a threshold (0.799 is below 0.80; 0.80 would not
/// read so).
fn three(v: Option<f64>) -> String {
    v.map_or("-".to_string(), |v| format!("{v:.3}"))
}

fn percent(share: f64) -> String {
    format!("{:.1}%", 100.0 * share)
}

impl AutoK {
    /// Builds the assessment of the chosen row `chosen` of `scores`.
    pub(super) fn assess(
        &self,
        scores: Vec<KScore>,
        chosen: usize,
        stability: Option<StabilityScore>,
    ) -> KAssessment {
        let c = &scores[chosen];
        let mut reason = format!(
            "k = {}: combined score {} (silhouette {}, stability {})",
            c.k,
            two(c.combined),
            two(c.silhouette),
            two(c.stability)
        );
        let runner_up = scores
            .iter()
            .enumerate()
            .filter(|(i, s)| *i != chosen && s.eligible && s.combined.is_some())
            .max_by(|(_, a), (_, b)| {
                a.combined
                    .partial_cmp(&b.combined)
                    .unwrap_or(std::cmp::Ordering::Equal)
                    .then(b.k.cmp(&a.k))
            })
            .map(|(_, s)| s);
        if let Some(r) = runner_up {
            let shortfall = |a: Option<f64>, b: Option<f64>| match (a, b) {
                (Some(a), Some(b)) if b > 0.0 => a / b,
                _ => 1.0,
            };
            let why = if r.combined >= c.combined {
                format!(
                    "within {:.0}% of each other, the larger k wins",
                    100.0 * super::NEAR_TIE
                )
            } else if shortfall(r.stability, c.stability) < shortfall(r.separation, c.separation) {
                format!("less stable: {}", two(r.stability))
            } else {
                format!("less separated: silhouette {}", two(r.silhouette))
            };
            reason.push_str(&format!(
                "; next k = {} scored {} ({why})",
                r.k,
                two(r.combined)
            ));
        }
        let all_small = scores.iter().all(|s| s.min_share < self.min_share);
        let excluded: Vec<String> = scores
            .iter()
            .filter(|s| s.combined.is_some() && s.min_share < self.min_share && !all_small)
            .map(|s| s.k.to_string())
            .collect();
        if !excluded.is_empty() {
            reason.push_str(&format!(
                "; k = {} not eligible (a segment below {} of customers)",
                excluded.join(", "),
                percent(self.min_share)
            ));
        }

        let mut warnings = Vec::new();
        let (lo, hi) = (
            scores.first().map_or(c.k, |s| s.k),
            scores.last().map_or(c.k, |s| s.k),
        );
        let on_edge = lo < hi && (c.k == lo || c.k == hi);
        if on_edge && c.k == lo {
            warnings.push(format!(
                "k = {} is the lowest number of segments tried ({}..={}): fewer segments may \
                 describe the customers as well; widen the range downwards to check.",
                c.k,
                self.range.start(),
                self.range.end()
            ));
        } else if on_edge {
            warnings.push(format!(
                "k = {} is the highest number of segments tried ({}..={}): the customers may \
                 hold more segments; widen the range upwards to check.",
                c.k,
                self.range.start(),
                self.range.end()
            ));
        }
        let weak_sil = c.silhouette.is_some_and(|s| s < self.weak_silhouette);
        let weak_stab = c.stability.is_some_and(|s| s < self.weak_stability);
        if weak_sil {
            warnings.push(format!(
                "The segments are slices of a continuum rather than distinct groups (silhouette \
                 {}, below {:.2}): treat the personas as regions of one population.",
                three(c.silhouette),
                self.weak_silhouette
            ));
        }
        if weak_stab {
            warnings.push(format!(
                "The segments do not come back reliably (stability {}, below {:.2}: fits on \
                 subsamples of the customers draw other boundaries): treat the boundaries \
                 between personas as approximate.",
                three(c.stability),
                self.weak_stability
            ));
        }
        if all_small {
            warnings.push(format!(
                "Every k tried leaves a segment with under {} of the customers (here {}): the \
                 smallest persona may describe a handful of unusual customers.",
                percent(self.min_share),
                percent(c.min_share)
            ));
        }
        let last_tried = scores.last().map_or(c.k, |s| s.k);
        if *self.range.end() > last_tried {
            warnings.push(format!(
                "k above {last_tried} was not tried: the range {}..={} reaches past the number of \
                 customers.",
                self.range.start(),
                self.range.end()
            ));
        }
        if c.n_segments < c.k {
            warnings.push(format!(
                "Only {} distinct segments were found for k = {}: many customers have identical \
                 values.",
                c.n_segments, c.k
            ));
        }
        KAssessment {
            k: c.k,
            range: self.range.clone(),
            reason,
            on_edge,
            weak_structure: weak_sil || weak_stab,
            warnings,
            min_share_required: self.min_share,
            weak_silhouette_below: self.weak_silhouette,
            weak_stability_below: self.weak_stability,
            stability,
            scores,
        }
    }
}

impl KAssessment {
    /// The score table as Markdown, one row per `k`, followed by the reason: the chosen row is
    /// marked "(chosen)" and a minimum share below the requirement is marked "(too small)".
    pub fn table(&self) -> String {
        let opt = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.4}"));
        let mut out = String::from(
            "| k | segments | silhouette | Calinski-Harabasz | Davies-Bouldin | stability | \
             min share | separation | combined | inertia | iterations |\n\
             |---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        );
        for s in &self.scores {
            let mark = if s.k == self.k { " (chosen)" } else { "" };
            let small = if s.min_share < self.min_share_required {
                " (too small)"
            } else {
                ""
            };
            out.push_str(&format!(
                "| {}{} | {} | {} | {} | {} | {} | {}{} | {} | {} | {:.4e} | {} |\n",
                s.k,
                mark,
                s.n_segments,
                opt(s.silhouette),
                opt(s.calinski_harabasz),
                opt(s.davies_bouldin),
                opt(s.stability),
                percent(s.min_share),
                small,
                opt(s.separation),
                opt(s.combined),
                s.inertia,
                s.n_iter
            ));
        }
        out.push('\n');
        out.push_str(&self.reason);
        out.push('\n');
        out
    }
}
