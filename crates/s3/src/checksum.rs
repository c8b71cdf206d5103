//! Checksums S3 computes over object data: the MD5 behind ETags and Content-MD5, and the five
//! additional checksum algorithms (CRC32, CRC32C, SHA1, SHA256, CRC64NVME) that clients may send
//! as headers or trailers and read back with `ChecksumMode=ENABLED`.
//! <https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html>

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use md5::Digest;

/// An additional checksum algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// CRC-32 (IEEE).
    Crc32,
    /// CRC-32C (Castagnoli).
    Crc32c,
    /// SHA-1.
    Sha1,
    /// SHA-256.
    Sha256,
    /// CRC-64/NVME.
    Crc64Nvme,
}

impl Algorithm {
    /// All algorithms, in the order S3 documents them.
    pub const ALL: [Algorithm; 5] = [
        Algorithm::Crc32,
        Algorithm::Crc32c,
        Algorithm::Sha1,
        Algorithm::Sha256,
        Algorithm::Crc64Nvme,
    ];

    /// Parses the name used in `x-amz-checksum-algorithm` and XML (`CRC32`, ...), any case.
    pub fn parse(s: &str) -> Option<Algorithm> {
        match s.to_ascii_uppercase().as_str() {
            "CRC32" => Some(Algorithm::Crc32),
            "CRC32C" => Some(Algorithm::Crc32c),
            "SHA1" => Some(Algorithm::Sha1),
            "SHA256" => Some(Algorithm::Sha256),
            "CRC64NVME" => Some(Algorithm::Crc64Nvme),
            _ => None,
        }
    }

    /// The canonical name, e.g. `CRC32C`.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Crc32 => "CRC32",
            Algorithm::Crc32c => "CRC32C",
            Algorithm::Sha1 => "SHA1",
            Algorithm::Sha256 => "SHA256",
            Algorithm::Crc64Nvme => "CRC64NVME",
        }
    }

    /// The header carrying this checksum, e.g. `x-amz-checksum-crc32c`.
    pub fn header(self) -> &'static str {
        match self {
            Algorithm::Crc32 => "x-amz-checksum-crc32",
            Algorithm::Crc32c => "x-amz-checksum-crc32c",
            Algorithm::Sha1 => "x-amz-checksum-sha1",
            Algorithm::Sha256 => "x-amz-checksum-sha256",
            Algorithm::Crc64Nvme => "x-amz-checksum-crc64nvme",
        }
    }

    /// The XML element name in responses, e.g. `ChecksumCRC32C`.
    pub fn xml_name(self) -> &'static str {
        match self {
            Algorithm::Crc32 => "ChecksumCRC32",
            Algorithm::Crc32c => "ChecksumCRC32C",
            Algorithm::Sha1 => "ChecksumSHA1",
            Algorithm::Sha256 => "ChecksumSHA256",
            Algorithm::Crc64Nvme => "ChecksumCRC64NVME",
        }
    }

    /// Length in bytes of the raw digest.
    pub fn digest_len(self) -> usize {
        match self {
            Algorithm::Crc32 | Algorithm::Crc32c => 4,
            Algorithm::Sha1 => 20,
            Algorithm::Sha256 => 32,
            Algorithm::Crc64Nvme => 8,
        }
    }

    /// Whether full-object checksums of parts can be combined (CRCs can; SHAs cannot).
    pub fn is_crc(self) -> bool {
        !matches!(self, Algorithm::Sha1 | Algorithm::Sha256)
    }
}

/// A running checksum.
pub enum Hasher {
    /// CRC-32.
    Crc32(crc32fast::Hasher),
    /// CRC-32C.
    Crc32c(u32),
    /// SHA-1.
    Sha1(aws_lc_rs::digest::Context),
    /// SHA-256.
    Sha256(aws_lc_rs::digest::Context),
    /// CRC-64/NVME.
    Crc64(crc64fast_nvme::Digest),
}

impl Hasher {
    /// A fresh hasher for `alg`.
    pub fn new(alg: Algorithm) -> Hasher {
        match alg {
            Algorithm::Crc32 => Hasher::Crc32(crc32fast::Hasher::new()),
            Algorithm::Crc32c => Hasher::Crc32c(0),
            Algorithm::Sha1 => Hasher::Sha1(aws_lc_rs::digest::Context::new(
                &aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY,
            )),
            Algorithm::Sha256 => {
                Hasher::Sha256(aws_lc_rs::digest::Context::new(&aws_lc_rs::digest::SHA256))
            }
            Algorithm::Crc64Nvme => Hasher::Crc64(crc64fast_nvme::Digest::new()),
        }
    }

    /// Adds bytes.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Crc32(h) => h.update(data),
            Hasher::Crc32c(c) => *c = crc32c::crc32c_append(*c, data),
            Hasher::Sha1(h) | Hasher::Sha256(h) => h.update(data),
            Hasher::Crc64(h) => h.write(data),
        }
    }

    /// The raw digest.
    pub fn finish_raw(self) -> Vec<u8> {
        match self {
            Hasher::Crc32(h) => h.finalize().to_be_bytes().to_vec(),
            Hasher::Crc32c(c) => c.to_be_bytes().to_vec(),
            Hasher::Sha1(h) | Hasher::Sha256(h) => h.finish().as_ref().to_vec(),
            Hasher::Crc64(h) => h.sum64().to_be_bytes().to_vec(),
        }
    }

    /// The digest in base64, as S3 exchanges checksums.
    pub fn finish(self) -> String {
        B64.encode(self.finish_raw())
    }
}

