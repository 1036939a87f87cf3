//! Sampling of static parameters: independent random or Latin hypercube
//! uniforms, optionally correlated through a Gaussian copula.
//! [`StaticSampler`]'s documentation has the exact construction.

use std::fmt;

use nalgebra::DMatrix;
use rand::seq::SliceRandom;
use statrs::distribution::{ContinuousCDF, Normal};

use super::streams::{StreamCursor, StreamKey};

/// Purpose prefix of the stream a parameter's Latin hypercube permutation is
/// drawn from: `"lhs-permutation:" + parameter path`. Purposes of other
/// streams must not start with it.
pub const LHS_PERMUTATION_PREFIX: &str = "lhs-permutation:";

/// The largest `f64` below 1 (`1 - 2^-53`), the top of every uniform handed
/// out.
const ONE_BELOW: f64 = 1.0 - f64::EPSILON / 2.0;

/// The largest |Pearson correlation| put in the copula's matrix.
const MAX_PEARSON: f64 = 1.0 - 1e-12;

/// How the uniforms of static parameters are laid out over replications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SamplingMethod {
    /// Independent uniforms per replication.
    Random,
    /// Latin hypercube: each of the N equal strata of every margin holds one draw.
    LatinHypercube,
}

/// A Spearman rank-correlation target between two parameters, by index.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RankCorrelation {
    /// Index of the first parameter.
    pub a: usize,
    /// Index of the second parameter (different from `a`).
    pub b: usize,
    /// Target Spearman rank correlation, in [-1, 1].
    pub spearman: f64,
}

/// Largest Latin hypercube permutation table accepted, in bytes: beyond it
/// a run would exhaust a workstation's memory before drawing anything.
pub const MAX_LHS_TABLE_BYTES: u64 = 8 << 30;

/// Why a sampler set-up was refused.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SamplingError {
    /// Latin hypercube sampling keeps a permutation of the replications per
    /// parameter (4 bytes each); this many would exceed [`MAX_LHS_TABLE_BYTES`].
    LatinHypercubeTooLarge {
        /// Replications asked for.
        replications: u64,
        /// Uncertain parameters.
        parameters: usize,
    },
    /// The implied correlation matrix is not positive definite; these pairs
    /// (indices into the parameter list) are involved.
    ///
    /// The pairs are those with a non-zero target among a smallest set of
    /// parameters whose targets already conflict (removing any one of them
    /// would make the rest feasible), given as `(a, b)` exactly as in the
    /// input and in input order. Weakening or dropping one of them is the
    /// fix; other correlations may also conflict once these are resolved.
    NotPositiveDefinite {
        /// The conflicting pairs, as `(a, b)` indices.
        pairs: Vec<(usize, usize)>,
    },
}

impl fmt::Display for SamplingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SamplingError::LatinHypercubeTooLarge {
                replications,
                parameters,
            } => write!(
                f,
                "Latin hypercube sampling of {replications} replications x {parameters} \
                 parameters needs {:.1} GiB of permutations (at most {} GiB); use \
                 sampling = \"random\" or fewer replications",
                (*replications as f64) * (*parameters as f64) * 4.0 / (1u64 << 30) as f64,
                MAX_LHS_TABLE_BYTES >> 30
            ),
            SamplingError::NotPositiveDefinite { pairs } => write!(
                f,
                "the rank correlations cannot all hold at once: the correlation \
                 matrix they imply is not positive definite; weaken or remove \
                 one of the {} conflicting correlation{}",
                pairs.len(),
                if pairs.len() == 1 { "" } else { "s" }
            ),
        }
    }
}

impl std::error::Error for SamplingError {}

/// A worker's positioned cursors for [`StaticSampler::uniforms_with`].
#[derive(Debug, Clone)]
pub struct SamplerState {
    cursors: Vec<StreamCursor>,
}

