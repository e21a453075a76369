//! A fast, non-cryptographic hasher for the hot paths: level dictionaries, customer ids and
//! name -> column lookups hash every cell of a file, where the standard library's SipHash costs
//! more than the parse itself.
//!
//! The keys are the user's own cell texts, so a crafted file could make many of them collide;
//! that costs time, never correctness, and the inputs here are the user's own data rather than
//! requests from strangers. Iteration order of these maps is never observable in any output.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A multiply-rotate hasher over 8-byte words (the scheme of rustc's `FxHasher`, written here).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FastHasher {
    state: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FastHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.state = (self.state.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FastHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 56));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        // One more mix so that the low bits, which the table indexes by, depend on every input bit.
        let x = self.state;
        (x ^ (x >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9) ^ (x >> 32)
    }
}

/// A `HashMap` with [`FastHasher`].
pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// A hash set with [`FastHasher`].
pub(crate) type FastSet<T> = std::collections::HashSet<T, BuildHasherDefault<FastHasher>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::Hash;

    fn hash<T: Hash + ?Sized>(t: &T) -> u64 {
        let mut h = FastHasher::default();
        t.hash(&mut h);
        h.finish()
    }

    #[test]
    fn equal_keys_hash_equal_and_near_keys_differ() {
        assert_eq!(hash("customer"), hash(&String::from("customer")));
        let keys: Vec<String> = (0..10_000).map(|i| format!("C{i:05}")).collect();
        let distinct: std::collections::HashSet<u64> =
            keys.iter().map(|k| hash(k.as_str())).collect();
        assert_eq!(distinct.len(), keys.len());
        // Strings differing only in length of a zero tail must not collide.
        assert_ne!(hash(&b"ab"[..]), hash(&b"ab\0"[..]));
    }

    #[test]
    fn maps_work_as_maps() {
        let mut m: FastMap<String, usize> = FastMap::default();
        for i in 0..1000 {
            m.insert(i.to_string(), i);
        }
        assert_eq!(m.len(), 1000);
        assert_eq!(m.get("517"), Some(&517));
    }
}
