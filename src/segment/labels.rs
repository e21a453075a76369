//! Segment ids, labels and the one renumbering routine every engine goes through.

use std::fmt;
use std::num::NonZeroU32;

use ndarray::Array2;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

/// The number of a segment: 0 is the largest segment, 1 the next, and so on.
///
/// A customer's label is an `Option<SegmentId>` everywhere in the crate: `None` means "in no
/// segment" (a DBSCAN outlier, or a new customer too far from every segment to be assigned).
/// An `Option<SegmentId>` takes four bytes. It serialises as the plain number.
///
/// ```
/// use personas::segment::SegmentId;
///
/// let id = SegmentId::new(2);
/// assert_eq!(id.index(), 2);
/// assert_eq!(id.to_string(), "2");
/// assert_eq!(std::mem::size_of::<Option<SegmentId>>(), 4);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SegmentId(NonZeroU32);

impl SegmentId {
    /// The largest segment number.
    pub const MAX: usize = u32::MAX as usize - 1;

    /// The segment numbered `index`.
    ///
    /// # Panics
    /// When `index` is above [`SegmentId::MAX`] (four billion segments; no segmentation of
    /// customers that fit in memory has that many).
    pub fn new(index: usize) -> Self {
        Self::try_new(index).expect("a segment number above SegmentId::MAX")
    }

    /// The segment numbered `index`, or `None` above [`SegmentId::MAX`].
    pub fn try_new(index: usize) -> Option<Self> {
        u32::try_from(index)
            .ok()
            .and_then(|i| i.checked_add(1))
            .and_then(NonZeroU32::new)
            .map(SegmentId)
    }

    /// The segment's number, to index per-segment arrays (sizes, centroids, profiles).
    pub fn index(self) -> usize {
        (self.0.get() - 1) as usize
    }
}

impl fmt::Debug for SegmentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SegmentId({})", self.index())
    }
}

impl fmt::Display for SegmentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.index(), f)
    }
}

impl From<SegmentId> for usize {
    fn from(id: SegmentId) -> usize {
        id.index()
    }
}

impl Serialize for SegmentId {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_u32(self.0.get() - 1)
    }
}

impl<'de> Deserialize<'de> for SegmentId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let index = u64::deserialize(d)?;
        usize::try_from(index)
            .ok()
            .and_then(SegmentId::try_new)
            .ok_or_else(|| serde::de::Error::custom(format!("segment number {index} is too large")))
    }
}

/// Ranks segments largest first, ties to the segment whose first customer comes first, then to
/// the lower raw number: the order of `Segmentation`'s numbering. `counts[l]` and `first[l]` are
/// raw segment `l`'s size and first customer; empty segments are left out unless `keep_empty`,
/// which puts them last.
pub(crate) fn rank_by_size(counts: &[usize], first: &[usize], keep_empty: bool) -> Vec<usize> {
    let mut order: Vec<usize> = (0..counts.len())
        .filter(|&l| keep_empty || counts[l] > 0)
        .collect();
    order.sort_by_key(|&l| (std::cmp::Reverse(counts[l]), first[l], l));
    order
}

/// The result of segmenting customers: a label per customer and what the algorithm learned.
///
/// Segments are numbered so that segment 0 is the largest, then 1, and so on (ties go to the
/// segment whose first customer comes first), which makes results comparable between runs and
/// algorithms. It serialises with its labels and sizes (centroids are the fitted model's, not
/// the segmentation's) and reads back with both checked against each other.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "SegmentationData")]
pub struct Segmentation {
    labels: Vec<Option<SegmentId>>,
    sizes: Vec<usize>,
    #[serde(skip)]
    centroids: Option<Array2<f64>>,
    inertia: Option<f64>,
}

/// The serialised form of a [`Segmentation`], checked on the way in.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SegmentationData {
    labels: Vec<Option<SegmentId>>,
    sizes: Vec<usize>,
    inertia: Option<f64>,
}

impl TryFrom<SegmentationData> for Segmentation {
    type Error = Error;

