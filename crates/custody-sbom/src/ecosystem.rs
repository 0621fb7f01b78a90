//! npm and crates.io packages (the inventory's `ecosystems` part) as
//! components: purls of registry releases, digests from the sources'
//! integrity strings, the licence a `package.json` or npm lockfile
//! states, and where a package that is not a registry release comes from.

use std::fmt::Write as _;

use base64::Engine as _;
use custody_ecosystems::{Ecosystem, Package, Source};
use custody_inventory::License;

use crate::hash::Hash;
use crate::license::{self, Licensing};
use crate::purl;

/// What one npm or Cargo package contributes to its component.
pub(crate) struct Entry {
    pub bom_ref: String,
    pub purl: Option<String>,
    pub indexed: bool,
    pub hashes: Vec<Hash>,
    pub licensing: Licensing,
    pub location: Option<String>,
}

/// The registry release a package is, or where it comes from instead: a
/// registry package (or an installed one whose `package.json` does not
/// say, which npm installs from its registry) gets a purl; a git or path
/// package, or another URL, is listed by name with that location.
pub(crate) fn entry(p: &Package) -> Entry {
    let (indexed, location) = match &p.source {
        Source::Registry(_) | Source::Unknown => (true, None),
        Source::Git(url) => (false, Some(format!("git: {url}"))),
        Source::Path(at) => (
            false,
            Some(format!("path: {}", at.as_deref().unwrap_or("(not stated)"))),
        ),
        Source::Other(what) => (false, Some(format!("resolved: {what}"))),
    };
    let version = p.version.as_deref();
    let purl = indexed
        .then(|| match p.ecosystem {
            Ecosystem::Npm => purl::npm(&p.name, version),
            Ecosystem::CratesIo => purl::cargo(&p.name, version),
        })
        .flatten();
    let kind = match p.ecosystem {
        Ecosystem::Npm => "npm",
        Ecosystem::CratesIo => "cargo",
    };
    let bom_ref = purl
        .clone()
        .unwrap_or_else(|| format!("local:{kind}:{}@{}", p.name, version.unwrap_or("unknown")));
    let licensing = license::resolve(&License {
        expression: p.license.clone(),
        ..License::default()
    });
    Entry {
        bom_ref,
        purl,
        indexed,
        hashes: p.integrity.iter().filter_map(|i| digest(i)).collect(),
        licensing,
        location,
    }
}

/// A digest from an integrity string: npm's Subresource Integrity
/// (`sha512-BASE64`, `sha1-BASE64`) or `ALG:HEX` (Cargo's `sha256:`, yarn
/// 1's `sha1:`, a bill's). yarn berry's `yarn:` checksum is a digest of
/// yarn's own zip, not of the registry tarball: not a component hash.
pub(crate) fn digest(integrity: &str) -> Option<Hash> {
    let (algorithm, hex) = if let Some((alg, hex)) = integrity.split_once(':') {
        (alg.to_ascii_lowercase(), hex.to_ascii_lowercase())
    } else {
        let (alg, b64) = integrity.split_once('-')?;
        // SRI allows `?options` after the digest.
        let b64 = b64.split('?').next().unwrap_or_default();
        let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
        let hex = bytes.iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        });
        (alg.to_ascii_lowercase(), hex)
    };
    let len = match algorithm.as_str() {
        "sha1" => 40,
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return None,
    };
    (hex.len() == len && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then_some(Hash { algorithm, hex })
}

#[cfg(test)]
mod tests {
    use super::digest;

    #[test]
    fn integrity_strings_become_hex_digests() {
        let h = digest("sha1-AAECAwQFBgcICQoLDA0ODxAREhM=").unwrap();
        assert_eq!(
            (h.algorithm.as_str(), h.hex.as_str()),
            ("sha1", "000102030405060708090a0b0c0d0e0f10111213")
        );
        let c = "cc936419f96fa211c1b9166887b38e5e40b19958e5b895be7c1f93adec7071ac";
        assert_eq!(digest(&format!("sha256:{c}")).unwrap().hex, c);
        assert!(digest("yarn:10c0/c3fe41d9").is_none(), "yarn's own zip");
        assert!(digest("sha512-notbase64!").is_none());
        assert!(digest("sha256-AAEC").is_none(), "too short for sha256");
    }
}
