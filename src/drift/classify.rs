//! What happened to each old persona, from the contingency table of the newer customers (old
//! persona they are assigned to x segment of the re-fit) and the Hungarian matching of centres.

use super::{MATCH_MIN_OVERLAP, MERGE_MIN_PART, MOSTLY, SPLIT_MIN_PART, VANISHED_BELOW};

/// The newer customers counted by old persona (rows `0..k`, then row `k` for "no persona") and
/// by re-fit segment (columns `0..m`, then column `m` for "no segment" of the re-fit).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Contingency {
    counts: Vec<Vec<usize>>,
}

impl Contingency {
    pub(crate) fn new(k: usize, m: usize, old: &[Option<usize>], refit: &[Option<usize>]) -> Self {
        let mut counts = vec![vec![0; m + 1]; k + 1];
        for (o, r) in old.iter().zip(refit) {
            let i = o.filter(|&o| o < k).unwrap_or(k);
            let j = r.filter(|&r| r < m).unwrap_or(m);
            counts[i][j] += 1;
        }
        Contingency { counts }
    }

    fn k(&self) -> usize {
        self.counts.len() - 1
    }

    fn m(&self) -> usize {
        self.counts[0].len() - 1
    }

    pub(crate) fn at(&self, i: usize, j: usize) -> usize {
        self.counts[i][j]
    }

    /// Newer customers assigned to old persona `i` (row `k`: to none).
    pub(crate) fn row(&self, i: usize) -> usize {
        self.counts[i].iter().sum()
    }

    /// Newer customers in re-fit segment `j`.
    pub(crate) fn column(&self, j: usize) -> usize {
        self.counts.iter().map(|r| r[j]).sum()
    }

    fn fraction_of_column(&self, i: usize, j: usize) -> f64 {
        ratio(self.at(i, j), self.column(j))
    }

    fn fraction_of_row(&self, i: usize, j: usize) -> f64 {
        ratio(self.at(i, j), self.row(i))
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// What happened to one old persona, before kept and moved are told apart by how far its centre
/// moved.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Fate {
    /// Matched to this re-fit segment.
    Matched(usize),
    /// Most of the customers of two or more re-fit segments are this persona's now.
    Split(Vec<usize>),
    /// Shares this re-fit segment with these other old personas.
    Merged { into: usize, with: Vec<usize> },
    /// Tiny share now and no match.
    Vanished,
    /// None of the above: its customers are spread over segments that are mostly others'.
    Unmatched,
}

/// The classification of every old persona and the re-fit segments nothing explains.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Classified {
    /// One fate per old persona (row).
    pub(crate) fates: Vec<Fate>,
    /// Re-fit segments that are no old persona's match, split part or merge.
    pub(crate) appeared: Vec<usize>,
}

