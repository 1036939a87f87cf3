//! A compact, versioned binary form for the engine's accumulators, so a
//! [`super::PartialRun`] computed by one process (a shard) can be merged by
//! another.
//!
//! Why not serde with a binary format crate: every `f64` must come back with
//! the same bits and every accumulator with exactly its state (the merges are
//! exact only if nothing is rounded on the way), and a shard file read back
//! must never panic the reader however it was damaged. A hand-written codec
//! of a few primitives makes both easy to see and to check: floats are
//! written as their 64 raw bits, counts as LEB128 varints (most sketch
//! buckets hold small counts, so a partial run is about a quarter of its
//! fixed-width size), signed integers zigzag-encoded, and every length is
//! checked against the bytes that remain before anything is allocated.
//!
//! The decoders in [`super::stats`] and [`super::partial`] validate the
//! invariants the accumulators rely on (counts that add up, bounded sizes),
//! so a decoded value is as safe to merge and summarise as a computed one.

use std::fmt;

/// Why bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Shorthand for a failed check while decoding.
pub(crate) fn invalid<T>(what: impl Into<String>) -> Result<T, DecodeError> {
    Err(DecodeError(what.into()))
}

/// Appends primitives to a byte buffer.
#[derive(Debug, Default)]
pub(crate) struct Encoder {
    pub bytes: Vec<u8>,
}

impl Encoder {
    pub fn u8(&mut self, v: u8) {
        self.bytes.push(v);
    }

    pub fn bool(&mut self, v: bool) {
        self.u8(u8::from(v));
    }

    /// LEB128: 7 bits per byte, low bits first.
    pub fn u64(&mut self, mut v: u64) {
        loop {
            let byte = (v & 0x7F) as u8;
            v >>= 7;
            if v == 0 {
                self.bytes.push(byte);
                return;
            }
            self.bytes.push(byte | 0x80);
        }
    }

    /// Zigzag, then LEB128: small magnitudes of either sign stay short.
    pub fn i64(&mut self, v: i64) {
        self.u64(((v << 1) ^ (v >> 63)) as u64);
    }

    /// The raw bits, little-endian: exact for every value, NaN payloads too.
    pub fn f64(&mut self, v: f64) {
        self.bytes.extend_from_slice(&v.to_bits().to_le_bytes());
    }

    pub fn len(&mut self, n: usize) {
        self.u64(n as u64);
    }

    pub fn str(&mut self, s: &str) {
        self.len(s.len());
        self.bytes.extend_from_slice(s.as_bytes());
    }

    pub fn f64s(&mut self, values: &[f64]) {
        self.len(values.len());
        for &v in values {
            self.f64(v);
        }
    }

    pub fn raw(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }
}

/// Reads primitives back, failing (never panicking) on short or malformed
/// input.
#[derive(Debug)]
pub(crate) struct Decoder<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Decoder<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Decoder { bytes, pos: 0 }
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.bytes.len() - self.pos
    }

    pub fn raw(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.remaining() {
            return invalid("the data ends early (truncated?)");
        }
        let out = &self.bytes[self.pos..self.pos + n];
        self.pos += n;
        Ok(out)
    }

    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        Ok(self.raw(1)?[0])
    }

    pub fn bool(&mut self) -> Result<bool, DecodeError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            b => invalid(format!("expected a flag (0 or 1), found {b}")),
        }
    }

    pub fn u64(&mut self) -> Result<u64, DecodeError> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = self.u8()?;
            let bits = u64::from(byte & 0x7F);
            if shift == 63 && bits > 1 {
                return invalid("an integer overflows 64 bits");
            }
            v |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(v);
            }
        }
        invalid("an integer overflows 64 bits")
    }

    pub fn u32(&mut self) -> Result<u32, DecodeError> {
        let v = self.u64()?;
        u32::try_from(v).or_else(|_| invalid(format!("{v} does not fit 32 bits")))
    }

    pub fn i64(&mut self) -> Result<i64, DecodeError> {
        let z = self.u64()?;
        Ok(((z >> 1) as i64) ^ -((z & 1) as i64))
    }

    pub fn f64(&mut self) -> Result<f64, DecodeError> {
        let b = self.raw(8)?;
        let mut word = [0u8; 8];
        word.copy_from_slice(b);
        Ok(f64::from_bits(u64::from_le_bytes(word)))
    }

    /// A length of items that each take at least `min_item_bytes` bytes, so
    /// a corrupt length cannot ask for more memory than the input could fill.
    pub fn len(&mut self, min_item_bytes: usize) -> Result<usize, DecodeError> {
        let n = self.u64()?;
        let fits = usize::try_from(n)
            .ok()
            .filter(|&n| n.saturating_mul(min_item_bytes.max(1)) <= self.remaining());
        fits.map_or_else(|| invalid(format!("a length of {n} exceeds the data")), Ok)
    }

    pub fn str(&mut self) -> Result<String, DecodeError> {
        let n = self.len(1)?;
        String::from_utf8(self.raw(n)?.to_vec()).or_else(|_| invalid("a name is not UTF-8"))
    }

    pub fn f64s(&mut self) -> Result<Vec<f64>, DecodeError> {
        let n = self.len(8)?;
        (0..n).map(|_| self.f64()).collect()
    }

    /// Fails unless every byte was read.
    pub fn finish(self) -> Result<(), DecodeError> {
        if self.remaining() == 0 {
            Ok(())
        } else {
            invalid(format!("{} unexpected bytes at the end", self.remaining()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn primitives_round_trip() {
        let mut e = Encoder::default();
        let ints = [0u64, 1, 127, 128, 300, u32::MAX as u64, u64::MAX];
        let signed = [0i64, -1, 1, -64, 64, i64::MIN, i64::MAX];
        let floats = [
            0.0,
            -0.0,
            1.5,
            f64::MIN_POSITIVE,
            5e-324,
            f64::NAN,
            -f64::INFINITY,
        ];
        ints.iter().for_each(|&v| e.u64(v));
        signed.iter().for_each(|&v| e.i64(v));
        e.f64s(&floats);
        e.str("exports_final");
        e.bool(true);
        let mut d = Decoder::new(&e.bytes);
        for &v in &ints {
            assert_eq!(d.u64().unwrap(), v);
        }
        for &v in &signed {
            assert_eq!(d.i64().unwrap(), v);
        }
        let back = d.f64s().unwrap();
        assert_eq!(
            back.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
            floats.iter().map(|x| x.to_bits()).collect::<Vec<_>>()
        );
        assert_eq!(d.str().unwrap(), "exports_final");
        assert!(d.bool().unwrap());
        d.finish().unwrap();
    }

    #[test]
    fn malformed_input_is_an_error_not_a_panic() {
        // Truncated varint, over-long varint, a length beyond the data.
        assert!(Decoder::new(&[0x80]).u64().is_err());
        assert!(Decoder::new(&[0xFF; 11]).u64().is_err());
        let mut e = Encoder::default();
        e.len(1_000_000);
        assert!(Decoder::new(&e.bytes).f64s().is_err());
        assert!(Decoder::new(&[2]).bool().is_err());
        let mut d = Decoder::new(&[1, 2]);
        d.u8().unwrap();
        assert!(d.finish().is_err());
    }
}