    fn try_from(data: SegmentationData) -> Result<Self> {
        let mut counts = vec![0usize; data.sizes.len()];
        for label in data.labels.iter().flatten() {
            let slot = counts.get_mut(label.index()).ok_or(Error::ShapeMismatch {
                what: "segments named by the labels",
                expected: data.sizes.len(),
                found: label.index() + 1,
            })?;
            *slot += 1;
        }
        if counts != data.sizes {
            return Err(Error::InvalidParameter {
                name: "sizes",
                value: format!("{:?}", data.sizes),
                reason: "the sizes must count the labels of each segment",
            });
        }
        if let Some(i) = data.inertia.filter(|i| !(i.is_finite() && *i >= 0.0)) {
            return Err(Error::InvalidParameter {
                name: "inertia",
                value: i.to_string(),
                reason: "an inertia is a finite number >= 0",
            });
        }
        // Read back through the numbering rule, so a hand-edited file cannot break it.
        let raw = data
            .labels
            .iter()
            .map(|l| l.map(SegmentId::index))
            .collect();
        Segmentation::new(raw, None, data.inertia)
    }
}

impl Segmentation {
    /// Builds a segmentation from raw labels (any numbering; `None` for "no segment") and optional
    /// centroids indexed by raw label. This is the crate's one renumbering routine: segment 0 is
    /// the largest; centroid rows follow their segments, and centroids of labels no customer
    /// carries are dropped.
    ///
    /// # Errors
    /// [`Error::ShapeMismatch`] when a label has no centroid row.
    pub fn new(
        labels: Vec<Option<usize>>,
        centroids: Option<Array2<f64>>,
        inertia: Option<f64>,
    ) -> Result<Self> {
        if let (Some(c), Some(max)) = (&centroids, labels.iter().flatten().max()) {
            if *max >= c.nrows() {
                return Err(Error::ShapeMismatch {
                    what: "centroid rows for the labels used",
                    expected: max.saturating_add(1),
                    found: c.nrows(),
                });
            }
        }
        // Raw labels may be any numbers: map them to 0.. in order of first appearance, through a
        // table when they are small (the usual case) and a hash map otherwise.
        let max = labels.iter().flatten().copied().max().unwrap_or(0);
        let mut table = if max <= labels.len() {
            vec![usize::MAX; max + 1]
        } else {
            Vec::new()
        };
        let mut map: crate::hash::FastMap<usize, usize> = Default::default();
        let mut raw_of: Vec<usize> = Vec::new();
        let mut dense = |raw: usize| {
            let slot = match table.get_mut(raw) {
                Some(slot) => slot,
                None => map.entry(raw).or_insert(usize::MAX),
            };
            if *slot == usize::MAX {
                *slot = raw_of.len();
                raw_of.push(raw);
            }
            *slot
        };
        let dense_labels: Vec<Option<usize>> =
            labels.into_iter().map(|l| l.map(&mut dense)).collect();
        let n_raw = raw_of.len();
        let mut counts = vec![0usize; n_raw];
        let mut first_seen = vec![usize::MAX; n_raw];
        for (i, l) in dense_labels.iter().enumerate() {
            if let Some(l) = *l {
                counts[l] += 1;
                first_seen[l] = first_seen[l].min(i);
            }
        }
        // Dense numbers follow first appearance, so ranking by size then first customer then
        // dense number is the documented rule.
        let order = rank_by_size(&counts, &first_seen, false);
        let mut new_of = vec![None; n_raw];
        for (new, &old) in order.iter().enumerate() {
            new_of[old] = Some(SegmentId::try_new(new).ok_or(Error::ShapeMismatch {
                what: "segments (at most SegmentId::MAX + 1)",
                expected: SegmentId::MAX + 1,
                found: order.len(),
            })?);
        }
        let labels = dense_labels
            .into_iter()
            .map(|l| l.and_then(|l| new_of[l]))
            .collect();
        let sizes = order.iter().map(|&l| counts[l]).collect();
        let rows: Vec<usize> = order.iter().map(|&l| raw_of[l]).collect();
        let centroids = centroids.map(|c| c.select(ndarray::Axis(0), &rows));
        Ok(Segmentation {
            labels,
            sizes,
            centroids,
            inertia,
        })
    }

    /// The segment of each customer, in input order; `None` for customers in no segment.
    pub fn labels(&self) -> &[Option<SegmentId>] {
        &self.labels
    }

    /// The number of segments (not counting "no segment").
    pub fn n_segments(&self) -> usize {
        self.sizes.len()
    }

    /// The number of customers in each segment, largest first.
    pub fn sizes(&self) -> &[usize] {
        &self.sizes
    }

    /// The number of customers in no segment.
    pub fn unassigned(&self) -> usize {
        self.labels.iter().filter(|l| l.is_none()).count()
    }