/// Classifies old personas `0..k`; `matching[i]` is old persona `i`'s Hungarian partner among
/// the re-fit segments, `share_then[i]` its training share, `n` the newer customers, and
/// `separated(a, b)` whether a gap in the newer customers lies between re-fit segments `a` and
/// `b`. The rules are the module's (see [`super`]); the first that applies wins: split, merged,
/// matched, vanished, unmatched. Parts without a gap between them are one group that the re-fit
/// cut (k-means must place all its centres somewhere): the persona is matched to its Hungarian
/// partner among them, and the other parts are explained by it.
pub(crate) fn classify(
    table: &Contingency,
    matching: &[Option<usize>],
    share_then: &[f64],
    n: usize,
    separated: &dyn Fn(usize, usize) -> bool,
) -> Classified {
    let (k, m) = (table.k(), table.m());
    // A Hungarian pair counts as a match when most of the re-fit segment is the old persona's.
    let accepted: Vec<Option<usize>> = (0..k)
        .map(|i| {
            matching
                .get(i)
                .copied()
                .flatten()
                .filter(|&j| j < m && table.fraction_of_column(i, j) >= MATCH_MIN_OVERLAP)
        })
        .collect();
    let parts: Vec<Vec<usize>> = (0..k)
        .map(|i| {
            (0..m)
                .filter(|&j| {
                    table.fraction_of_column(i, j) >= MOSTLY
                        && table.fraction_of_row(i, j) >= SPLIT_MIN_PART
                })
                .collect()
        })
        .collect();
    // For each re-fit segment, the old personas that poured most of themselves into it and make
    // up a real part of it.
    let sources: Vec<Vec<usize>> = (0..m)
        .map(|j| {
            (0..k)
                .filter(|&i| {
                    table.fraction_of_row(i, j) >= MOSTLY
                        && table.fraction_of_column(i, j) >= MERGE_MIN_PART
                })
                .collect()
        })
        .collect();
    let mut explained = vec![false; m];
    let fates: Vec<Fate> = (0..k)
        .map(|i| {
            if parts[i].len() >= 2 {
                parts[i].iter().for_each(|&j| explained[j] = true);
                let gaps = parts[i]
                    .iter()
                    .enumerate()
                    .all(|(x, &a)| parts[i][x + 1..].iter().all(|&b| separated(a, b)));
                if gaps {
                    return Fate::Split(parts[i].clone());
                }
                let partner = accepted[i].filter(|j| parts[i].contains(j));
                return Fate::Matched(partner.unwrap_or(parts[i][0]));
            }
            if let Some(j) = (0..m).find(|&j| sources[j].len() >= 2 && sources[j].contains(&i)) {
                explained[j] = true;
                return Fate::Merged {
                    into: j,
                    with: sources[j].iter().copied().filter(|&o| o != i).collect(),
                };
            }
            let share_now = ratio(table.row(i), n);
            let then = share_then.get(i).copied().unwrap_or(0.0);
            match accepted[i] {
                Some(j) => {
                    explained[j] = true;
                    Fate::Matched(j)
                }
                None if share_now < VANISHED_BELOW * then || table.row(i) == 0 => Fate::Vanished,
                None => Fate::Unmatched,
            }
        })
        .collect();
    let appeared = (0..m).filter(|&j| !explained[j]).collect();
    Classified { fates, appeared }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A contingency table from `(old, refit, count)` triples; `None` is "no persona"/"no segment".
    fn table(k: usize, m: usize, cells: &[(Option<usize>, Option<usize>, usize)]) -> Contingency {
        let mut old = Vec::new();
        let mut refit = Vec::new();
        for &(o, r, c) in cells {
            old.extend(std::iter::repeat_n(o, c));
            refit.extend(std::iter::repeat_n(r, c));
        }
        Contingency::new(k, m, &old, &refit)
    }

    #[test]
    fn the_contingency_table_counts_no_persona_and_no_segment_in_their_own_cells() {
        let t = table(
            2,
            1,
            &[
                (Some(0), Some(0), 3),
                (None, Some(0), 2),
                (Some(1), None, 4),
            ],
        );
        assert_eq!((t.at(0, 0), t.at(2, 0), t.at(1, 1)), (3, 2, 4));
        assert_eq!((t.row(2), t.column(0), t.column(1)), (2, 5, 4));
    }

    #[test]
    fn the_same_segments_again_are_matched() {
        let t = table(
            2,
            2,
            &[
                (Some(0), Some(0), 60),
                (Some(1), Some(1), 38),
                (Some(1), Some(0), 2),
            ],
        );
        let c = classify(&t, &[Some(0), Some(1)], &[0.6, 0.4], 100, &|_, _| true);
        assert_eq!(c.fates, vec![Fate::Matched(0), Fate::Matched(1)]);
        assert!(c.appeared.is_empty());
    }

    #[test]
    fn one_old_persona_behind_two_new_segments_is_a_split() {
        let t = table(
            2,
            3,
            &[
                (Some(0), Some(0), 50),
                (Some(1), Some(1), 25),
                (Some(1), Some(2), 25),
            ],
        );
        let c = classify(&t, &[Some(0), Some(1)], &[0.5, 0.5], 100, &|_, _| true);
        assert_eq!(c.fates[1], Fate::Split(vec![1, 2]));
        assert!(c.appeared.is_empty(), "{c:?}");
    }

    #[test]
    fn two_parts_without_a_gap_are_one_group_cut_in_two() {
        let t = table(
            2,
            3,
            &[
                (Some(0), Some(0), 50),
                (Some(1), Some(1), 25),
                (Some(1), Some(2), 25),
            ],
        );
        let c = classify(&t, &[Some(0), Some(2)], &[0.5, 0.5], 100, &|_, _| false);
        assert_eq!(c.fates[1], Fate::Matched(2));
        assert!(c.appeared.is_empty(), "{c:?}");
    }

    #[test]
    fn a_small_splinter_is_not_a_split() {
        // 10% of persona 1 forms segment 2: below the split part size, so it is no split.
        let t = table(
            2,
            3,
            &[
                (Some(0), Some(0), 50),
                (Some(1), Some(1), 45),
                (Some(1), Some(2), 5),
            ],
        );
        let c = classify(&t, &[Some(0), Some(1)], &[0.5, 0.5], 100, &|_, _| true);
        assert_eq!(c.fates[1], Fate::Matched(1));
        assert_eq!(c.appeared, vec![2]);
    }

    #[test]
    fn two_old_personas_in_one_new_segment_are_merged() {
        let t = table(
            3,
            2,
            &[
                (Some(0), Some(0), 50),
                (Some(1), Some(1), 30),
                (Some(2), Some(1), 20),
            ],
        );
        let c = classify(
            &t,
            &[Some(0), Some(1), None],
            &[0.5, 0.3, 0.2],
            100,
            &|_, _| true,
        );
        assert_eq!(c.fates[0], Fate::Matched(0));
        assert_eq!(
            c.fates[1],
            Fate::Merged {
                into: 1,
                with: vec![2]
            }
        );
        assert_eq!(
            c.fates[2],
            Fate::Merged {
                into: 1,
                with: vec![1]
            }
        );
    }

    #[test]
    fn a_persona_without_customers_or_match_vanished_and_a_segment_of_outsiders_appeared() {
        let t = table(
            2,
            2,
            &[
                (Some(0), Some(0), 70),
                (Some(1), Some(0), 1),
                (None, Some(1), 29),
            ],
        );
        // Hungarian pairs persona 1 with segment 1, but the segment is not its customers.
        let c = classify(&t, &[Some(0), Some(1)], &[0.6, 0.4], 100, &|_, _| true);
        assert_eq!(c.fates, vec![Fate::Matched(0), Fate::Vanished]);
        assert_eq!(c.appeared, vec![1]);
    }

    #[test]
    fn a_persona_spread_over_others_segments_is_unmatched() {
        let t = table(
            3,
            2,
            &[
                (Some(0), Some(0), 40),
                (Some(1), Some(1), 40),
                (Some(2), Some(0), 10),
                (Some(2), Some(1), 10),
            ],
        );
        let c = classify(
            &t,
            &[Some(0), Some(1), None],
            &[0.4, 0.4, 0.2],
            100,
            &|_, _| true,
        );
        assert_eq!(c.fates[2], Fate::Unmatched);
    }
}
