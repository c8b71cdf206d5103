//! Object bodies as a seed and a length: the bytes are made again when needed, so the model of
//! hundreds of multi-MiB objects costs no memory, and a read-back is compared byte for byte.
//! Every 4 KiB window starts with the body's seed and the window's index, so bytes of another
//! body, or of this body at another offset, never compare equal.

use crate::server::Rng;

const WINDOW: usize = 4096;

/// The bodies this harness writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Body {
    pub seed: u64,
    pub len: usize,
}

impl Body {
    /// The body's bytes.
    pub fn bytes(&self) -> Vec<u8> {
        let pattern = self.pattern();
        let mut out = Vec::with_capacity(self.len);
        let mut i = 0u64;
        while out.len() < self.len {
            let mut window = pattern;
            window[..8].copy_from_slice(&self.seed.to_le_bytes());
            window[8..16].copy_from_slice(&i.to_le_bytes());
            let n = (self.len - out.len()).min(WINDOW);
            out.extend_from_slice(&window[..n]);
            i += 1;
        }
        out
    }

    /// Whether `got` is exactly this body.
    pub fn matches(&self, got: &[u8]) -> bool {
        got.len() == self.len && got == self.bytes().as_slice()
    }

    fn pattern(&self) -> [u8; WINDOW] {
        let mut rng = Rng::new(self.seed);
        let mut w = [0u8; WINDOW];
        for c in w.chunks_mut(8) {
            c.copy_from_slice(&rng.next().to_le_bytes());
        }
        w
    }
}

#[test]
fn bodies_differ_by_seed_and_window() {
    let a = Body {
        seed: 1,
        len: 10_000,
    };
    let b = Body {
        seed: 2,
        len: 10_000,
    };
    assert!(a.matches(&a.bytes()));
    assert!(!a.matches(&b.bytes()));
    let mut shifted = a.bytes();
    shifted.rotate_left(WINDOW);
    assert!(!a.matches(&shifted));
    assert!(!a.matches(&a.bytes()[..9_999]));
}
