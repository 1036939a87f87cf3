//! Keyed random streams: every random number of a run comes from a stream
//! derived from (seed, replication, purpose).
//! [`StreamKey`]'s documentation has the reproducibility contract and the
//! construction.

use std::convert::Infallible;

use rand::distr::{Distribution as _, Open01};
use rand::{Rng as _, SeedableRng, TryRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;
use sha2::{Digest, Sha256};

/// The stream of one purpose (a parameter path, a national shock, a zone's
/// TFP noise...) for a given seed; positioned per replication. Every random
/// number of a run comes from such a stream, derived from (seed,
/// replication, purpose).
///
/// # The reproducibility contract
///
/// A *purpose* names what the numbers are for: an uncertain static
/// parameter (its dotted path, e.g. `zones.rashakai.investment.capital_per_ha`),
/// a national shock, a zone's TFP noise, a committed investment. For each
/// (seed, purpose) a [`StreamKey`] is derived once at set-up; for each
/// replication it hands out a [`StreamRng`] positioned at the start of that
/// replication's own sequence. Hence:
///
/// - results never depend on the thread count or on the order in which
///   replications are run;
/// - any replication can be replayed alone;
/// - a scenario variant that changes one parameter leaves every other random
///   number as it was (common random numbers), because no stream depends on
///   any other purpose.
///
/// # Construction
///
/// The key is `SHA-256(tag || seed as 8 little-endian bytes || len(purpose)
/// as 8 little-endian bytes || purpose)`, where `tag` is the fixed
/// [`StreamKey::DOMAIN_TAG`]; the length prefix makes the encoding injective,
/// so no two (seed, purpose) pairs share a key (short of a SHA-256
/// collision). The 32-byte digest seeds a [`ChaCha8Rng`]; replication `r`
/// uses ChaCha's 64-bit stream id `r`, from word position 0. ChaCha8 gives
/// 2^64 independent streams of 2^68 words each per key, so replications
/// never overlap each other nor run into another purpose's numbers.
///
/// Changing any of this (the tag, the encoding, the generator, how
/// [`StreamRng::uniform`] or [`StreamRng::standard_normal`] consume words)
/// changes every result of every scenario: treat it as a breaking change.
///
/// Deriving the key hashes once; [`StreamKey::rng`] then only clones a
/// prepared generator and sets its stream id, so it is cheap enough to call
/// once per (replication, purpose) in the hot loop.
#[derive(Debug, Clone)]
pub struct StreamKey {
    /// A generator keyed by the digest, at stream 0, word position 0, with
    /// an empty output buffer (so repositioning it costs no block).
    prepared: ChaCha8Rng,
}

impl StreamKey {
    /// Domain-separation tag hashed in front of every key derivation.
    pub const DOMAIN_TAG: &'static [u8] = b"sezsim/stream-key/v1\0";

    /// Derive the key of `purpose` under `seed`. Do this once, at set-up.
    pub fn new(seed: u64, purpose: &str) -> Self {
        Self::from_key(Self::derive_key(seed, purpose))
    }

    /// The 32-byte ChaCha8 key of `purpose` under `seed` (see the module
    /// docs for the exact encoding). Exposed for diagnostics and tests.
    pub fn derive_key(seed: u64, purpose: &str) -> [u8; 32] {
        let mut hasher = Sha256::new();
        hasher.update(Self::DOMAIN_TAG);
        hasher.update(seed.to_le_bytes());
        hasher.update((purpose.len() as u64).to_le_bytes());
        hasher.update(purpose.as_bytes());
        hasher.finalize().into()
    }

    fn from_key(key: [u8; 32]) -> Self {
        Self {
            prepared: ChaCha8Rng::from_seed(key),
        }
    }

    /// The generator for `replication`, positioned at its start.
    ///
    /// Calling it twice with the same replication gives two generators that
    /// produce the same sequence.
    #[inline]
    pub fn rng(&self, replication: u64) -> StreamRng {
        let mut rng = self.prepared.clone();
        // The prepared generator has an empty buffer at word position 0, so
        // setting the stream id regenerates nothing: the first draw computes
        // the first blocks of stream `replication`.
        rng.set_stream(replication);
        debug_assert_eq!(rng.get_word_pos(), 0);
        StreamRng { rng }
    }
}

/// Stream id of the counter sequences read by [`StreamCursor`]. Replications
/// use stream ids below 2^32 (the engine's limit), so this never meets one.
const CURSOR_STREAM: u64 = u64::MAX;

/// A counter-based view of a key: uniform number `index` is the `index`-th
/// 64-bit word of the key's sequence `CURSOR_STREAM` (`u64::MAX`), a function of (seed,
/// purpose, index) only. Reading consecutive indices walks the generator's
/// buffered blocks (one ChaCha refill per 32 indices) instead of re-keying a
/// stream per replication; any other index is reached by seeking.
#[derive(Debug, Clone)]
pub struct StreamCursor {
    rng: ChaCha8Rng,
    /// The index the generator is positioned at.
    next: u64,
}

impl StreamKey {
    /// A cursor over this key's counter sequence, positioned at index 0.
    pub fn cursor(&self) -> StreamCursor {
        let mut rng = self.prepared.clone();
        rng.set_stream(CURSOR_STREAM);
        StreamCursor { rng, next: 0 }
    }
}

impl StreamCursor {
    /// Uniform number `index` on the open interval (0, 1). Cheapest when
    /// called with consecutive indices.
    #[inline]
    pub fn uniform_at(&mut self, index: u64) -> f64 {
        if index != self.next {
            // Two 32-bit words per uniform: `Open01` takes one `u64`.
            self.rng.set_word_pos(u128::from(index) * 2);
        }
        self.next = index.wrapping_add(1);
        Open01.sample(&mut self.rng)
    }
}

/// A positioned generator: draws parameter-free primitives only.
///
/// It also implements rand's [`TryRng`] (with `Error = Infallible`, hence
/// [`rand::Rng`] and [`rand::RngExt`]), so rand and rand_distr samplers can
/// draw from it directly. Such draws consume the same stream: mixing them
/// with [`StreamRng::uniform`] is reproducible, but a model should keep the
/// sequence of draws from one stream fixed for a given purpose.
#[derive(Debug, Clone)]
pub struct StreamRng {
    rng: ChaCha8Rng,
}

impl StreamRng {
    /// Uniform on the open interval (0, 1).
    ///
    /// Uses rand's [`Open01`]: the 52 high bits of one `u64` (two ChaCha
    /// words), giving values `k * 2^-52 + 2^-53`, so never 0 nor 1 and safe
    /// to feed to any inverse CDF.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        Open01.sample(&mut self.rng)
    }

    /// Standard normal.
    ///
    /// rand_distr's [`StandardNormal`] (ziggurat). It consumes a variable
    /// number of words, but independently of any parameter, so a fixed
    /// sequence of calls stays reproducible.
    #[inline]
    pub fn standard_normal(&mut self) -> f64 {
        StandardNormal.sample(&mut self.rng)
    }
}

