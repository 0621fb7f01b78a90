//! Project pages for a folder of distribution files (the air-gapped
//! upstream): the project and version from each file name, the sha256 of
//! the bytes, and the file's modification time as its upload time.

use custody_pypa::PackageName;

use crate::page::{DistFile, ProjectPage};

/// One file of the folder, as the caller read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalFile {
    /// The file name.
    pub filename: String,
    /// Its size.
    pub size: u64,
    /// Its modification time: the upload time the page states.
    pub modified: jiff::Timestamp,
    /// The sha256 of its bytes (hex).
    pub sha256: String,
}

/// The project a file name belongs to (PEP 503), when it is a wheel or an sdist.
pub fn project_of(filename: &str) -> Option<PackageName> {
    custody_pypa::filename::archive_name(filename).and_then(|a| PackageName::new(&a.name).ok())
}

/// The page of `project` from the folder's `files` (others ignored), in
/// file-name order; each file's URL is its name.
pub fn page(project: &PackageName, files: &[LocalFile]) -> ProjectPage {
    let mut files: Vec<&LocalFile> = files
        .iter()
        .filter(|f| project_of(&f.filename).as_ref() == Some(project))
        .collect();
    files.sort_by(|a, b| a.filename.cmp(&b.filename));
    ProjectPage {
        name: project.to_string(),
        files: files
            .into_iter()
            .map(|f| DistFile {
                filename: f.filename.clone(),
                url: f.filename.clone(),
                hashes: [("sha256".to_owned(), f.sha256.clone())].into(),
                upload_time: Some(f.modified.to_string()),
                size: Some(f.size),
                ..DistFile::default()
            })
            .collect(),
        versions: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_grouped_by_normalised_project() {
        let f = |n: &str| LocalFile {
            filename: n.into(),
            size: 1,
            modified: "2020-01-01T00:00:00Z".parse().unwrap(),
            sha256: "ab".into(),
        };
        let files = [
            f("Jinja2-2.10-py2.py3-none-any.whl"),
            f("jinja2-3.0.tar.gz"),
            f("idna-2.7-py2.py3-none-any.whl"),
            f("notes.txt"),
        ];
        let p = page(&PackageName::new("jinja2").unwrap(), &files);
        assert_eq!(p.files.len(), 2);
        assert_eq!(p.files[0].sha256(), Some("ab"));
        assert_eq!(
            p.files[0].upload_time.as_deref(),
            Some("2020-01-01T00:00:00Z")
        );
    }
}
