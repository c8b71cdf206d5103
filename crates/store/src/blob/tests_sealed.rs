//! Tests of encrypted blob files: round trips, ranges, tampering, and a throughput benchmark.

use super::chunked::{ChunkCipher, Container, SEALED_CHUNK_LEN};
use super::*;
use std::io::ErrorKind;

pub(super) const CTX: &[u8] = b"bucket/key#version";
pub(super) const C: usize = CHUNK_LEN;

pub(super) fn key(b: u8) -> DataKey {
    DataKey::from_bytes(&[b; 32]).unwrap()
}

/// Bytes that do not repeat with the chunk size, so a misplaced chunk shows.
pub(super) fn pattern(n: usize) -> Vec<u8> {
    let mut x = 0x9e37_79b9u32;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}

/// Writes `data` in uneven pieces.
pub(super) async fn put(store: &BlobStore, k: &DataKey, ctx: &[u8], data: &[u8]) -> BlobId {
    let mut w = store.create_encrypted(k, ctx).await.unwrap();
    let mut rest = data;
    let mut step = 1usize;
    while !rest.is_empty() {
        let n = step.min(rest.len());
        w.write(&rest[..n]).await.unwrap();
        rest = &rest[n..];
        step = step * 7 + 3;
    }
    let (id, len) = w.finish().await.unwrap();
    assert_eq!(len, data.len() as u64);
    id
}

/// Reads a range: the bytes yielded before any failure, and the failure.
pub(super) async fn get(
    store: &BlobStore,
    id: &BlobId,
    k: &DataKey,
    ctx: &[u8],
    start: u64,
    len: u64,
) -> (Vec<u8>, Option<StoreError>) {
    let mut s = match store.read_range_decrypted(id, k, ctx, start, len).await {
        Ok(s) => s,
        Err(e) => return (Vec::new(), Some(e)),
    };
    let mut out = Vec::new();
    while let Some(item) = std::future::poll_fn(|cx| s.as_mut().poll_next(cx)).await {
        match item {
            Ok(b) => {
                assert!(b.len() <= C && !b.is_empty());
                out.extend_from_slice(&b);
            }
            Err(e) => return (out, Some(e.into())),
        }
    }
    (out, None)
}

pub(super) fn is_invalid(e: &Option<StoreError>) -> bool {
    matches!(e, Some(StoreError::Io(e)) if e.kind() == ErrorKind::InvalidData)
}

/// A blob store in a fresh directory, which lasts as long as the returned guard.
fn fresh_store() -> (tempfile::TempDir, BlobStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = super::test_store(dir.path());
    (dir, store)
}

fn path(dir: &tempfile::TempDir, id: &BlobId) -> std::path::PathBuf {
    dir.path()
        .join("blobs")
        .join(&id.as_str()[..2])
        .join(id.as_str())
}

fn chunk_at(k: usize) -> usize {
    SEALED_HEADER_LEN as usize + k * SEALED_CHUNK_LEN
}

/// The ranges checked for a blob of `n` bytes: whole, empty, ends, every chunk and batch
/// boundary from either side, and a spread of others.
pub(super) fn ranges(n: usize) -> Vec<(usize, usize)> {
    let mut r = vec![(0, n), (0, 0), (n, 0)];
    if n > 0 {
        r.extend([(n - 1, 1), (0, 1), (0, n - 1), (1, n - 1)]);
    }
    for b in (C..=n).step_by(C) {
        for (s, l) in [
            (b - 1, 1),
            (b - 1, 2),
            (b, 1),
            (b - 3, 6),
            (b - 1, C + 2),
            (b, C),
        ] {
            r.push((s, l));
        }
        r.push((b.saturating_sub(C + 5), 3 * C + 9));
    }
    let mut x = n as u64 + 1;
    for _ in 0..24 {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let s = (x >> 33) as usize % (n + 1);
        let l = (x >> 11) as usize % (n - s + 1);
        r.push((s, l));
    }
    r.retain(|&(s, l)| s + l <= n);
    r
}

