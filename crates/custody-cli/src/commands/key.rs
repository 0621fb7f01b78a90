//! `custody key generate`, and the key files and passphrases of the
//! other commands' flags.

use std::path::{Path, PathBuf};

use custody::keys::{self, WriteError};
use custody::seal::{PublicKey, Scheme, SigningKey};
use custody::workflow::key::{self, KeyGenError};

use crate::cli::{KeyGenerateArgs, KeyScheme};
use crate::exit::{CliError, CmdResult, Exit};
use crate::{output, render};

/// The default environment variable of a key passphrase.
pub const PASSPHRASE_ENV: &str = "CUSTODY_KEY_PASSPHRASE";

pub fn generate(args: &KeyGenerateArgs) -> CmdResult {
    let scheme = match args.scheme {
        KeyScheme::Ed25519 => Scheme::Ed25519,
        KeyScheme::EcdsaP256 => Scheme::EcdsaP256,
    };
    let error = |e| match e {
        e @ KeyGenError::Exists(_) => CliError::bad_input(e)
            .with_hint("pass --force to overwrite it, or choose another prefix with -o"),
        KeyGenError::Key(e) => CliError::internal(e),
        KeyGenError::Write(e) => write_error(e),
    };
    // Existing files first, then the passphrase.
    key::check_free(&args.out, args.force).map_err(error)?;
    let passphrase = passphrase(args.passphrase_env.as_deref(), false)?;
    let pair =
        key::generate(&args.out, scheme, passphrase.as_deref(), args.force).map_err(error)?;
    output::stdout(&render::json_line_sorted(&pair)?)?;
    output::note(&format!(
        "wrote {} (keep it secret) and {} (give it to verifiers)",
        pair.private_key.display(),
        pair.public_key.display()
    ));
    Ok(Exit::Success)
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

/// Reads a private key file (its passphrase from `passphrase_env`, or
/// the default variable).
pub fn read_private(path: &Path, passphrase_env: Option<&str>) -> Result<SigningKey, CliError> {
    let pem = keys::read_pem(path).map_err(CliError::bad_input)?;
    let pass = passphrase(passphrase_env, true)?;
    keys::private_from_pem(path, &pem, pass.as_deref()).map_err(CliError::bad_input)
}

/// Reads trusted public key files.
pub fn read_public(paths: &[PathBuf]) -> Result<Vec<PublicKey>, CliError> {
    keys::read_public(paths).map_err(CliError::bad_input)
}

/// The exit code of a failed write.
pub fn write_error(e: WriteError) -> CliError {
    match e {
        e @ WriteError::Folder { .. } => CliError::bad_input(e),
        e @ WriteError::Write { .. } => CliError::internal(e),
        e @ WriteError::Full { .. } => CliError::full(e, "a file already there"),
    }
}