/// Produces, for any replication, one uniform in (0, 1) per uncertain
/// static parameter: independent random or Latin hypercube uniforms,
/// optionally correlated through a Gaussian copula.
///
/// [`StaticSampler`] hands out, for any replication `r`, one uniform in
/// (0, 1) per uncertain static parameter; the caller maps each through its
/// parameter's inverse CDF. Everything is a pure function of
/// (seed, replications, method, purposes, correlations, r), so a replication
/// can be replayed alone and the thread count never matters.
///
/// # Methods
///
/// - [`SamplingMethod::Random`]: `u_i(r)` is uniform number `r` of the
///   counter sequence of `StreamKey::new(seed, purposes[i])`
///   ([`StreamCursor::uniform_at`]).
/// - [`SamplingMethod::LatinHypercube`]: for each parameter a permutation
///   `pi_i` of `0..N` (N = replications) is drawn once, at construction, from
///   the stream of purpose [`LHS_PERMUTATION_PREFIX`]` + purposes[i]`
///   (replication 0); then `u_i(r) = (pi_i[r] + v) / N` with `v` uniform
///   number `r` of the counter sequence of `StreamKey::new(seed, purposes[i])`. Each of the N
///   equal strata of every margin holds exactly one draw. The permutations
///   take 4 bytes x N x parameters (400 MB for a million replications of a
///   hundred parameters), and `N` must not exceed 2^32.
///
/// # Correlation (Gaussian copula)
///
/// Parameters named in any [`RankCorrelation`] form the correlated group.
/// Each Spearman target `rho_s` is turned into the Pearson correlation of
/// the underlying normals, `r = 2 sin(pi rho_s / 6)` (the exact relation for
/// a bivariate normal), the group's matrix (1 on the diagonal, the targets
/// off it, 0 elsewhere) is Cholesky-factored once, `C = L L^T`, and per
/// replication `z = Phi^-1(u)` over the group, `z' = L z`, `u' = Phi(z')`.
/// Spearman correlation is invariant under the monotone maps `Phi` and the
/// parameters' inverse CDFs, so the targets hold on the parameters
/// themselves. Margins stay exactly uniform; with Latin hypercube sampling
/// the group's margins are no longer exactly stratified (the strata property
/// still holds for every parameter outside the group).
///
/// # Common random numbers
///
/// Parameter `i`'s uniforms depend only on the seed, its own purpose, N
/// (Latin hypercube only) and, if it is in the correlated group, on the
/// group's members and targets. Adding, removing or reordering other
/// parameters, or correlating two other parameters, leaves them
/// bit-identical.
#[derive(Clone)]
pub struct StaticSampler {
    method: SamplingMethod,
    replications: u64,
    /// One stream per parameter, keyed by its purpose.
    streams: Vec<StreamKey>,
    /// Latin hypercube permutations, replication-major: entry
    /// `r * len + i` is `pi_i[r]`, so one replication reads one contiguous
    /// row. Empty for [`SamplingMethod::Random`].
    permutations: Vec<u32>,
    /// Parameter indices of the correlated group, ascending.
    group: Vec<usize>,
    /// The group's Cholesky factor L, lower triangle packed row by row
    /// (row `k` starts at `k (k + 1) / 2`).
    chol: Vec<f64>,
}

impl fmt::Debug for StaticSampler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The permutations can be hundreds of megabytes: summarise.
        f.debug_struct("StaticSampler")
            .field("method", &self.method)
            .field("replications", &self.replications)
            .field("parameters", &self.streams.len())
            .field("correlated_group", &self.group)
            .finish_non_exhaustive()
    }
}

impl StaticSampler {
    /// `purposes[i]` keys parameter i's stream (its parameter path).
    ///
    /// `correlations` must already be validated (indices in range, `a != b`,
    /// `|spearman| <= 1`, no pair given twice in either order); this is
    /// checked only in debug builds.
    ///
    /// # Errors
    ///
    /// [`SamplingError::NotPositiveDefinite`] when the targets cannot hold
    /// together.
    ///
    /// # Panics
    ///
    /// With [`SamplingMethod::LatinHypercube`], if `replications` exceeds
    /// 2^32 or the permutations do not fit in memory.
    pub fn new(
        seed: u64,
        replications: u64,
        method: SamplingMethod,
        purposes: &[String],
        correlations: &[RankCorrelation],
    ) -> Result<Self, SamplingError> {
        debug_check_correlations(purposes.len(), correlations);

        let (group, chol) = correlation_factor(purposes.len(), correlations)?;

        let streams: Vec<StreamKey> = purposes.iter().map(|p| StreamKey::new(seed, p)).collect();

        if method == SamplingMethod::LatinHypercube
            && (replications as u128) * (purposes.len() as u128) * 4
                > u128::from(MAX_LHS_TABLE_BYTES)
        {
            return Err(SamplingError::LatinHypercubeTooLarge {
                replications,
                parameters: purposes.len(),
            });
        }
        let permutations = match method {
            SamplingMethod::Random => Vec::new(),
            SamplingMethod::LatinHypercube => lhs_permutations(seed, replications, purposes),
        };

        Ok(Self {
            method,
            replications,
            streams,
            permutations,
            group,
            chol,
        })
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.streams.len()
    }

