//! Hash maps keyed by small integers (thread ids, syscall numbers), looked up at every
//! ptrace stop or event: std's SipHash guards against hash flooding, which ids chosen by
//! the kernel cannot mount, at several times the cost of one multiplication.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A hasher for integer keys: each written word is folded in with a rotate, a xor and a
/// multiplication by 2^64/φ, which spreads consecutive ids over the table's buckets and
/// its control bytes alike.
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

impl IdHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.mix(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.mix(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.mix(u64::from(n));
    }

    fn write_i32(&mut self, n: i32) {
        self.mix(n as u32 as u64);
    }

    fn write_u64(&mut self, n: u64) {
        self.mix(n);
    }

    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }
}

/// A `HashMap` keyed by ids, with [`IdHasher`].
pub type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

/// A `HashSet` of ids, with [`IdHasher`].
pub type IdSet<K> = HashSet<K, BuildHasherDefault<IdHasher>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consecutive_ids_spread_over_buckets_and_control_bytes() {
        let hash = |id: i32| {
            let mut h = IdHasher::default();
            h.write_i32(id);
            h.finish()
        };
        let low: HashSet<u64> = (1000..1256).map(|id| hash(id) & 0xff).collect();
        let top: HashSet<u64> = (1000..1256).map(|id| hash(id) >> 57).collect();
        assert!(low.len() > 150, "low bits collide: {} distinct", low.len());
        assert!(top.len() > 100, "top bits collide: {} distinct", top.len());
    }

    #[test]
    fn maps_behave_as_maps() {
        let mut m: IdMap<i32, &str> = IdMap::default();
        for id in 0..10_000 {
            m.insert(id, "x");
        }
        m.insert(-1, "minus one");
        assert_eq!(m.len(), 10_001);
        assert_eq!(m.get(&-1), Some(&"minus one"));
        assert_eq!(m.get(&9_999), Some(&"x"));
        assert_eq!(m.get(&10_000), None);
    }
}
