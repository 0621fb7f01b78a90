//! What custody's workflows and front ends use of `custody-index`: the
//! vetting index's pages, routes, rules and decisions.
//!
//! Every path into that crate is named here and nowhere else.

pub use custody_index::local::{LocalFile, page as local_page, project_of};
pub use custody_index::page::safe_filename;
pub use custody_index::render::{
    Format, negotiate, project as render_project, root as render_root,
};
pub use custody_index::request::{Route, RouteError, percent_encode, route};
pub use custody_index::{
    Action, Allow, Code, CoreMetadata, Decision, DistFile, PageError, PagePolicy, ProjectPage,
    RULES, Ranged, Rule, filter, parse_page, range,
};
