//! `custody run`: a pipeline step under Landlock and seccomp, with a
//! signed record of what it read, wrote and ran with.
//!
//! The parent ([`run`]) resolves the policy, makes a private temp folder
//! and HOME, scrubs the environment, and starts custody itself again as
//! the sandbox helper ([`helper`]), which restricts itself ([`enforce`],
//! [`filter`]), hands seccomp's listener to the parent's supervisor
//! ([`supervisor`], recording [`attempts`]) and then executes the step. Landlock and seccomp survive `execve`, so the
//! step and all its children stay inside. The parent waits, hashes inputs
//! and outputs, and writes an in-toto statement with a SLSA provenance
//! predicate ([`attest`]).

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
