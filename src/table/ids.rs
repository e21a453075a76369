//! The customers' ids, stored end to end in one buffer ([`Ids`]).

use std::ops::Index;

/// The customer ids of a [`CustomerTable`](super::CustomerTable), in row order: the identifier
/// attribute's values, or the 1-based row numbers when the schema has no identifier.
///
/// They are stored end to end in one string with an end offset per id, 8 bytes plus the text per
/// customer, where a `Vec<String>` would take 24 bytes plus an allocation each (about 50 bytes
/// for an 8-character id); at 10 million customers that is the difference between about 160 MB
/// and 500 MB.
///
/// ```
/// use personas::{Attribute, CsvOptions, CustomerTable, Schema};
///
/// let schema = Schema::new(vec![Attribute::identifier("id"), Attribute::numeric("spend")])?;
/// let csv = "id,spend\na,1\nb,2\n";
/// let table = CustomerTable::from_csv_reader(csv.as_bytes(), &schema, &CsvOptions::new())?;
/// let ids = table.ids();
/// assert_eq!(ids.len(), 2);
/// assert_eq!(&ids[1], "b");
/// assert_eq!(ids.iter().collect::<Vec<_>>(), ["a", "b"]);
/// assert_eq!(ids, ["a", "b"]);
/// # Ok::<(), personas::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ids {
    text: String,
    ends: Vec<usize>,
}

impl Ids {
    /// No ids.
    pub fn new() -> Self {
        Self::default()
    }

    /// The row numbers `1..=n`, as text.
    pub(crate) fn row_numbers(n: usize) -> Self {
        let mut ids = Ids {
            text: String::with_capacity(n * 7),
            ends: Vec::with_capacity(n),
        };
        for r in 1..=n {
            ids.push(&r.to_string());
        }
        ids
    }

    /// Adds an id after the others.
    pub fn push(&mut self, id: &str) {
        self.text.push_str(id);
        self.ends.push(self.text.len());
    }

    /// Adds `other`'s ids after these.
    pub(crate) fn append(&mut self, other: Ids) {
        let offset = self.text.len();
        self.text.push_str(&other.text);
        self.ends.extend(other.ends.into_iter().map(|e| e + offset));
    }

    /// The number of ids.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The id of row `i` (0-based), if there is one.
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        Some(&self.text[start..end])
    }

    /// Every id, in row order.
    pub fn iter(&self) -> IdsIter<'_> {
        IdsIter {
            ids: self,
            next: 0,
            end: self.len(),
        }
    }

    /// The ids as owned strings.
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_string).collect()
    }
}

impl Index<usize> for Ids {
    type Output = str;

    /// # Panics
    /// When `i` is not below [`Ids::len`].
    fn index(&self, i: usize) -> &str {
        match self.get(i) {
            Some(id) => id,
            None => panic!("id {i} of {}", self.len()),
        }
    }
}

impl<S: AsRef<str>> FromIterator<S> for Ids {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        let mut ids = Ids::new();
        for id in iter {
            ids.push(id.as_ref());
        }
        ids
    }
}

/// An iterator over [`Ids`], in row order.
#[derive(Debug, Clone)]
pub struct IdsIter<'a> {
    ids: &'a Ids,
    next: usize,
    end: usize,
}

impl<'a> Iterator for IdsIter<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.next == self.end {
            return None;
        }
        self.next += 1;
        self.ids.get(self.next - 1)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.end - self.next;
        (left, Some(left))
    }
}

impl DoubleEndedIterator for IdsIter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.next == self.end {
            return None;
        }
        self.end -= 1;
        self.ids.get(self.end)
    }
}

impl ExactSizeIterator for IdsIter<'_> {}

impl<'a> IntoIterator for &'a Ids {
    type Item = &'a str;
    type IntoIter = IdsIter<'a>;

    fn into_iter(self) -> IdsIter<'a> {
        self.iter()
    }
}

impl<S: AsRef<str>> PartialEq<[S]> for Ids {
    fn eq(&self, other: &[S]) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == b.as_ref())
    }
}

impl<S: AsRef<str>, const N: usize> PartialEq<[S; N]> for Ids {
    fn eq(&self, other: &[S; N]) -> bool {
        *self == other[..]
    }
}

impl<S: AsRef<str>, const N: usize> PartialEq<[S; N]> for &Ids {
    fn eq(&self, other: &[S; N]) -> bool {
        **self == other[..]
    }
}

impl<S: AsRef<str>> PartialEq<Vec<S>> for Ids {
    fn eq(&self, other: &Vec<S>) -> bool {
        *self == other[..]
    }
}

impl<S: AsRef<str>> PartialEq<Vec<S>> for &Ids {
    fn eq(&self, other: &Vec<S>) -> bool {
        **self == other[..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_keep_their_order_and_text_across_appends() {
        let mut a: Ids = ["x", "", "yz"].into_iter().collect();
        let b: Ids = ["w"].into_iter().collect();
        a.append(b);
        assert_eq!(a, ["x", "", "yz", "w"]);
        assert_eq!(a.get(3), Some("w"));
        assert_eq!(a.get(4), None);
        assert_eq!(a.iter().rev().collect::<Vec<_>>(), ["w", "yz", "", "x"]);
        assert_eq!(a.iter().len(), 4);
        assert_eq!(Ids::row_numbers(3), ["1", "2", "3"]);
        assert!(Ids::new().is_empty());
        assert_ne!(a, ["x"]);
    }
}