    /// True when there are no parameters.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The sampling method.
    pub fn method(&self) -> SamplingMethod {
        self.method
    }

    /// The number of replications N the sampler was built for (the number of
    /// strata of a Latin hypercube).
    pub fn replications(&self) -> u64 {
        self.replications
    }

    /// Indices of the parameters in the correlated group, ascending.
    pub fn correlated_group(&self) -> &[usize] {
        &self.group
    }

    /// Fill `out` (length `len()`) with replication `r`'s uniforms.
    ///
    /// Allocation-free; each value is strictly inside (0, 1). With
    /// [`SamplingMethod::LatinHypercube`], `replication` must be below the
    /// `replications` given to [`StaticSampler::new`].
    ///
    /// # Panics
    ///
    /// If `out.len() != self.len()`; with Latin hypercube sampling, if
    /// `replication >= replications` (only a debug assertion when there are
    /// no parameters).
    pub fn uniforms(&self, replication: u64, out: &mut [f64]) {
        self.uniforms_with(&mut self.state(), replication, out);
    }

    /// Per-worker state for [`Self::uniforms_with`]: one cursor per
    /// parameter. Reuse it across replications.
    pub fn state(&self) -> SamplerState {
        SamplerState {
            cursors: self.streams.iter().map(StreamKey::cursor).collect(),
        }
    }

    /// [`Self::uniforms`] through a worker's cursors: the same values, much
    /// cheaper when a worker takes consecutive replications.
    pub fn uniforms_with(&self, state: &mut SamplerState, replication: u64, out: &mut [f64]) {
        assert_eq!(out.len(), self.len(), "one uniform per parameter");
        let cursors = &mut state.cursors;
        match self.method {
            SamplingMethod::Random => {
                for (o, cursor) in out.iter_mut().zip(cursors.iter_mut()) {
                    *o = cursor.uniform_at(replication);
                }
            }
            SamplingMethod::LatinHypercube => {
                debug_assert!(
                    replication < self.replications,
                    "replication {replication} outside the Latin hypercube's {} strata",
                    self.replications
                );
                let n = self.replications as f64;
                let width = self.len();
                // usize: an index that does not fit cannot be in range.
                let start = usize::try_from(replication)
                    .ok()
                    .and_then(|r| r.checked_mul(width))
                    .expect("replication outside the Latin hypercube");
                let row = &self.permutations[start..start + width];
                for ((o, cursor), &stratum) in out.iter_mut().zip(cursors.iter_mut()).zip(row) {
                    let v = cursor.uniform_at(replication);
                    // v < 1, but the sum can round up to the next stratum's
                    // edge; only the top edge matters for openness.
                    *o = ((f64::from(stratum) + v) / n).min(ONE_BELOW);
                }
            }
        }
        self.correlate(out);
    }

    /// Apply the Gaussian copula to the correlated group's entries of `out`
    /// (one independent uniform per parameter, length [`Self::len`]), in
    /// place; parameters outside the group are left as they are.
    ///
    /// This is the map every replication's uniforms go through; it is public
    /// so that designs built elsewhere (the sensitivity designs) correlate
    /// their independent uniforms exactly the same way. Each connected block
    /// of correlated parameters is transformed from its own members'
    /// uniforms only: the Cholesky factor of a block-diagonal matrix is
    /// block-diagonal, with exact zeros across blocks.
    #[inline]
    pub fn correlate(&self, out: &mut [f64]) {
        if self.group.is_empty() {
            return;
        }
        let normal = Normal::standard();
        for &i in &self.group {
            out[i] = normal.inverse_cdf(out[i]);
        }
        // z' = L z, from the last row to the first: row k reads z_0..z_k,
        // none of which has been overwritten yet.
        for (k, &i) in self.group.iter().enumerate().rev() {
            let row = &self.chol[k * (k + 1) / 2..][..=k];
            let z: f64 = row.iter().zip(&self.group).map(|(l, &j)| l * out[j]).sum();
            out[i] = phi_open(z);
        }
    }
}

/// Phi(z), kept inside the open interval (0, 1): for z beyond about 8.3 the
/// exact value rounds to 1.0 in `f64`, and far below -37 it underflows.
#[inline]
fn phi_open(z: f64) -> f64 {
    Normal::standard()
        .cdf(z)
        .clamp(f64::MIN_POSITIVE, ONE_BELOW)
}