    /// The number of customers segmented (including those in no segment).
    pub fn n_customers(&self) -> usize {
        self.labels.len()
    }

    /// The centroids in feature space, one row per segment, when the algorithm has them.
    pub fn centroids(&self) -> Option<&Array2<f64>> {
        self.centroids.as_ref()
    }

    /// The sum of squared distances from customers to their centroid, when defined.
    pub fn inertia(&self) -> Option<f64> {
        self.inertia
    }
}

/// Labels as plain numbers, for tests that compare with literals.
#[cfg(test)]
pub(crate) fn indices(labels: &[Option<SegmentId>]) -> Vec<Option<usize>> {
    labels.iter().map(|l| l.map(SegmentId::index)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn ids(labels: &[Option<usize>]) -> Vec<Option<SegmentId>> {
        labels.iter().map(|l| l.map(SegmentId::new)).collect()
    }

    #[test]
    fn labels_are_renumbered_largest_first_with_centroids_following() {
        let raw = vec![Some(2), Some(0), Some(2), None, Some(2), Some(0), Some(1)];
        let centroids = array![[0.0], [1.0], [2.0], [3.0]];
        let s = Segmentation::new(raw, Some(centroids), None).unwrap();
        assert_eq!(
            s.labels(),
            ids(&[Some(0), Some(1), Some(0), None, Some(0), Some(1), Some(2)])
        );
        assert_eq!(s.sizes(), &[3, 2, 1]);
        assert_eq!(s.unassigned(), 1);
        assert_eq!(s.centroids().unwrap(), &array![[2.0], [0.0], [1.0]]);
    }

    #[test]
    fn ties_go_to_the_segment_seen_first() {
        let s = Segmentation::new(vec![Some(5), Some(3), Some(3), Some(5)], None, None).unwrap();
        assert_eq!(s.labels(), ids(&[Some(0), Some(1), Some(1), Some(0)]));
    }

    #[test]
    fn any_label_numbers_are_accepted() {
        let s = Segmentation::new(
            vec![Some(usize::MAX), Some(1 << 40), Some(usize::MAX)],
            None,
            None,
        )
        .unwrap();
        assert_eq!(s.labels(), ids(&[Some(0), Some(1), Some(0)]));
        assert_eq!(s.sizes(), &[2, 1]);
        let c = Segmentation::new(vec![Some(usize::MAX)], Some(array![[0.0]]), None);
        assert!(matches!(c, Err(Error::ShapeMismatch { .. })));
    }

    #[test]
    fn missing_centroid_rows_are_an_error() {
        let r = Segmentation::new(vec![Some(3)], Some(array![[0.0]]), None);
        assert!(matches!(r, Err(Error::ShapeMismatch { .. })));
    }

    #[test]
    fn segment_ids_round_trip_and_refuse_the_impossible() {
        assert_eq!(SegmentId::new(0).index(), 0);
        assert_eq!(SegmentId::new(SegmentId::MAX).index(), SegmentId::MAX);
        assert_eq!(SegmentId::try_new(SegmentId::MAX + 1), None);
        assert!(SegmentId::new(1) > SegmentId::new(0));
        let json = serde_json::to_string(&[Some(SegmentId::new(3)), None]).unwrap();
        assert_eq!(json, "[3,null]");
        let back: Vec<Option<SegmentId>> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, vec![Some(SegmentId::new(3)), None]);
        assert!(serde_json::from_str::<SegmentId>("-1").is_err());
        assert!(serde_json::from_str::<SegmentId>("4294967295").is_err());
    }

    #[test]
    fn a_segmentation_reads_back_and_a_damaged_one_is_refused() {
        let s = Segmentation::new(vec![Some(1), None, Some(1), Some(0)], None, Some(2.5)).unwrap();
        let json = serde_json::to_string(&s).unwrap();
        let back: Segmentation = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
        for bad in [
            r#"{"labels":[0,1],"sizes":[2],"inertia":null}"#,
            r#"{"labels":[0,0],"sizes":[1],"inertia":null}"#,
            r#"{"labels":[0],"sizes":[1],"inertia":-1.0}"#,
            r#"{"labels":[0],"sizes":[1],"inertia":null,"extra":1}"#,
        ] {
            assert!(serde_json::from_str::<Segmentation>(bad).is_err(), "{bad}");
        }
    }
}
