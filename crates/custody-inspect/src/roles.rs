//! Which files run when, by what other files do: `setup.py` and the local
//! modules and scripts it runs (install), start-up hooks and the modules
//! they import (start-up), functions an `__init__.py` runs at import (see
//! [`crate::reach`]), and, in an sdist, which files are installed at all.

use std::collections::{HashMap, HashSet};

use crate::archive::{Contents, Format, Member};
use crate::paths::{basename, is_startup_surface};
use crate::python;
use crate::rules::calls::SPAWN_CALLS;

/// Local modules that `setup.py` imports: they run while installing too.
/// Each maps to the names `setup.py` imports from it (it may call them).
fn install_paths(members: &[Member]) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for m in members
        .iter()
        .filter(|m| basename(&m.path) == "setup.py" && m.path.matches('/').count() <= 1)
    {
        let dir = m.path.strip_suffix("setup.py").unwrap_or("");
        let facts = python::facts(&m.data);
        // Names bound by `from x import a, b` (a call to them may follow).
        let names: Vec<String> = facts.refs.iter().map(|(n, _)| n.clone()).collect();
        let called: Vec<String> = facts
            .calls
            .iter()
            .map(|c| c.callee.rsplit('.').next().unwrap_or("").to_owned())
            .chain(names)
            .collect();
        for (module, _, _) in &facts.imports {
            let first = module.split('.').next().unwrap_or("");
            if first.is_empty() || first == "setup" {
                continue;
            }
            // (`src/` too: setup.py often puts it on sys.path first.)
            for p in [
                format!("{dir}{first}.py"),
                format!("{dir}{first}/__init__.py"),
                format!("{dir}src/{first}.py"),
                format!("{dir}src/{first}/__init__.py"),
            ] {
                out.entry(p).or_default().extend(called.iter().cloned());
            }
        }
        // `subprocess.run(['python', '-m', 'pkg'])` or `python x.py` from
        // setup.py: that module runs as a script while installing.
        for c in facts
            .calls
            .iter()
            .filter(|c| SPAWN_CALLS.contains(&c.callee.as_str()))
        {
            for p in scripts_run(&c.args) {
                out.entry(format!("{dir}{p}"))
                    .or_default()
                    .push(python::SCRIPT.to_owned());
            }
        }
    }
    out
}

/// Files a command line runs with Python: `-m pkg.mod` (its
/// `__main__.py`, or the module) and `name.py` arguments.
fn scripts_run(args: &str) -> Vec<String> {
    let words: Vec<&str> = args
        .split(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '/')))
        .filter(|w| !w.is_empty())
        .collect();
    if !words.iter().any(|w| w.starts_with("python")) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, w) in words.iter().enumerate() {
        if *w == "-m"
            && let Some(m) = words.get(i + 1)
            && m.chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.'))
        {
            let path = m.replace('.', "/");
            out.push(format!("{path}/__main__.py"));
            out.push(format!("{path}.py"));
        } else if w.ends_with(".py") && !w.starts_with('-') && !w.contains("..") {
            out.push((*w).to_owned());
        }
    }
    out
}

/// Top-level module names that start-up hooks import (they run at start-up too).
pub(crate) fn startup_modules(members: &[Member]) -> HashSet<String> {
    let mut out = HashSet::new();
    for m in members.iter().filter(|m| is_startup_surface(&m.path)) {
        let text = String::from_utf8_lossy(&m.data);
        if m.path.ends_with(".start") {
            // PEP 829 entries name `package.module:function` to call.
            for entry in text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
            {
                if let Some(first) = entry.split([':', '.']).next() {
                    out.insert(first.to_owned());
                }
            }
            continue;
        }
        let source = if m.path.ends_with(".pth") {
            pth_code(&text)
                .into_iter()
                .map(|(_, l)| l)
                .collect::<Vec<_>>()
                .join("\n")
        } else {
            text.into_owned()
        };
        let facts = python::facts(source.as_bytes());
        // `exec('import x')` and `__import__('x')` import too.
        let literal_imports: Vec<String> = facts
            .calls
            .iter()
            .filter_map(|c| Some((c.callee.as_str(), &c.literal.as_ref()?.value)))
            .flat_map(|(callee, value)| match callee {
                "exec" => python::facts(value.as_bytes())
                    .imports
                    .into_iter()
                    .map(|(m, _, _)| m)
                    .collect(),
                "__import__" | "importlib.import_module" => vec![value.clone()],
                _ => Vec::new(),
            })
            .collect();
        for module in facts
            .imports
            .into_iter()
            .map(|(m, _, _)| m)
            .chain(literal_imports)
        {
            if let Some(first) = module.split('.').next() {
                out.insert(first.to_owned());
            }
        }
    }
    out
}

