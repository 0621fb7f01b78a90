//! The dataset's Merkle tree, RFC 6962 style: leaves and nodes are hashed
//! with distinct prefixes (0x00, 0x01), so no leaf can pose as a node; a
//! tree of `n` leaves splits at the largest power of two below `n`. The
//! root is the dataset's identity: it names every file's path, size and
//! digest.

use crate::hash::{Algorithm, Digest};

/// The bytes of one file's leaf: path length (u64 LE), path (UTF-8), size
/// (u64 LE), file digest.
pub fn leaf(algorithm: Algorithm, path: &str, size: u64, digest: &Digest) -> Digest {
    let len = (path.len() as u64).to_le_bytes();
    let size = size.to_le_bytes();
    algorithm.digest_parts(&[&[0x00], &len, path.as_bytes(), &size, digest])
}

/// The root over leaf hashes (as from [`leaf`]), in manifest order. The
/// empty tree's root is the hash of nothing.
pub fn root(algorithm: Algorithm, leaves: &[Digest]) -> Digest {
    match leaves {
        [] => algorithm.digest(&[]),
        [one] => *one,
        _ => {
            let split = split_point(leaves.len());
            let (l, r) = leaves.split_at(split);
            let (l, r) = rayon::join(|| root(algorithm, l), || root(algorithm, r));
            algorithm.digest_parts(&[&[0x01], &l, &r])
        }
    }
}

/// The largest power of two strictly less than `n` (n ≥ 2).
fn split_point(n: usize) -> usize {
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6962_shape() {
        let a = Algorithm::Sha256;
        let l: Vec<Digest> = (0u8..3).map(|i| a.digest(&[0, i])).collect();
        let node = |x: &Digest, y: &Digest| a.digest_parts(&[&[1], x, y]);
        // Three leaves: (l0 l1) l2.
        assert_eq!(root(a, &l), node(&node(&l[0], &l[1]), &l[2]));
        assert_eq!(root(a, &l[..1]), l[0]);
        assert_eq!(split_point(5), 4);
        assert_eq!(split_point(4), 2);
        // Empty tree: SHA-256 of nothing.
        assert_eq!(crate::keys::hex(&root(a, &[]))[..8], *"e3b0c442");
    }

    #[test]
    fn leaves_bind_path_size_and_digest() {
        let a = Algorithm::Blake3;
        let d = a.digest(b"x");
        let base = leaf(a, "a", 1, &d);
        assert_ne!(base, leaf(a, "b", 1, &d));
        assert_ne!(base, leaf(a, "a", 2, &d));
        assert_ne!(base, leaf(a, "a", 1, &a.digest(b"y")));
    }
}
