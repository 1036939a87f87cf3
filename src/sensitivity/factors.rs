//! Factors of a sensitivity analysis: which sampling dimensions (uncertain
//! parameters) move together.
//! [`Factors`]' documentation says how they are formed.

use super::SensitivityError;

/// One factor: a name and the sampling dimensions it moves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Factor {
    /// The parameter path, the declared group's name, or the correlated
    /// block's member paths joined with `+`.
    pub name: String,
    /// Sampling dimensions (positions in the parameter list), ascending.
    pub dimensions: Vec<usize>,
}

/// A group declared by the user, already resolved to dimensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredGroup {
    /// The group's name, which names the factor.
    pub name: String,
    /// Its members (positions in the parameter list), in any order.
    pub members: Vec<usize>,
}

/// The factors of an analysis: a partition of the sampling dimensions.
///
/// A factor is one uncertain parameter, or a group of them whose uniforms
/// are always taken together, from the same design row. Two kinds of
/// groups exist:
///
/// - **Correlated blocks.** Parameters linked by correlation targets,
///   directly or through a chain of them, form one block and are drawn
///   jointly by the Gaussian copula. Exchanging only part of a block between
///   design rows would pair values that the copula never produces together
///   and breaks the estimators' identities, so a block is always one factor
///   (or lies wholly inside one declared group). Its name is its members'
///   paths joined with `+`.
/// - **Declared groups**, given by name and members (the caller resolves any
///   pattern into members). A correlated block may not be split across
///   groups, nor lie partly in a group and partly outside.
///
/// Factors are listed in the order of their first member (dimensions are
/// numbered in the order of the parameter sampler), and each lists its
/// members in ascending order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Factors {
    list: Vec<Factor>,
    dimensions: usize,
}

impl Factors {
    /// One factor per dimension, named by `paths`.
    pub fn independent(paths: &[String]) -> Self {
        Factors {
            list: paths
                .iter()
                .enumerate()
                .map(|(d, path)| Factor {
                    name: path.clone(),
                    dimensions: vec![d],
                })
                .collect(),
            dimensions: paths.len(),
        }
    }

    /// The factors of dimensions named `paths`, with `correlated` pairs of
    /// dimensions (non-zero correlation targets, as
    /// [`ParameterSampler::correlated_pairs`](crate::uncertainty::ParameterSampler::correlated_pairs)
    /// gives them) and `groups` declared by the user.
    ///
    /// # Errors
    ///
    /// A group with no members or a member out of range, a dimension in two
    /// groups, a correlated block split across groups or partly outside
    /// one, two factors with one name, or no dimension at all.
    pub fn new(
        paths: &[String],
        correlated: &[(usize, usize)],
        groups: &[DeclaredGroup],
    ) -> Result<Self, SensitivityError> {
        let n = paths.len();
        if n == 0 {
            return Err(SensitivityError::NoFactors);
        }
        // Correlated blocks: connected components, labelled by their
        // smallest member.
        let mut parent: Vec<usize> = (0..n).collect();
        fn root(parent: &mut [usize], mut x: usize) -> usize {
            while parent[x] != x {
                parent[x] = parent[parent[x]];
                x = parent[x];
            }
            x
        }
        for &(a, b) in correlated {
            if a >= n || b >= n {
                return Err(SensitivityError::UnknownDimension {
                    dimension: a.max(b),
                });
            }
            let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
            parent[ra.max(rb)] = ra.min(rb);
        }
        let block: Vec<usize> = (0..n).map(|d| root(&mut parent, d)).collect();

        // Declared group of each dimension.
        let mut group_of: Vec<Option<usize>> = vec![None; n];
        for (g, group) in groups.iter().enumerate() {
            if group.members.is_empty() {
                return Err(SensitivityError::EmptyGroup {
                    group: group.name.clone(),
                });
            }
            for &d in &group.members {
                if d >= n {
                    return Err(SensitivityError::UnknownDimension { dimension: d });
                }
                match group_of[d] {
                    Some(other) if other != g => {
                        return Err(SensitivityError::InTwoGroups {
                            parameter: paths[d].clone(),
                            groups: [groups[other].name.clone(), group.name.clone()],
                        });
                    }
                    _ => group_of[d] = Some(g),
                }
            }
        }
        // Every member of a block must share the block's group (or none).
        for d in 0..n {
            let first = block[d];
            if group_of[d] != group_of[first] {
                let members: Vec<String> = (0..n)
                    .filter(|&e| block[e] == first)
                    .map(|e| paths[e].clone())
                    .collect();
                let name = |g: Option<usize>| g.map(|g| groups[g].name.clone());
                let mut placed: Vec<String> = (0..n)
                    .filter(|&e| block[e] == first)
                    .filter_map(|e| name(group_of[e]))
                    .collect();
                placed.dedup();
                return Err(SensitivityError::SplitCorrelatedBlock {
                    members,
                    groups: placed,
                });
            }
        }

        // A factor per group, per block outside groups; keyed by the first
        // dimension met, which lists factors by their first member.
        let mut list: Vec<Factor> = Vec::new();
        let mut factor_of_key: Vec<Option<usize>> = vec![None; n + groups.len()];
        for d in 0..n {
            let key = match group_of[d] {
                Some(g) => n + g,
                None => block[d],
            };
            match factor_of_key[key] {
                Some(f) => list[f].dimensions.push(d),
                None => {
                    factor_of_key[key] = Some(list.len());
                    list.push(Factor {
                        name: String::new(),
                        dimensions: vec![d],
                    });
                }
            }
        }
        for (key, f) in factor_of_key.iter().enumerate() {
            let Some(f) = *f else { continue };
            let factor = &mut list[f];
            factor.name = if key >= n {
                groups[key - n].name.clone()
            } else {
                let names: Vec<&str> = factor
                    .dimensions
                    .iter()
                    .map(|&d| paths[d].as_str())
                    .collect();
                names.join("+")
            };
        }
        let mut names: Vec<&str> = list.iter().map(|f| f.name.as_str()).collect();
        names.sort_unstable();
        if let Some(pair) = names.windows(2).find(|w| w[0] == w[1]) {
            return Err(SensitivityError::DuplicateFactorName {
                name: pair[0].to_string(),
            });
        }
        Ok(Factors {
            list,
            dimensions: n,
        })
    }

