//! `custody key generate`, and reading key files for the other commands.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use custody_seal::keys::{PublicKey, Scheme, SigningKey};

use crate::cli::{KeyGenerateArgs, KeyScheme};
use crate::exit::{CliError, CmdResult, Exit};
use crate::output;

/// The default environment variable of a key passphrase.
pub const PASSPHRASE_ENV: &str = "CUSTODY_KEY_PASSPHRASE";

pub fn generate(args: &KeyGenerateArgs) -> CmdResult {
    let scheme = match args.scheme {
        KeyScheme::Ed25519 => Scheme::Ed25519,
        KeyScheme::EcdsaP256 => Scheme::EcdsaP256,
    };
    let private = with_suffix(&args.out, "key");
    let public = with_suffix(&args.out, "pub");
    for p in [&private, &public] {
        if p.exists() && !args.force {
            return Err(
                CliError::bad_input(anyhow::anyhow!("{} exists", p.display()))
                    .with_hint("pass --force to overwrite it, or choose another prefix with -o"),
            );
        }
    }
    let passphrase = passphrase(args.passphrase_env.as_deref(), false)?;
    let key = SigningKey::generate(scheme).map_err(CliError::internal)?;
    let pem = key
        .to_pem(passphrase.as_deref())
        .map_err(CliError::internal)?;
    write_atomic(&private, pem.as_bytes(), true)?;
    write_atomic(&public, key.public().to_pem().as_bytes(), false)?;
    output::stdout(&format!(
        "{}\n",
        serde_json::json!({
            "scheme": scheme.name(),
            "key_id": key.public().key_id(),
            "private_key": private,
            "public_key": public,
            "encrypted": passphrase.is_some(),
        })
    ))?;
    output::note(&format!(
        "wrote {} (keep it secret) and {} (give it to verifiers)",
        private.display(),
        public.display()
    ));
    Ok(Exit::Success)
}

fn with_suffix(prefix: &Path, suffix: &str) -> PathBuf {
    let mut s = prefix.as_os_str().to_owned();
    s.push(".");
    s.push(suffix);
    PathBuf::from(s)
}

/// The passphrase from `var` (or the default variable when `fallback`).
pub fn passphrase(var: Option<&str>, fallback: bool) -> Result<Option<String>, CliError> {
    match var {
        Some(v) => std::env::var(v).map(Some).map_err(|_| {
            CliError::bad_input(anyhow::anyhow!(
                "environment variable {v} (--passphrase-env) is not set"
            ))
        }),
        None if fallback => Ok(std::env::var(PASSPHRASE_ENV).ok().filter(|s| !s.is_empty())),
        None => Ok(None),
    }
}

/// Reads a private key file.
pub fn read_private(path: &Path, passphrase_env: Option<&str>) -> Result<SigningKey, CliError> {
    let pem = fs_err::read_to_string(path).map_err(CliError::bad_input)?;
    let pass = passphrase(passphrase_env, true)?;
    SigningKey::from_pem(&pem, pass.as_deref())
        .with_context(|| format!("{}: cannot use this private key", path.display()))
        .map_err(CliError::bad_input)
}

/// Reads trusted public key files.
pub fn read_public(paths: &[PathBuf]) -> Result<Vec<PublicKey>, CliError> {
    paths
        .iter()
        .map(|p| {
            let pem = fs_err::read_to_string(p).map_err(CliError::bad_input)?;
            PublicKey::from_pem(&pem)
                .with_context(|| format!("{}: cannot use this public key", p.display()))
                .map_err(CliError::bad_input)
        })
        .collect()
}

/// Writes `data` to `path` through a temporary file in the same folder and
/// a rename: readers see the old file or the whole new one, never half.
pub fn write_atomic(path: &Path, data: &[u8], private: bool) -> Result<(), CliError> {
    write_atomic_with(path, private, &mut |w| w.write_all(data))
}

/// [`write_atomic`] with the content written by `write`.
pub fn write_atomic_with(
    path: &Path,
    private: bool,
    write: &mut dyn FnMut(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), CliError> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".custody-")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(if private {
            0o600
        } else {
            0o644
        }))
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))
        .map_err(CliError::bad_input)?;
    write(tmp.as_file_mut())
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))
        .map_err(CliError::internal)?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))
        .map_err(CliError::internal)?;
    Ok(())
}