#[tokio::test]
async fn round_trips_and_every_range() {
    let (dir, store) = fresh_store();
    let k = key(7);
    for n in [
        0,
        1,
        C - 1,
        C,
        C + 1,
        4 * C,
        4 * C + 1,
        8 * C,
        3 * 1024 * 1024 + 17,
    ] {
        let data = pattern(n);
        let id = put(&store, &k, CTX, &data).await;
        let chunks = n.div_ceil(C).max(1);
        let file_len = std::fs::metadata(path(&dir, &id)).unwrap().len();
        assert_eq!(file_len as usize, 32 + n + 16 * chunks, "size {n}");
        for (s, l) in ranges(n) {
            let (got, err) = get(&store, &id, &k, CTX, s as u64, l as u64).await;
            assert!(err.is_none(), "size {n} range {s}+{l}: {err:?}");
            assert!(got == data[s..s + l], "size {n} range {s}+{l}");
        }
        let (_, err) = get(&store, &id, &k, CTX, n as u64, 1).await;
        assert!(matches!(err, Some(StoreError::Corrupt(_))));
        let (_, err) = get(&store, &id, &k, CTX, u64::MAX, 2).await;
        assert!(matches!(err, Some(StoreError::Corrupt(_))));
    }
}

/// Writes a 10-chunk blob (three batches) and returns it with its plaintext.
/// A blob of ten chunks sealed under `key(seed)` in a fresh store, with the file's path and
/// its intact bytes: what a tampering test starts from.
struct Sealed {
    dir: tempfile::TempDir,
    store: BlobStore,
    k: DataKey,
    id: BlobId,
    data: Vec<u8>,
    p: std::path::PathBuf,
    good: Vec<u8>,
}

async fn sealed_ten(seed: u8) -> Sealed {
    let (dir, store) = fresh_store();
    let k = key(seed);
    let (id, data) = ten_chunks(&store, &k).await;
    let p = path(&dir, &id);
    let good = std::fs::read(&p).unwrap();
    Sealed {
        dir,
        store,
        k,
        id,
        data,
        p,
        good,
    }
}

impl Sealed {
    /// Reads `len` bytes at `start` of the blob as the file now is (see [`get`]).
    async fn read(&self, start: u64, len: u64) -> (Vec<u8>, Option<StoreError>) {
        get(&self.store, &self.id, &self.k, CTX, start, len).await
    }

    /// Replaces the blob's file with `bytes`.
    fn tamper(&self, bytes: &[u8]) {
        std::fs::write(&self.p, bytes).unwrap();
    }
}

async fn ten_chunks(store: &BlobStore, k: &DataKey) -> (BlobId, Vec<u8>) {
    let data = pattern(9 * C + 100);
    (put(store, k, CTX, &data).await, data)
}

#[tokio::test]
async fn a_flipped_byte_anywhere_fails_only_its_chunk() {
    let s = sealed_ten(1).await;
    for chunk in 0..10 {
        // The first ciphertext byte, one in the middle, and the last tag byte.
        let end = if chunk == 9 {
            s.good.len()
        } else {
            chunk_at(chunk + 1)
        };
        for at in [chunk_at(chunk), chunk_at(chunk) + 50, end - 1] {
            let mut bad = s.good.clone();
            bad[at] ^= 0x20;
            s.tamper(&bad);
            let (got, err) = s.read(0, s.data.len() as u64).await;
            assert!(is_invalid(&err), "chunk {chunk} at {at}: {err:?}");
            assert!(got.len() <= chunk * C && got == s.data[..got.len()]);
            let (got, err) = s.read((chunk * C + 5) as u64, 1).await;
            assert!(is_invalid(&err) && got.is_empty());
            // Chunks elsewhere still read.
            let other = (chunk + 5) % 10;
            let (got, err) = s.read((other * C) as u64, 10).await;
            assert!(err.is_none() && got == s.data[other * C..other * C + 10]);
        }
    }
}

#[tokio::test]
async fn truncation_and_extension_fail() {
    let s = sealed_ten(2).await;
    let (good, whole) = (&s.good, s.data.len() as u64);
    for cut in [
        good.len() - 1,
        good.len() - 17,
        chunk_at(9),
        chunk_at(3),
        33,
        32,
        20,
        0,
    ] {
        s.tamper(&good[..cut]);
        let (got, err) = s.read(0, whole).await;
        assert!(is_invalid(&err) && got.is_empty(), "cut at {cut}: {err:?}");
    }
    let mut longer = good.clone();
    longer.push(0);
    s.tamper(&longer);
    assert!(is_invalid(&s.read(0, 1).await.1));
    // Dropping whole chunks and fixing the header's length to match: the new last chunk was not
    // sealed as final, so reading it fails (earlier chunks still read, as they are authentic).
    for keep in [1usize, 4, 9] {
        let mut cut = good[..chunk_at(keep)].to_vec();
        cut[8..16].copy_from_slice(&((keep * C) as u64).to_le_bytes());
        s.tamper(&cut);
        let (got, err) = s.read(0, (keep * C) as u64).await;
        assert!(is_invalid(&err), "kept {keep}");
        assert!(got.len() < keep * C && got == s.data[..got.len()]);
        let (_, err) = s.read((keep * C - 1) as u64, 1).await;
        assert!(is_invalid(&err));
    }
    // Header tampering: nonce base, length, format.
    for (at, bit) in [
        (16usize, 1u8),
        (27, 0x80),
        (8, 1),
        (4, 3),
        (5, 2),
        (6, 1),
        (30, 1),
    ] {
        let mut bad = good.clone();
        bad[at] ^= bit;
        s.tamper(&bad);
        let (got, err) = s.read(0, 10).await;
        assert!(err.is_some() && got.is_empty(), "header byte {at}");
        if (8..28).contains(&at) {
            assert!(is_invalid(&err), "header byte {at}: {err:?}");
        }
    }
}

