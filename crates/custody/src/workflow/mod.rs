//! The workflows front ends call: each takes loaded inputs and resolved
//! options and returns a typed, serialisable report. Front ends parse
//! their own input (flags, requests), call one workflow and render.

pub mod dataset_bom;
pub mod db;
pub mod deliver;
pub mod demo;
pub mod diff;
pub mod gated;
pub mod impact;
pub mod incident;
pub mod index;
pub mod inspect;
pub mod inventory_record;
pub mod key;
pub mod ledger;
pub mod progress;
pub mod run;
pub mod sbom;
pub mod scan;
pub mod seal;
pub mod verify;
pub mod watch;
pub mod watch_sink;
