//! The rule tables: which calls and which text each signal family looks
//! at. The prefilter derives its words from these tables, so a rule added
//! here cannot be filtered out before parsing.

pub(crate) mod calls;
pub(crate) mod markers;