/// Pearson correlation of a bivariate normal whose Spearman correlation is
/// `spearman`: `2 sin(pi rho_s / 6)`.
pub fn spearman_to_pearson(spearman: f64) -> f64 {
    2.0 * (std::f64::consts::PI * spearman / 6.0).sin()
}

fn debug_check_correlations(len: usize, correlations: &[RankCorrelation]) {
    if cfg!(debug_assertions) {
        let mut seen = std::collections::HashSet::new();
        for c in correlations {
            debug_assert!(c.a < len && c.b < len, "index out of range: {c:?}");
            debug_assert_ne!(c.a, c.b, "self-correlation: {c:?}");
            debug_assert!(c.spearman.abs() <= 1.0, "|rho| > 1 or NaN: {c:?}");
            debug_assert!(
                seen.insert((c.a.min(c.b), c.a.max(c.b))),
                "duplicate: {c:?}"
            );
        }
    }
}

/// The correlated group (ascending parameter indices) and its packed
/// Cholesky factor; both empty without correlations.
fn correlation_factor(
    len: usize,
    correlations: &[RankCorrelation],
) -> Result<(Vec<usize>, Vec<f64>), SamplingError> {
    let mut member = vec![false; len];
    for c in correlations {
        member[c.a] = true;
        member[c.b] = true;
    }
    let group: Vec<usize> = (0..len).filter(|&i| member[i]).collect();
    if group.is_empty() {
        return Ok((group, Vec::new()));
    }
    let k = group.len();
    let pos = |i: usize| group.binary_search(&i).expect("member of the group");

    let mut target = DMatrix::<f64>::identity(k, k);
    for c in correlations {
        let (p, q) = (pos(c.a), pos(c.b));
        // |rho_s| = 1 maps to |r| = 1 up to rounding, a singular matrix that
        // would factor with a zero pivot or not at all depending on the last
        // bit of sin(): keep |r| a hair below 1 (it moves the Spearman
        // correlation by ~1e-12) so perfect correlation is always accepted.
        let r = spearman_to_pearson(c.spearman).clamp(-MAX_PEARSON, MAX_PEARSON);
        target[(p, q)] = r;
        target[(q, p)] = r;
    }

    let Some(l) = cholesky(&target, &(0..k).collect::<Vec<_>>()) else {
        let conflict = minimal_conflict(&target);
        let pairs = correlations
            .iter()
            .filter(|c| {
                c.spearman != 0.0
                    && conflict.binary_search(&pos(c.a)).is_ok()
                    && conflict.binary_search(&pos(c.b)).is_ok()
            })
            .map(|c| (c.a, c.b))
            .collect();
        return Err(SamplingError::NotPositiveDefinite { pairs });
    };

    let mut chol = Vec::with_capacity(k * (k + 1) / 2);
    for row in 0..k {
        for col in 0..=row {
            chol.push(l[(row, col)]);
        }
    }
    Ok((group, chol))
}

/// The lower Cholesky factor of the principal submatrix of `m` on `subset`,
/// or `None` when it is not (numerically) positive definite.
fn cholesky(m: &DMatrix<f64>, subset: &[usize]) -> Option<DMatrix<f64>> {
    let n = subset.len();
    let sub = DMatrix::from_fn(n, n, |i, j| m[(subset[i], subset[j])]);
    let l = nalgebra::Cholesky::new(sub)?.unpack();
    // A zero pivot passes nalgebra's square root and leaves infinities or
    // NaNs below it: that is not usable either.
    let usable = l.iter().all(|x| x.is_finite()) && (0..n).all(|i| l[(i, i)] > 0.0);
    usable.then_some(l)
}

/// A smallest set of group positions whose principal submatrix is not
/// positive definite (every proper subset of it is), for a matrix that is
/// not positive definite.
///
/// Take the shortest leading block that fails, then drop each earlier member
/// whose removal keeps the block failing (a deletion filter: principal
/// submatrices of a positive definite matrix are positive definite, so
/// failure is preserved by supersets and the result is irreducible).
fn minimal_conflict(m: &DMatrix<f64>) -> Vec<usize> {
    let k = m.nrows();
    let last = (1..=k)
        .find(|&n| cholesky(m, &(0..n).collect::<Vec<_>>()).is_none())
        .expect("the whole matrix is not positive definite");
    let mut set: Vec<usize> = (0..last).collect();
    // The last member is needed: the block without it factored fine.
    for candidate in 0..last - 1 {
        let without: Vec<usize> = set.iter().copied().filter(|&x| x != candidate).collect();
        if cholesky(m, &without).is_none() {
            set = without;
        }
    }
    set
}

