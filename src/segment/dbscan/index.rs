//! The kd-tree behind DBSCAN's neighbourhood queries.

use super::super::kmeans::sq_dist;

/// Points per leaf of the kd-tree.
const LEAF: usize = 32;

/// A kd-tree over the points (median splits on the widest dimension, a bounding box per node),
/// with the points stored in tree order so that a leaf is contiguous memory. Queries prune every
/// node whose box is farther than `eps`, then check candidates with the exact distance.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Index {
    pub(super) d: usize,
    /// Input index of each stored point.
    pub(super) order: Vec<usize>,
    /// The points' coordinates, in storage order.
    pub(super) points: Vec<f64>,
    pub(super) nodes: Vec<Node>,
    /// Per node, the box's lower then upper corner (`2 d` values).
    boxes: Vec<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Node {
    pub(super) start: usize,
    pub(super) end: usize,
    /// Children, or `None` for a leaf.
    pub(super) children: Option<(usize, usize)>,
    /// One past the largest node id in this node's subtree (ids are in depth-first order).
    pub(super) subtree_end: usize,
}

impl Index {
    pub(super) fn new(x: &[f64], n: usize, d: usize) -> Self {
        let mut index = Index {
            d,
            order: (0..n).collect(),
            points: Vec::with_capacity(n * d),
            nodes: Vec::with_capacity(2 * n.div_ceil(LEAF) + 1),
            boxes: Vec::with_capacity((2 * n.div_ceil(LEAF) + 1) * 2 * d),
        };
        if n > 0 {
            index.build(x, 0, n);
        }
        for &i in &index.order {
            index.points.extend_from_slice(&x[i * d..(i + 1) * d]);
        }
        index
    }

    fn build(&mut self, x: &[f64], start: usize, end: usize) -> usize {
        let d = self.d;
        let id = self.nodes.len();
        self.nodes.push(Node {
            start,
            end,
            children: None,
            subtree_end: id + 1,
        });
        let at = self.boxes.len();
        self.boxes.resize(at + 2 * d, 0.0);
        let (lo, hi) = self.boxes[at..].split_at_mut(d);
        lo.fill(f64::INFINITY);
        hi.fill(f64::NEG_INFINITY);
        for &i in &self.order[start..end] {
            for t in 0..d {
                lo[t] = lo[t].min(x[i * d + t]);
                hi[t] = hi[t].max(x[i * d + t]);
            }
        }
        let (dim, width) = (0..d)
            .map(|t| (t, hi[t] - lo[t]))
            .fold((0, f64::NEG_INFINITY), |a, b| if b.1 > a.1 { b } else { a });
        if end - start <= LEAF || width <= 0.0 {
            return id;
        }
        let mid = start + (end - start) / 2;
        self.order[start..end].select_nth_unstable_by(mid - start, |&a, &b| {
            x[a * d + dim].total_cmp(&x[b * d + dim]).then(a.cmp(&b))
        });
        let left = self.build(x, start, mid);
        let right = self.build(x, mid, end);
        self.nodes[id].children = Some((left, right));
        self.nodes[id].subtree_end = self.nodes.len();
        id
    }

    pub(super) fn point(&self, p: usize) -> &[f64] {
        &self.points[p * self.d..(p + 1) * self.d]
    }

    /// The node ids of the leaves, in storage order.
    pub(super) fn leaves(&self) -> Vec<usize> {
        let mut leaves: Vec<usize> = (0..self.nodes.len())
            .filter(|&id| self.nodes[id].children.is_none())
            .collect();
        leaves.sort_by_key(|&id| self.nodes[id].start);
        leaves
    }

    pub(super) fn bounds(&self, id: usize) -> (&[f64], &[f64]) {
        self.boxes[id * 2 * self.d..(id + 1) * 2 * self.d].split_at(self.d)
    }

    /// The squared diagonal of a node's box.
    pub(super) fn diameter2(&self, id: usize) -> f64 {
        let (lo, hi) = self.bounds(id);
        lo.iter().zip(hi).map(|(l, h)| (h - l) * (h - l)).sum()
    }

    /// The squared largest distance between points of two nodes' boxes.
    pub(super) fn max_gap2(&self, a: usize, b: usize) -> f64 {
        let ((alo, ahi), (blo, bhi)) = (self.bounds(a), self.bounds(b));
        (0..self.d)
            .map(|t| {
                let g = (bhi[t] - alo[t]).max(ahi[t] - blo[t]);
                g * g
            })
            .sum()
    }

    /// The squared smallest distance between points of two nodes' boxes.
    pub(super) fn min_gap2(&self, a: usize, b: usize) -> f64 {
        let ((alo, ahi), (blo, bhi)) = (self.bounds(a), self.bounds(b));
        (0..self.d)
            .map(|t| {
                let g = (blo[t] - ahi[t]).max(alo[t] - bhi[t]).max(0.0);
                g * g
            })
            .sum()
    }

    /// Calls `f(leaf node id)` for every leaf after node `a` (in id order) whose box is within
    /// `sqrt(eps2)` of node `a`'s.
    pub(super) fn visit_leaves_after(&self, a: usize, eps2: f64, mut f: impl FnMut(usize)) {
        let mut stack = [0usize; 130];
        let mut top = 1;
        while top > 0 {
            top -= 1;
            let id = stack[top];
            if self.nodes[id].subtree_end <= a + 1 || self.min_gap2(a, id) > eps2 {
                continue;
            }
            match self.nodes[id].children {
                Some((l, r)) => {
                    stack[top] = r;
                    stack[top + 1] = l;
                    top += 2;
                }
                None => f(id),
            }
        }
    }

    /// Calls `f(position)` for every stored point within `sqrt(eps2)` of `q` until it returns
    /// `false`.
    pub(super) fn visit(&self, q: &[f64], eps2: f64, mut f: impl FnMut(usize) -> bool) {
        self.visit_dist(q, eps2, |p, _| f(p));
    }

    /// As [`Index::visit`], also passing the squared distance.
    pub(super) fn visit_dist(&self, q: &[f64], eps2: f64, mut f: impl FnMut(usize, f64) -> bool) {
        if self.nodes.is_empty() {
            return;
        }
        let d = self.d;
        // The depth of a median-split tree is below 64, so the stack never holds more.
        let mut stack = [0usize; 130];
        let mut top = 1;
        while top > 0 {
            top -= 1;
            let id = stack[top];
            let b = &self.boxes[id * 2 * d..(id + 1) * 2 * d];
            let mut gap = 0.0;
            for t in 0..d {
                let v = q[t];
                let g = (b[t] - v).max(v - b[d + t]).max(0.0);
                gap += g * g;
            }
            if gap > eps2 {
                continue;
            }
            let node = self.nodes[id];
            match node.children {
                Some((l, r)) => {
                    stack[top] = r;
                    stack[top + 1] = l;
                    top += 2;
                }
                None => {
                    for p in node.start..node.end {
                        let d2 = sq_dist(q, self.point(p));
                        if d2 <= eps2 && !f(p, d2) {
                            return;
                        }
                    }
                }
            }
        }
    }
}