#[tokio::test]
async fn an_empty_blob_still_verifies() {
    let (dir, store) = fresh_store();
    let k = key(3);
    let id = put(&store, &k, CTX, b"").await;
    let p = path(&dir, &id);
    let good = std::fs::read(&p).unwrap();
    assert_eq!(good.len(), 48);
    let (got, err) = get(&store, &id, &k, CTX, 0, 0).await;
    assert!(got.is_empty() && err.is_none());
    assert!(is_invalid(&get(&store, &id, &key(4), CTX, 0, 0).await.1));
    assert!(is_invalid(&get(&store, &id, &k, b"other", 0, 0).await.1));
    for cut in [0, 16, 32, 47] {
        std::fs::write(&p, &good[..cut]).unwrap();
        assert!(
            is_invalid(&get(&store, &id, &k, CTX, 0, 0).await.1),
            "{cut}"
        );
    }
    let mut bad = good.clone();
    bad[40] ^= 1;
    std::fs::write(&p, &bad).unwrap();
    assert!(is_invalid(&get(&store, &id, &k, CTX, 0, 0).await.1));
}

#[tokio::test]
async fn swapped_chunks_and_swapped_files_fail() {
    let s = sealed_ten(5).await;
    let good = &s.good;
    let mut swapped = good.clone();
    let (a, b) = (chunk_at(1), chunk_at(2));
    swapped[a..b].copy_from_slice(&good[b..b + SEALED_CHUNK_LEN]);
    swapped[b..b + SEALED_CHUNK_LEN].copy_from_slice(&good[a..b]);
    s.tamper(&swapped);
    let (got, err) = s.read(0, s.data.len() as u64).await;
    assert!(is_invalid(&err) && got.is_empty());
    assert!(is_invalid(&s.read((C + 1) as u64, 1).await.1));
    assert!(is_invalid(&s.read((2 * C) as u64, 1).await.1));
    s.tamper(good);
    // Another blob of the same size, key and context put in its place.
    let other = put(&s.store, &s.k, CTX, &s.data).await;
    std::fs::copy(path(&s.dir, &other), &s.p).unwrap();
    assert!(is_invalid(&s.read(0, 10).await.1));
    let (got, err) = get(&s.store, &other, &s.k, CTX, 0, s.data.len() as u64).await;
    assert!(err.is_none() && got == s.data);
}

#[tokio::test]
async fn wrong_key_or_context_fails_before_streaming() {
    let (_dir, store) = fresh_store();
    let k = key(6);
    let (id, data) = ten_chunks(&store, &k).await;
    for (kk, ctx) in [
        (key(9), CTX),
        (k.clone(), b"bucket/key#other".as_slice()),
        (k, b""),
    ] {
        match store.read_range_decrypted(&id, &kk, ctx, 0, 10).await {
            Err(StoreError::Io(e)) => assert_eq!(e.kind(), ErrorKind::InvalidData),
            Err(e) => panic!("{e:?}"),
            Ok(_) => panic!("opened with the wrong key or context"),
        }
        let (got, err) = get(
            &store,
            &id,
            &kk,
            ctx,
            6 * C as u64,
            data.len() as u64 - 6 * C as u64,
        )
        .await;
        assert!(is_invalid(&err) && got.is_empty());
    }
}

#[tokio::test]
async fn the_file_never_holds_the_plaintext() {
    let (dir, store) = fresh_store();
    let data: Vec<u8> = b"PLAINTEXT-MARKER".repeat(3 * C / 16 + 5);
    let id = put(&store, &key(8), CTX, &data).await;
    let file = std::fs::read(path(&dir, &id)).unwrap();
    assert!(!file.windows(6).any(|w| w == b"MARKER" || w == b"PLAINT"));
    let zeros = vec![0u8; 2 * C + 3];
    let id = put(&store, &key(8), CTX, &zeros).await;
    let file = std::fs::read(path(&dir, &id)).unwrap();
    assert!(!file[32..].windows(16).any(|w| w == [0u8; 16]));
}

