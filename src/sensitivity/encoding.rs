//! The binary form of the accumulators, so a shard of an analysis
//! computed by one process can be merged by another: a magic number, a
//! format version and the kind, the accumulator's exact state in the
//! engine's codec (floats as raw bits, counts as varints), and a SHA-256 of
//! everything before it. Decoding checks the checksum and the
//! accumulators' invariants, so a damaged file is an error, never a panic
//! or a wrong merge.

use sha2::{Digest, Sha256};

use super::{MorrisAccumulator, SensitivityError, SobolAccumulator};
use crate::engine::codec::{DecodeError, Decoder, Encoder, invalid};

/// The first bytes of every encoded accumulator.
const MAGIC: &[u8; 8] = b"SEZSENS\0";

/// Version of the binary form; bump it whenever the encoding or an
/// accumulator's state changes, so that old shard files are refused rather
/// than misread.
pub const SENSITIVITY_FORMAT_VERSION: u32 = 1;

const SOBOL: u8 = 0;
const MORRIS: u8 = 1;

fn wrap(kind: u8, body: impl FnOnce(&mut Encoder)) -> Vec<u8> {
    let mut e = Encoder::default();
    e.raw(MAGIC);
    e.u64(u64::from(SENSITIVITY_FORMAT_VERSION));
    e.u8(kind);
    body(&mut e);
    let digest = Sha256::digest(&e.bytes);
    e.raw(&digest);
    e.bytes
}

fn unwrap<T>(
    bytes: &[u8],
    kind: u8,
    body: impl FnOnce(&mut Decoder) -> Result<T, DecodeError>,
) -> Result<T, SensitivityError> {
    let decode = || {
        if bytes.len() < MAGIC.len() + 32 || !bytes.starts_with(MAGIC) {
            return invalid("not a sezsim sensitivity accumulator");
        }
        let (data, digest) = bytes.split_at(bytes.len() - 32);
        if Sha256::digest(data).as_slice() != digest {
            return invalid("checksum mismatch: the data is damaged or incomplete");
        }
        let mut d = Decoder::new(&data[MAGIC.len()..]);
        let version = d.u64()?;
        if version != u64::from(SENSITIVITY_FORMAT_VERSION) {
            return invalid(format!(
                "format version {version}; this sezsim reads version {SENSITIVITY_FORMAT_VERSION}"
            ));
        }
        let found = d.u8()?;
        if found != kind {
            return invalid(if found == SOBOL {
                "this holds Sobol' sums, not Morris effects"
            } else {
                "this holds Morris effects, not Sobol' sums"
            });
        }
        let value = body(&mut d)?;
        d.finish()?;
        Ok(value)
    };
    decode().map_err(|e| SensitivityError::Decode(e.0))
}

impl SobolAccumulator {
    /// The binary form of these sums (see the module docs); reads back with
    /// [`Self::from_bytes`] into an accumulator equal in every bit.
    pub fn to_bytes(&self) -> Vec<u8> {
        wrap(SOBOL, |e| self.encode(e))
    }

    /// Sums written by [`Self::to_bytes`].
    ///
    /// # Errors
    ///
    /// [`SensitivityError::Decode`] for anything else: another format or
    /// version, a checksum mismatch, a state that breaks the sums'
    /// invariants.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SensitivityError> {
        unwrap(bytes, SOBOL, SobolAccumulator::decode)
    }
}

impl MorrisAccumulator {
    /// The binary form of these effects (see the module docs); reads back
    /// with [`Self::from_bytes`] into an accumulator equal in every bit.
    pub fn to_bytes(&self) -> Vec<u8> {
        wrap(MORRIS, |e| self.encode(e))
    }

    /// Effects written by [`Self::to_bytes`].
    ///
    /// # Errors
    ///
    /// [`SensitivityError::Decode`] for anything else.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SensitivityError> {
        unwrap(bytes, MORRIS, MorrisAccumulator::decode)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{
        Factors, MorrisAccumulator, MorrisDesign, MorrisOptions, SobolAccumulator, SobolDesign,
        SobolOptions,
    };

    fn paths() -> Vec<String> {
        (0..3).map(|i| format!("p{i}")).collect()
    }

    /// Encoded accumulators read back equal, and any damage, truncation or
    /// mix-up of kinds is an error.
    #[test]
    fn accumulators_round_trip_and_damage_is_refused() {
        let options = SobolOptions {
            samples: 16,
            replicates: 2,
            second_order: true,
            seed: 3,
        };
        let design = SobolDesign::new(Factors::independent(&paths()), options).unwrap();
        let mut acc = SobolAccumulator::new(&design, vec![0.5, -1.0]);
        let rows = design.rows_per_block();
        for block in [0u64, 3, 9] {
            let outputs: Vec<f64> = (0..rows * 2)
                .map(|i| (i as f64 * 0.37 + block as f64).sin())
                .collect();
            acc.add_block(block, &outputs).unwrap();
        }
        let bytes = acc.to_bytes();
        assert_eq!(SobolAccumulator::from_bytes(&bytes).unwrap(), acc);
        let mut damaged = bytes.clone();
        damaged[20] ^= 1;
        assert!(SobolAccumulator::from_bytes(&damaged).is_err());
        assert!(SobolAccumulator::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        assert!(MorrisAccumulator::from_bytes(&bytes).is_err());

        let design = MorrisDesign::new(
            Factors::independent(&paths()),
            MorrisOptions {
                trajectories: 4,
                seed: 1,
            },
        )
        .unwrap();
        let mut acc = MorrisAccumulator::new(&design, 1);
        for t in [1, 3] {
            let outputs = [1.0, 2.0, 4.0, 8.0];
            acc.add_trajectory(t, &design.trajectory(t), &outputs)
                .unwrap();
        }
        let bytes = acc.to_bytes();
        assert_eq!(MorrisAccumulator::from_bytes(&bytes).unwrap(), acc);
        assert!(SobolAccumulator::from_bytes(&bytes).is_err());
        assert!(MorrisAccumulator::from_bytes(b"SEZSENS\0").is_err());
    }
}
