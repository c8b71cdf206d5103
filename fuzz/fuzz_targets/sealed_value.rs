//! The sealed formats read back from the metadata store: values sealed inline under a data key
//! (`open_inline`: SSE-S3 bucket keys, KMS key material) and values sealed under the root key
//! (`RootKey::open`). Their bytes come from disk, not from clients, but a corrupted or swapped
//! value must fail cleanly, never panic or allocate out of proportion.
//!
//! Input: a control byte, then either the sealed bytes (bit 0 clear) or mutations (3 bytes:
//! position, operation) of a genuine sealed value (bit 0 set); bit 1 picks the root key. What
//! opens must be the genuine plaintext: a mutated value that opens is a forgery.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;
use trailstack_store::{open_inline, seal_inline, DataKey, RootKey};

const CONTEXT: &[u8] = b"trailstack-fuzz/sealed-value";
const PURPOSE: &str = "fuzz";

struct Genuine {
    data_key: DataKey,
    root: RootKey,
    plaintext: Vec<u8>,
    inline: Vec<u8>,
    rooted: Vec<u8>,
}

fn genuine() -> &'static Genuine {
    static G: OnceLock<Genuine> = OnceLock::new();
    G.get_or_init(|| {
        let data_key = DataKey::from_bytes(&[7u8; 32]).expect("32 bytes");
        let root = RootKey::from_bytes(&[9u8; 32]).expect("32 bytes");
        // Two chunks and a bit, so that chunk boundaries can be mutated too.
        let plaintext: Vec<u8> = (0..(2 * 65_536 + 100u32)).map(|i| i as u8).collect();
        let inline = seal_inline(&data_key, CONTEXT, &plaintext).expect("seal");
        let rooted = root.seal(PURPOSE, &plaintext[..64]).expect("seal");
        Genuine {
            data_key,
            root,
            plaintext,
            inline,
            rooted,
        }
    })
}

fn mutate(mut v: Vec<u8>, mutations: &[u8]) -> Vec<u8> {
    for m in mutations.chunks_exact(3) {
        if v.is_empty() {
            break;
        }
        let at = (usize::from(m[0]) << 10 | usize::from(m[1]) << 2) % v.len();
        match m[2] % 3 {
            0 => v[at] ^= 1 << (m[2] >> 5),
            1 => v.truncate(at),
            _ => v.insert(at, m[2]),
        }
    }
    v
}

fuzz_target!(|input: &[u8]| {
    let Some((&control, rest)) = input.split_first() else {
        return;
    };
    let g = genuine();
    let rooted = control & 2 != 0;
    let original = if rooted { &g.rooted } else { &g.inline };
    let sealed = if control & 1 == 0 {
        rest.to_vec()
    } else {
        mutate(original.clone(), rest)
    };
    let opened = if rooted {
        g.root.open(PURPOSE, &sealed).map(|z| z.to_vec())
    } else {
        open_inline(&g.data_key, CONTEXT, &sealed)
    };
    if let Ok(plain) = opened {
        let want = if rooted {
            &g.plaintext[..64]
        } else {
            &g.plaintext[..]
        };
        assert_eq!(plain, want, "a value that is not the genuine one opened");
        assert_eq!(&sealed, original, "a changed sealed value opened");
    }
});