/// The executable lines of a `.pth` file (site.py runs lines starting with `import`).
pub(crate) fn pth_code(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("import ") || l.starts_with("import\t"))
        .map(|(i, l)| (i + 1, l.to_owned()))
        .collect()
}

/// Files that run at install or start-up because another file imports them.
pub(crate) struct Roles {
    pub(crate) startup_modules: HashSet<String>,
    pub(crate) install_paths: HashMap<String, Vec<String>>,
    /// Functions of a module that its package's `__init__.py` runs at import.
    pub(crate) package_roots: rustc_hash::FxHashMap<String, Vec<String>>,
    /// For an sdist: folders that are packages (hold `__init__.py`).
    sdist: Option<HashSet<String>>,
}

impl Roles {
    /// The roles of a package's files.
    pub(crate) fn of(contents: &Contents) -> Self {
        Roles {
            startup_modules: startup_modules(&contents.members),
            install_paths: install_paths(&contents.members),
            package_roots: crate::reach::package_roots(&contents.members),
            sdist: sdist_layout(contents),
        }
    }

    /// Whether a member runs at every start-up: a `.pth` or `.start` file,
    /// or a `sitecustomize.py`/`usercustomize.py` at the top of what is
    /// installed. One inside a package (ddtrace's, debugpy's) runs only
    /// when a launcher puts its folder on `sys.path` on purpose.
    pub(crate) fn startup_surface(&self, path: &str) -> bool {
        if !is_startup_surface(path) {
            return false;
        }
        if !matches!(basename(path), "sitecustomize.py" | "usercustomize.py") {
            return true;
        }
        let parent = path.rsplit_once('/').map_or("", |(p, _)| p);
        parent.is_empty()
            || parent.ends_with(".data/purelib")
            || parent.ends_with(".data/platlib")
            || (self.sdist.is_some()
                && (!parent.contains('/')
                    || (parent.matches('/').count() == 1 && parent.ends_with("/src"))))
    }

    /// Whether an sdist member would be installed as importable code: at
    /// the top (or in `src/`), or inside a chain of packages. Build tools,
    /// vendored source trees and scripts in other folders are not.
    pub(crate) fn installed(&self, path: &str) -> bool {
        let Some(packages) = &self.sdist else {
            return true;
        };
        let mut dirs: Vec<&str> = path.split('/').collect();
        dirs.pop();
        let root = dirs.first().map_or(0, |r| r.len() + 1);
        // Skip the sdist's own `name-version/` folder, and `src/`.
        let skip = 1 + usize::from(dirs.get(1) == Some(&"src"));
        let identifier = |d: &str| {
            d.chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_')
                && d.chars().all(|c| c.is_alphanumeric() || c == '_')
        };
        // A package holds `__init__.py`; a top-level folder named like a
        // module may also be a namespace package.
        (skip..dirs.len()).all(|i| {
            let end = dirs[1..=i].iter().map(|d| d.len() + 1).sum::<usize>() - 1;
            packages.contains(&path[..root + end]) || (i == skip && identifier(dirs[i]))
        })
    }
}

/// For an sdist (an archive without `.dist-info`, in one `name-version/`
/// folder): the folders that hold an `__init__.py`.
fn sdist_layout(contents: &Contents) -> Option<HashSet<String>> {
    if contents.format == Format::Folder
        || contents
            .members
            .iter()
            .any(|m| m.path.contains(".dist-info/"))
    {
        return None;
    }
    let root = contents.members.first()?.path.split('/').next()?;
    if !contents
        .members
        .iter()
        .all(|m| m.path.split('/').next() == Some(root) && m.path.contains('/'))
    {
        return None;
    }
    Some(
        contents
            .members
            .iter()
            .filter_map(|m| m.path.strip_suffix("/__init__.py"))
            .map(str::to_owned)
            .collect(),
    )
}
