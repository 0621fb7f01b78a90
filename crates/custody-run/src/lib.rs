//! `custody run`: a pipeline step under Landlock and seccomp, with a
//! signed record of what it read, wrote and ran with.
//!
//! The parent ([`run`]) resolves the policy, makes a private temp folder
//! and HOME, scrubs the environment, and starts custody itself again as
//! the sandbox helper ([`helper`]), which restricts itself ([`enforce`],
//! [`filter`]), hands seccomp's listener to the parent's supervisor
//! ([`supervisor`], recording [`attempts`]) and then executes the step.
//! Landlock and seccomp survive `execve`, so the step and all its children
//! stay inside. The parent waits, hashes inputs and outputs ([`digests`],
//! with `custody_seal::artifact`), and writes an in-toto statement with a
//! SLSA provenance predicate ([`attest`]).
//!
//! The policy is plain data, and what the supervisor reports is judged
//! against it without the kernel: a step may read `/usr` and write its
//! output folder, and nothing else.
//!
//! ```
//! use std::path::Path;
//! use custody_run::describe::{granted, is_credential};
//! use custody_run::enforce::{Net, Policy};
//!
//! let policy = Policy {
//!     read: vec!["/usr".into()],
//!     write: vec!["/work/out".into()],
//!     net: Net::None,
//!     allow_degraded: false,
//!     observe: true,
//!     namespaces: true,
//! };
//! assert!(granted(&policy, Path::new("/usr/bin/python3"), false));
//! assert!(!granted(&policy, Path::new("/usr/bin/python3"), true));
//! assert!(granted(&policy, Path::new("/work/out/model.bin"), true));
//! // An attempt on a secret is recorded as one.
//! assert!(is_credential("/home/me/.ssh/id_ed25519"));
//! assert!(!granted(&policy, Path::new("/home/me/.ssh/id_ed25519"), false));
//! ```

pub mod attempts;
pub mod attest;
pub mod describe;
pub mod digests;
pub mod enforce;
pub mod filter;
pub mod helper;
pub mod mounts;
pub mod namespaces;
pub mod netns;
pub mod outputs;
pub mod privileges;
pub mod run;
pub mod supervisor;
pub mod system;
pub mod text;
pub mod tree;
pub mod wait;