/// Per-parameter Latin hypercube permutations of `0..n`, laid out
/// replication-major (`r * len + i`).
fn lhs_permutations(seed: u64, replications: u64, purposes: &[String]) -> Vec<u32> {
    assert!(
        replications <= u64::from(u32::MAX) + 1,
        "Latin hypercube sampling supports at most 2^32 replications"
    );
    let n = usize::try_from(replications).expect("replications fit in memory");
    let width = purposes.len();
    let mut table = vec![0u32; n.checked_mul(width).expect("permutations fit in memory")];
    let mut perm: Vec<u32> = Vec::with_capacity(n);
    for (i, purpose) in purposes.iter().enumerate() {
        perm.clear();
        // n <= 2^32, so every index fits in u32.
        perm.extend((0..n).map(|r| r as u32));
        let key = StreamKey::new(seed, &format!("{LHS_PERMUTATION_PREFIX}{purpose}"));
        perm.shuffle(&mut key.rng(0));
        for (r, &p) in perm.iter().enumerate() {
            table[r * width + i] = p;
        }
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn corr(a: usize, b: usize, spearman: f64) -> RankCorrelation {
        RankCorrelation { a, b, spearman }
    }

    /// All replications' uniforms, parameter-major: `cols[i][r]`.
    fn draw(sampler: &StaticSampler, n: u64) -> Vec<Vec<f64>> {
        let mut cols = vec![Vec::with_capacity(n as usize); sampler.len()];
        let mut out = vec![0.0; sampler.len()];
        for r in 0..n {
            sampler.uniforms(r, &mut out);
            for (col, &u) in cols.iter_mut().zip(&out) {
                col.push(u);
            }
        }
        cols
    }

    fn ranks(x: &[f64]) -> Vec<f64> {
        let mut idx: Vec<usize> = (0..x.len()).collect();
        idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
        let mut rank = vec![0.0; x.len()];
        for (k, &i) in idx.iter().enumerate() {
            rank[i] = k as f64;
        }
        rank
    }

    /// Spearman correlation: Pearson correlation of the ranks (continuous
    /// uniforms have no ties).
    fn spearman(x: &[f64], y: &[f64]) -> f64 {
        let (rx, ry) = (ranks(x), ranks(y));
        let n = x.len() as f64;
        let mean = (n - 1.0) / 2.0;
        let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
        for (a, b) in rx.iter().zip(&ry) {
            sxy += (a - mean) * (b - mean);
            sxx += (a - mean) * (a - mean);
            syy += (b - mean) * (b - mean);
        }
        sxy / (sxx * syy).sqrt()
    }

    fn bits(cols: &[f64]) -> Vec<u64> {
        cols.iter().map(|x| x.to_bits()).collect()
    }

    // Test 1. Targets 0.7, -0.4, -0.3 among parameters 0, 1, 2 (positive
    // definite: the implied Pearson matrix has determinant ~0.40), with two
    // uncorrelated parameters around them. The SE of a sample Spearman
    // correlation is roughly (1 - rho^2) / sqrt(n); at n = 20,000 that is at
    // most 1/141 ~ 0.0071 (rho = 0) and ~0.0036 at rho = 0.7, so 0.02 is
    // about 3 to 6 standard errors: a correct sampler essentially never
    // fails, while a wrong sign, a lost or misplaced correlation fails
    // outright. (The Spearman/Pearson conversion itself changes rho by at
    // most ~0.018, too little to see here: `conversion_is_applied` checks
    // it with a tighter bound.)
    fn check_spearman_targets(method: SamplingMethod) {
        let n = 20_000;
        let purposes = names(&["p.a", "p.free1", "p.b", "p.c", "p.free2"]);
        let targets = [corr(0, 2, 0.7), corr(3, 0, -0.4), corr(2, 3, -0.3)];
        let sampler = StaticSampler::new(2024, n, method, &purposes, &targets).unwrap();
        let cols = draw(&sampler, n);
        for t in &targets {
            let got = spearman(&cols[t.a], &cols[t.b]);
            assert!(
                (got - t.spearman).abs() < 0.02,
                "{method:?}: pair ({}, {}) target {} got {got}",
                t.a,
                t.b,
                t.spearman
            );
        }
        // Parameters outside the group stay uncorrelated with it.
        for (a, b) in [(1, 0), (1, 2), (4, 3), (1, 4)] {
            let got = spearman(&cols[a], &cols[b]);
            assert!(got.abs() < 0.02, "{method:?}: ({a}, {b}) got {got}");
        }
        for col in &cols {
            assert!(col.iter().all(|&u| u > 0.0 && u < 1.0));
        }
    }

    #[test]
    fn spearman_targets_random() {
        check_spearman_targets(SamplingMethod::Random);
    }

    #[test]
    fn spearman_targets_latin_hypercube() {
        check_spearman_targets(SamplingMethod::LatinHypercube);
    }

    #[test]
    fn conversion_is_applied() {
        // At rho_s = 0.6, using rho_s as the Pearson correlation would give
        // a Spearman of 6/pi asin(0.3) ~ 0.582, 0.018 short. At n = 200,000
        // the SE is ~ (1 - 0.36)/447 ~ 0.0014; 0.006 is ~4 SE.
        let n = 200_000;
        let purposes = names(&["x", "y"]);
        let sampler =
            StaticSampler::new(5, n, SamplingMethod::Random, &purposes, &[corr(0, 1, 0.6)])
                .unwrap();
        let cols = draw(&sampler, n);
        let got = spearman(&cols[0], &cols[1]);
        assert!((got - 0.6).abs() < 0.006, "got {got}");
    }

    #[test]
    fn spearman_to_pearson_values() {
        assert_eq!(spearman_to_pearson(0.0), 0.0);
        assert!(
            (spearman_to_pearson(0.5) - 2.0 * (std::f64::consts::PI / 12.0).sin()).abs() < 1e-15
        );
        assert!((spearman_to_pearson(1.0) - 1.0).abs() < 1e-15);
        assert!((spearman_to_pearson(-1.0) + 1.0).abs() < 1e-15);
        for rho in [-0.9, -0.3, 0.2, 0.7] {
            let back = 6.0 / std::f64::consts::PI * (spearman_to_pearson(rho) / 2.0).asin();
            assert!((back - rho).abs() < 1e-12);
        }
    }

    #[test]
    fn factor_reproduces_the_pearson_matrix() {
        let targets = [corr(4, 1, 0.5), corr(1, 2, -0.2)];
        let (group, chol) = correlation_factor(6, &targets).unwrap();
        assert_eq!(group, vec![1, 2, 4]);
        let l = |r: usize, c: usize| {
            if c <= r {
                chol[r * (r + 1) / 2 + c]
            } else {
                0.0
            }
        };
        let expected = |r: usize, c: usize| -> f64 {
            let (i, j) = (group[r], group[c]);
            if i == j {
                return 1.0;
            }
            targets
                .iter()
                .find(|t| (t.a, t.b) == (i, j) || (t.a, t.b) == (j, i))
                .map_or(0.0, |t| spearman_to_pearson(t.spearman))
        };
        for r in 0..3 {
            for c in 0..3 {
                let llt: f64 = (0..3).map(|k| l(r, k) * l(c, k)).sum();
                assert!((llt - expected(r, c)).abs() < 1e-12, "({r}, {c})");
            }
        }
    }

    #[test]
    fn perfect_rank_correlation_is_accepted_and_co_monotone() {
        // (0, 2) = 1 with (1, 2) = -1 would imply (0, 1) = -1, not the 0 it
        // defaults to, and is rightly refused; two separate pairs are fine.
        let purposes = names(&["a", "b", "c", "d"]);
        let inconsistent = [corr(0, 2, 1.0), corr(1, 2, -1.0)];
        assert!(
            StaticSampler::new(1, 10, SamplingMethod::Random, &purposes, &inconsistent).is_err()
        );
        let targets = [corr(0, 2, 1.0), corr(1, 3, -1.0)];
        let sampler =
            StaticSampler::new(1, 2000, SamplingMethod::Random, &purposes, &targets).unwrap();
        let cols = draw(&sampler, 2000);
        assert!(spearman(&cols[0], &cols[2]) > 0.999);
        assert!(spearman(&cols[1], &cols[3]) < -0.999);
        for col in &cols {
            assert!(col.iter().all(|&u| u > 0.0 && u < 1.0));
        }
    }

    #[test]
    fn phi_stays_open() {
        assert!(phi_open(9.0) < 1.0);
        assert!(phi_open(1e6) < 1.0);
        assert!(phi_open(-40.0) > 0.0);
        assert!(phi_open(-1e6) > 0.0);
        assert_eq!(phi_open(0.0), 0.5);
    }

    // Test 2.
    #[test]
    fn latin_hypercube_fills_every_stratum_once() {
        let purposes = names(&["a", "b.c", "zones.x.y"]);
        for n in [1u64, 2, 7, 1000, 1237] {
            let sampler =
                StaticSampler::new(77, n, SamplingMethod::LatinHypercube, &purposes, &[]).unwrap();
            let cols = draw(&sampler, n);
            for (i, col) in cols.iter().enumerate() {
                let mut hits = vec![0u32; n as usize];
                for &u in col {
                    assert!(u > 0.0 && u < 1.0);
                    hits[(u * n as f64).floor() as usize] += 1;
                }
                assert!(hits.iter().all(|&h| h == 1), "n = {n}, parameter {i}");
            }
        }
    }

    #[test]
    fn latin_hypercube_uncorrelated_parameters_keep_strata_next_to_a_group() {
        let purposes = names(&["a", "b", "free"]);
        let n = 500;
        let sampler = StaticSampler::new(
            3,
            n,
            SamplingMethod::LatinHypercube,
            &purposes,
            &[corr(0, 1, 0.5)],
        )
        .unwrap();
        let cols = draw(&sampler, n);
        let mut hits = vec![0u32; n as usize];
        for &u in &cols[2] {
            hits[(u * n as f64).floor() as usize] += 1;
        }
        assert!(hits.iter().all(|&h| h == 1));
    }

    // Test 3.
    #[test]
    fn replay_and_determinism() {
        let purposes = names(&["a", "b", "c", "d"]);
        let targets = [corr(0, 2, 0.4), corr(2, 3, -0.2)];
        let n = 300;
        for method in [SamplingMethod::Random, SamplingMethod::LatinHypercube] {
            let one = StaticSampler::new(9, n, method, &purposes, &targets).unwrap();
            let two = StaticSampler::new(9, n, method, &purposes, &targets).unwrap();
            let all = draw(&one, n);
            assert_eq!(
                all.iter().map(|c| bits(c)).collect::<Vec<_>>(),
                draw(&two, n).iter().map(|c| bits(c)).collect::<Vec<_>>(),
                "{method:?}: same inputs, same bits"
            );
            // Replaying a replication alone, in any order, gives the values
            // seen while looping.
            let mut out = vec![0.0; 4];
            for r in [n - 1, 0, 137, 42] {
                one.uniforms(r, &mut out);
                for i in 0..4 {
                    assert_eq!(out[i].to_bits(), all[i][r as usize].to_bits());
                }
                // From a clone too (as a worker thread would hold).
                one.clone().uniforms(r, &mut out);
                assert_eq!(out[1].to_bits(), all[1][r as usize].to_bits());
            }

            let other_seed = StaticSampler::new(10, n, method, &purposes, &targets).unwrap();
            let other_seed = draw(&other_seed, n);
            for i in 0..4 {
                assert_ne!(bits(&all[i]), bits(&other_seed[i]), "{method:?} seed, {i}");
            }
            let renamed = names(&["a2", "b2", "c2", "d2"]);
            let other_purposes = StaticSampler::new(9, n, method, &renamed, &targets).unwrap();
            let other_purposes = draw(&other_purposes, n);
            for i in 0..4 {
                assert_ne!(
                    bits(&all[i]),
                    bits(&other_purposes[i]),
                    "{method:?} purpose {i}"
                );
            }
            // And parameters differ from each other.
            assert_ne!(bits(&all[1]), bits(&all[3]));
        }
    }

    // Test 4.
    #[test]
    fn common_random_numbers_when_adding_a_parameter() {
        let n = 200;
        for method in [SamplingMethod::Random, SamplingMethod::LatinHypercube] {
            let before = StaticSampler::new(1, n, method, &names(&["a", "b"]), &[]).unwrap();
            let after = StaticSampler::new(1, n, method, &names(&["a", "new", "b"]), &[]).unwrap();
            let (before, after) = (draw(&before, n), draw(&after, n));
            assert_eq!(bits(&before[0]), bits(&after[0]), "{method:?}");
            assert_eq!(bits(&before[1]), bits(&after[2]), "{method:?}");
        }
    }

    #[test]
    fn common_random_numbers_when_correlating_other_parameters() {
        let n = 200;
        let purposes = names(&["a", "b", "c"]);
        for method in [SamplingMethod::Random, SamplingMethod::LatinHypercube] {
            let plain = StaticSampler::new(1, n, method, &purposes, &[]).unwrap();
            let correlated =
                StaticSampler::new(1, n, method, &purposes, &[corr(2, 0, 0.8)]).unwrap();
            let (plain, correlated) = (draw(&plain, n), draw(&correlated, n));
            assert_eq!(bits(&plain[1]), bits(&correlated[1]), "{method:?}");
            assert_ne!(bits(&plain[0]), bits(&correlated[0]), "{method:?}");
        }
    }

    // Test 5.
    #[test]
    fn not_positive_definite_names_the_pairs() {
        let purposes = names(&["a", "b", "c"]);
        let targets = [corr(0, 1, -0.9), corr(0, 2, -0.9), corr(1, 2, -0.9)];
        let err =
            StaticSampler::new(1, 10, SamplingMethod::Random, &purposes, &targets).unwrap_err();
        assert_eq!(
            err,
            SamplingError::NotPositiveDefinite {
                pairs: vec![(0, 1), (0, 2), (1, 2)]
            }
        );
    }

    #[test]
    fn not_positive_definite_names_only_the_conflicting_pairs() {
        // Parameters 0 and 1 are fine together and with the rest; 2, 3, 4
        // conflict (pairwise -0.9: an equicorrelation below -1/2).
        let purposes = names(&["p0", "p1", "p2", "p3", "p4", "p5"]);
        let targets = [
            corr(0, 1, 0.5),
            corr(4, 2, -0.9),
            corr(1, 2, 0.1),
            corr(2, 3, -0.9),
            corr(3, 4, -0.9),
            corr(5, 0, 0.0),
        ];
        for method in [SamplingMethod::Random, SamplingMethod::LatinHypercube] {
            let err = StaticSampler::new(1, 10, method, &purposes, &targets).unwrap_err();
            assert_eq!(
                err,
                SamplingError::NotPositiveDefinite {
                    pairs: vec![(4, 2), (2, 3), (3, 4)]
                }
            );
            let text = err.to_string();
            assert!(text.contains("not positive definite") && text.contains("3 conflicting"));
        }
    }

    #[test]
    fn huge_latin_hypercube_is_refused_not_allocated() {
        let purposes = names(&["a", "b", "c", "d"]);
        let err = StaticSampler::new(
            1,
            1_000_000_000,
            SamplingMethod::LatinHypercube,
            &purposes,
            &[],
        )
        .unwrap_err();
        assert!(matches!(
            err,
            SamplingError::LatinHypercubeTooLarge { parameters: 4, .. }
        ));
        assert!(err.to_string().contains("sampling = \"random\""));
        // Random sampling needs no table.
        StaticSampler::new(1, 1_000_000_000, SamplingMethod::Random, &purposes, &[]).unwrap();
    }

    #[test]
    fn no_parameters_and_no_correlations() {
        let sampler = StaticSampler::new(1, 0, SamplingMethod::LatinHypercube, &[], &[]).unwrap();
        assert!(sampler.is_empty());
        let sampler = StaticSampler::new(1, 5, SamplingMethod::Random, &[], &[]).unwrap();
        sampler.uniforms(3, &mut []);
        assert!(sampler.correlated_group().is_empty());
    }

    #[test]
    fn random_method_reads_uniform_r_of_each_parameters_counter_sequence() {
        let purposes = names(&["zones.rashakai.investment.capital_per_ha", "b"]);
        let sampler = StaticSampler::new(8, 50, SamplingMethod::Random, &purposes, &[]).unwrap();
        let mut out = [0.0; 2];
        sampler.uniforms(17, &mut out);
        for (u, p) in out.iter().zip(&purposes) {
            assert_eq!(
                u.to_bits(),
                StreamKey::new(8, p).cursor().uniform_at(17).to_bits()
            );
        }
        // A worker's cursors give the same values walking 0..50 as fresh
        // stateless calls (replay), in any order.
        let mut state = sampler.state();
        let mut walked = [0.0; 2];
        for r in 0..50 {
            sampler.uniforms_with(&mut state, r, &mut walked);
            let mut fresh = [0.0; 2];
            sampler.uniforms(r, &mut fresh);
            assert_eq!(
                walked.map(f64::to_bits),
                fresh.map(f64::to_bits),
                "replication {r}"
            );
        }
        sampler.uniforms_with(&mut state, 17, &mut walked);
        assert_eq!(walked.map(f64::to_bits), out.map(f64::to_bits));
    }
}