    /// Number of factors.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// True when there is no factor.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Number of sampling dimensions covered.
    pub fn dimensions(&self) -> usize {
        self.dimensions
    }

    /// The factors, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Factor> {
        self.list.iter()
    }

    /// Factor `index`.
    pub fn get(&self, index: usize) -> &Factor {
        &self.list[index]
    }

    /// The factor of each dimension, indexed by dimension.
    pub fn factor_of_dimensions(&self) -> Vec<usize> {
        let mut factor_of = vec![0; self.dimensions];
        for (j, factor) in self.list.iter().enumerate() {
            for &d in &factor.dimensions {
                factor_of[d] = j;
            }
        }
        factor_of
    }

    /// The factors' names, in order.
    pub fn names(&self) -> Vec<String> {
        self.list.iter().map(|f| f.name.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("p{i}")).collect()
    }

    fn group(name: &str, members: &[usize]) -> DeclaredGroup {
        DeclaredGroup {
            name: name.to_string(),
            members: members.to_vec(),
        }
    }

    fn layout(f: &Factors) -> Vec<(String, Vec<usize>)> {
        f.iter()
            .map(|f| (f.name.clone(), f.dimensions.clone()))
            .collect()
    }

    #[test]
    fn a_correlated_pair_is_one_factor_named_by_its_members() {
        let f = Factors::new(&paths(4), &[(2, 0)], &[]).unwrap();
        assert_eq!(
            layout(&f),
            [
                ("p0+p2".to_string(), vec![0, 2]),
                ("p1".to_string(), vec![1]),
                ("p3".to_string(), vec![3]),
            ]
        );
        assert_eq!(f.dimensions(), 4);
    }

    #[test]
    fn chains_of_correlations_form_one_block() {
        // As in the baseline scenario: a-c and b-c correlated.
        let f = Factors::new(&paths(5), &[(0, 4), (1, 4)], &[]).unwrap();
        assert_eq!(f.get(0).name, "p0+p1+p4");
        assert_eq!(f.get(0).dimensions, [0, 1, 4]);
        assert_eq!(f.len(), 3);
    }

    #[test]
    fn declared_groups_take_whole_blocks_and_their_name() {
        let f = Factors::new(&paths(6), &[(1, 2)], &[group("zone", &[5, 2, 1])]).unwrap();
        assert_eq!(
            layout(&f),
            [
                ("p0".to_string(), vec![0]),
                ("zone".to_string(), vec![1, 2, 5]),
                ("p3".to_string(), vec![3]),
                ("p4".to_string(), vec![4]),
            ]
        );
    }

    #[test]
    fn a_block_split_across_groups_or_half_outside_is_refused() {
        let err = Factors::new(&paths(4), &[(0, 1)], &[group("g", &[0])]).unwrap_err();
        assert!(
            matches!(&err, SensitivityError::SplitCorrelatedBlock { members, groups }
            if members == &["p0", "p1"] && groups == &["g"])
        );
        assert!(err.to_string().contains("p0, p1"), "{err}");
        let err =
            Factors::new(&paths(4), &[(0, 1)], &[group("g", &[0]), group("h", &[1])]).unwrap_err();
        assert!(matches!(err, SensitivityError::SplitCorrelatedBlock { .. }));
    }

    #[test]
    fn bad_groups_are_refused() {
        let err = Factors::new(&paths(3), &[], &[group("a", &[0]), group("b", &[0, 1])]);
        assert!(matches!(err, Err(SensitivityError::InTwoGroups { .. })));
        let err = Factors::new(&paths(3), &[], &[group("a", &[])]);
        assert!(matches!(err, Err(SensitivityError::EmptyGroup { .. })));
        // A group named like a parameter outside it.
        let err = Factors::new(&paths(3), &[], &[group("p2", &[0, 1])]);
        assert!(matches!(
            err,
            Err(SensitivityError::DuplicateFactorName { .. })
        ));
        assert!(matches!(
            Factors::new(&[], &[], &[]),
            Err(SensitivityError::NoFactors)
        ));
    }

    #[test]
    fn independent_factors() {
        let f = Factors::independent(&paths(3));
        assert_eq!(f, Factors::new(&paths(3), &[], &[]).unwrap());
        assert_eq!(f.names(), ["p0", "p1", "p2"]);
    }
}