#[tokio::test]
async fn plaintext_and_encrypted_readers_refuse_each_other() {
    let (_dir, store) = fresh_store();
    let k = key(10);
    let sealed = put(&store, &k, CTX, b"secret").await;
    let err = store.read_range(&sealed, 0, 6).await.err();
    assert!(matches!(err, Some(StoreError::Corrupt(m)) if m.contains("encrypted")));
    let mut w = store.create().await.unwrap();
    w.write(b"plain").await.unwrap();
    let (plain, _) = w.finish().await.unwrap();
    let (_, err) = get(&store, &plain, &k, CTX, 0, 5).await;
    assert!(matches!(err, Some(StoreError::Corrupt(m)) if m.contains("not encrypted")));
}

#[tokio::test]
async fn an_unfinished_encrypted_blob_leaves_nothing() {
    let (dir, store) = fresh_store();
    let mut w = store.create_encrypted(&key(11), CTX).await.unwrap();
    // More than a batch, so a sealed batch is being written when the writer is dropped.
    w.write(&pattern(6 * C)).await.unwrap();
    drop(w);
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert_eq!(
        std::fs::read_dir(dir.path().join("tmp")).unwrap().count(),
        0
    );
    assert_eq!(
        std::fs::read_dir(dir.path().join("blobs")).unwrap().count(),
        0
    );
}

async fn drain(mut s: BlobStream) -> usize {
    let mut n = 0;
    while let Some(b) = std::future::poll_fn(|cx| s.as_mut().poll_next(cx)).await {
        n += b.unwrap().len();
    }
    n
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Prints MB/s (medians of 5 rounds) for sealing and opening in memory, writing plaintext and
/// encrypted blobs (with fsync), and reading each back from a warm file.
/// `cargo test --release -p trailstack-store -- --ignored --nocapture throughput`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark"]
async fn throughput() {
    const MIB: usize = 1024 * 1024;
    let total = 256 * MIB;
    let (_dir, store) = fresh_store();
    let k = key(12);
    let piece = pattern(MIB);
    let rate = |t: std::time::Instant| total as f64 / 1e6 / t.elapsed().as_secs_f64();
    let mut r: [Vec<f64>; 5] = Default::default();
    for _ in 0..5 {
        let mut cipher = ChunkCipher::new(&k, Container::File, [1; 12], b"id", CTX);
        let mut buf = vec![0u8; 16 * SEALED_CHUNK_LEN];
        let t = std::time::Instant::now();
        for i in 0..total / (16 * C) {
            cipher
                .seal_slots(&mut buf, 16 * C, (i * 16) as u64, false)
                .unwrap();
        }
        r[0].push(rate(t));
        let t = std::time::Instant::now();
        let mut w = store.create().await.unwrap();
        for _ in 0..total / MIB {
            w.write(&piece).await.unwrap();
        }
        let (plain, _) = w.finish().await.unwrap();
        r[1].push(rate(t));
        let t = std::time::Instant::now();
        let mut w = store.create_encrypted(&k, CTX).await.unwrap();
        for _ in 0..total / MIB {
            w.write(&piece).await.unwrap();
        }
        let (sealed, _) = w.finish().await.unwrap();
        r[2].push(rate(t));
        for _ in 0..2 {
            let t = std::time::Instant::now();
            assert_eq!(
                drain(store.read_range(&plain, 0, total as u64).await.unwrap()).await,
                total
            );
            r[3].push(rate(t));
            let t = std::time::Instant::now();
            let s = store.read_range_decrypted(&sealed, &k, CTX, 0, total as u64);
            assert_eq!(drain(s.await.unwrap()).await, total);
            r[4].push(rate(t));
        }
        // Never claimed by a commit, so still listed as loose: deletable.
        assert!(store.delete(vec![plain, sealed]).await.unwrap().is_empty());
    }
    let [seal, plain_w, sealed_w, plain_r, sealed_r] = r.map(median);
    println!(
        "256 MiB, medians: seal in memory {seal:.0} MB/s; write+fsync plain {plain_w:.0} MB/s, \
         encrypted {sealed_w:.0} MB/s; read warm plain {plain_r:.0} MB/s, decrypted \
         {sealed_r:.0} MB/s ({:.0}% of plain)",
        100.0 * sealed_r / plain_r
    );
}