impl TryRng for StreamRng {
    type Error = Infallible;

    #[inline]
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.rng.next_u32())
    }

    #[inline]
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        Ok(self.rng.next_u64())
    }

    #[inline]
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.rng.fill_bytes(dst);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt as _;

    const N: usize = 100_000;

    #[test]
    fn cursor_values_depend_on_the_index_only() {
        let key = StreamKey::new(9, "test.cursor");
        let mut walk = key.cursor();
        let sequential: Vec<f64> = (0..100).map(|i| walk.uniform_at(i)).collect();
        // Seeking, backwards and forwards, and fresh cursors agree.
        let mut seek = key.cursor();
        for i in [57u64, 3, 99, 0, 58, 59, 31, 32, 33] {
            assert_eq!(
                seek.uniform_at(i).to_bits(),
                sequential[i as usize].to_bits(),
                "index {i}"
            );
            assert_eq!(
                key.cursor().uniform_at(i).to_bits(),
                sequential[i as usize].to_bits()
            );
        }
        assert!(sequential.iter().all(|&u| u > 0.0 && u < 1.0));
        // Distinct from the per-replication streams of the same key.
        assert_ne!(sequential[0], key.rng(0).uniform());
        // Distinct indices give distinct values; another purpose differs.
        assert_ne!(sequential[0], sequential[1]);
        assert_ne!(
            StreamKey::new(9, "test.cursor2").cursor().uniform_at(0),
            sequential[0]
        );
    }

    #[test]
    fn cursor_uniforms_have_mean_one_half() {
        let mut c = StreamKey::new(5, "test.cursor.mean").cursor();
        let mean = (0..N as u64).map(|i| c.uniform_at(i)).sum::<f64>() / N as f64;
        // SE of the mean of N uniforms: sqrt(1/12/N) = 0.00091.
        let se = (1.0 / 12.0 / N as f64).sqrt();
        assert!((mean - 0.5).abs() < 4.0 * se, "mean {mean}");
    }

    fn uniforms(key: &StreamKey, replication: u64, n: usize) -> Vec<f64> {
        let mut rng = key.rng(replication);
        (0..n).map(|_| rng.uniform()).collect()
    }

    #[test]
    fn uniform_is_strictly_inside_unit_interval_with_mean_one_half() {
        let key = StreamKey::new(42, "test.uniform");
        let u = uniforms(&key, 3, N);
        assert!(u.iter().all(|&x| x > 0.0 && x < 1.0));
        let mean = u.iter().sum::<f64>() / N as f64;
        // Var(U(0,1)) = 1/12, so the SE of the mean is sqrt(1/12/n) ~ 0.00091.
        let se = (1.0 / 12.0 / N as f64).sqrt();
        assert!((mean - 0.5).abs() < 4.0 * se, "mean {mean}, se {se}");
        // The variance too: Var((U - 1/2)^2) = 1/80 - 1/144 = 1/180, so the
        // SE of the sample variance is sqrt(1/180/n) ~ 0.00024.
        let var = u.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (N - 1) as f64;
        let se_var = (1.0 / 180.0 / N as f64).sqrt();
        assert!((var - 1.0 / 12.0).abs() < 4.0 * se_var, "var {var}");
    }

    #[test]
    fn uniform_extremes_stay_open() {
        // A generator whose words are all ones (or zeros) must still give a
        // value strictly inside (0, 1): exercise Open01 through our path.
        struct Const(u64);
        impl TryRng for Const {
            type Error = Infallible;
            fn try_next_u32(&mut self) -> Result<u32, Infallible> {
                Ok(self.0 as u32)
            }
            fn try_next_u64(&mut self) -> Result<u64, Infallible> {
                Ok(self.0)
            }
            fn try_fill_bytes(&mut self, _: &mut [u8]) -> Result<(), Infallible> {
                unreachable!()
            }
        }
        let hi: f64 = Open01.sample(&mut Const(u64::MAX));
        let lo: f64 = Open01.sample(&mut Const(0));
        assert!(hi < 1.0 && lo > 0.0);
    }

    #[test]
    fn standard_normal_moments() {
        let key = StreamKey::new(7, "test.normal");
        let mut rng = key.rng(11);
        let z: Vec<f64> = (0..N).map(|_| rng.standard_normal()).collect();
        let n = N as f64;
        let mean = z.iter().sum::<f64>() / n;
        let var = z.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        // SE of the mean of N(0,1) draws: 1/sqrt(n) ~ 0.0032.
        // SE of the sample variance: sqrt(2/(n-1)) ~ 0.0045 (normal kurtosis 3).
        let se_mean = 1.0 / n.sqrt();
        let se_var = (2.0 / (n - 1.0)).sqrt();
        assert!(mean.abs() < 4.0 * se_mean, "mean {mean}");
        assert!((var - 1.0).abs() < 4.0 * se_var, "var {var}");
    }

    #[test]
    fn same_key_and_replication_replay_identically() {
        let a = StreamKey::new(1, "p");
        let b = StreamKey::new(1, "p");
        assert_eq!(a.derive_key_for_test(), b.derive_key_for_test());
        let x = uniforms(&a, 5, 100);
        let y = uniforms(&b, 5, 100);
        assert_eq!(
            x.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            y.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
        );
        // Drawing from other replications first changes nothing.
        let _ = uniforms(&a, 4, 1000);
        let z = uniforms(&a, 5, 100);
        assert_eq!(x, z);
    }

    #[test]
    fn purposes_seeds_and_replications_give_different_sequences() {
        let base = uniforms(&StreamKey::new(1, "p"), 0, 8);
        let other_purpose = uniforms(&StreamKey::new(1, "q"), 0, 8);
        let other_seed = uniforms(&StreamKey::new(2, "p"), 0, 8);
        let other_rep = uniforms(&StreamKey::new(1, "p"), 1, 8);
        for other in [&other_purpose, &other_seed, &other_rep] {
            assert!(base.iter().zip(other.iter()).all(|(a, b)| a != b));
        }
        // Replication r's sequence is not a shifted copy of replication r+1's.
        let long0 = uniforms(&StreamKey::new(1, "p"), 0, 200);
        assert!(!long0.windows(8).any(|w| w == other_rep.as_slice()));
    }

    #[test]
    fn key_encoding_is_length_prefixed() {
        // Without the length prefix these would hash the same bytes.
        assert_ne!(
            StreamKey::derive_key(0, "ab"),
            StreamKey::derive_key(0, "a\0b")
        );
        assert_ne!(StreamKey::derive_key(0, ""), StreamKey::derive_key(1, ""));
        // The seed's bytes cannot be confused with the purpose's.
        assert_ne!(
            StreamKey::derive_key(0x61, "x"),
            StreamKey::derive_key(0, "ax")
        );
    }

    #[test]
    fn rng_is_positioned_at_word_zero_of_its_stream() {
        // Independent of the prepared clone: a fresh ChaCha8 with the same
        // key and stream id yields the same words.
        let key = StreamKey::new(99, "zones.a.tfp");
        let mut ours = key.rng(123_456);
        let mut reference = ChaCha8Rng::from_seed(StreamKey::derive_key(99, "zones.a.tfp"));
        reference.set_stream(123_456);
        for _ in 0..300 {
            assert_eq!(ours.next_u64(), reference.next_u64());
        }
    }

    #[test]
    fn works_with_rand_apis() {
        let mut rng = StreamKey::new(3, "rand-api").rng(0);
        let x: f64 = rng.random_range(2.0..3.0);
        assert!((2.0..3.0).contains(&x));
        let g: f64 = rand_distr::Gamma::new(2.0, 1.0).unwrap().sample(&mut rng);
        assert!(g > 0.0);
    }

    impl StreamKey {
        fn derive_key_for_test(&self) -> [u8; 32] {
            self.prepared.get_seed()
        }
    }
}