/// MD5 of data, for ETags and Content-MD5.
#[derive(Default)]
pub struct Md5(md5::Md5);

impl Md5 {
    /// A fresh MD5.
    pub fn new() -> Md5 {
        Md5(md5::Md5::new())
    }

    /// Adds bytes.
    pub fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }

    /// The 16-byte digest.
    pub fn finish(self) -> [u8; 16] {
        self.0.finalize().into()
    }
}

/// The CRC of `a ‖ b` from `crc(a)`, `crc(b)` and `len(b)`, for the reflected CRCs S3 uses
/// (CRC32, CRC32C, CRC64NVME), so full-object checksums of multipart uploads need no second
/// pass over the data. The zero-padding operator is applied by repeated squaring in GF(2), the
/// method zlib uses for `crc32_combine`.
pub fn crc_combine(alg: Algorithm, crc1: u64, crc2: u64, mut len2: u64) -> Option<u64> {
    let (poly, width): (u64, usize) = match alg {
        Algorithm::Crc32 => (0xEDB8_8320, 32),
        Algorithm::Crc32c => (0x82F6_3B78, 32),
        Algorithm::Crc64Nvme => (0x9A6C_9329_AC4B_C9B5, 64),
        _ => return None,
    };
    fn times(mat: &[u64], mut vec: u64) -> u64 {
        let mut sum = 0;
        let mut i = 0;
        while vec != 0 {
            if vec & 1 != 0 {
                sum ^= mat[i];
            }
            vec >>= 1;
            i += 1;
        }
        sum
    }
    fn square(out: &mut [u64], mat: &[u64]) {
        for n in 0..mat.len() {
            out[n] = times(mat, mat[n]);
        }
    }
    if len2 == 0 {
        return Some(crc1);
    }
    let mut crc1 = crc1;
    let mut odd = vec![0u64; width];
    let mut even = vec![0u64; width];
    odd[0] = poly;
    for (n, slot) in odd.iter_mut().enumerate().skip(1) {
        *slot = 1u64 << (n - 1);
    }
    square(&mut even, &odd);
    square(&mut odd, &even);
    loop {
        square(&mut even, &odd);
        if len2 & 1 != 0 {
            crc1 = times(&even, crc1);
        }
        len2 >>= 1;
        if len2 == 0 {
            break;
        }
        square(&mut odd, &even);
        if len2 & 1 != 0 {
            crc1 = times(&odd, crc1);
        }
        len2 >>= 1;
        if len2 == 0 {
            break;
        }
    }
    Some(crc1 ^ crc2)
}

/// The big-endian integer in a base64 CRC value.
pub fn crc_value(value: &str) -> Option<u64> {
    let raw = unb64(value)?;
    if raw.len() > 8 {
        return None;
    }
    Some(raw.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
}

/// A CRC integer as the base64 value S3 shows.
pub fn crc_encode(alg: Algorithm, crc: u64) -> String {
    let bytes = crc.to_be_bytes();
    b64(&bytes[8 - alg.digest_len()..])
}

/// Whether `value` is a well-formed base64 digest for `alg`.
pub fn valid_value(alg: Algorithm, value: &str) -> bool {
    B64.decode(value)
        .map(|d| d.len() == alg.digest_len())
        .unwrap_or(false)
}

/// Base64 encoding, shared by the S3 code.
pub fn b64(data: &[u8]) -> String {
    B64.encode(data)
}

/// Base64 decoding, shared by the S3 code.
pub fn unb64(s: &str) -> Option<Vec<u8>> {
    B64.decode(s.trim()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(alg: Algorithm, data: &[u8]) -> String {
        let mut h = Hasher::new(alg);
        h.update(data);
        h.finish()
    }

    #[test]
    fn crcs_combine() {
        let (a, b) = (
            b"The quick brown fox ".as_slice(),
            b"jumps over the lazy dog".as_slice(),
        );
        for alg in [Algorithm::Crc32, Algorithm::Crc32c, Algorithm::Crc64Nvme] {
            let whole = crc_value(&of(alg, &[a, b].concat())).unwrap();
            let ca = crc_value(&of(alg, a)).unwrap();
            let cb = crc_value(&of(alg, b)).unwrap();
            assert_eq!(
                crc_combine(alg, ca, cb, b.len() as u64),
                Some(whole),
                "{alg:?}"
            );
            assert_eq!(crc_encode(alg, whole), of(alg, &[a, b].concat()));
        }
    }

    #[test]
    fn known_values() {
        // "Hello world" values as the AWS SDKs compute them.
        assert_eq!(of(Algorithm::Crc32, b"Hello world"), "i9aeUg==");
        assert_eq!(of(Algorithm::Crc32c, b"Hello world"), "crUfeA==");
        assert_eq!(
            of(Algorithm::Sha1, b"Hello world"),
            "e1AsOh9IyGCa4hLN+2Od7jlnP14="
        );
        assert_eq!(
            of(Algorithm::Sha256, b"Hello world"),
            "ZOyIygCyaOW6GjVnihtTFtIS9PNmskdyMlNKiuyjfzw="
        );
        let mut m = Md5::new();
        m.update(b"");
        assert_eq!(hex::encode(m.finish()), "d41d8cd98f00b204e9800998ecf8427e");
    }
}
