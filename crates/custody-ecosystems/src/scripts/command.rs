//! What a lifecycle command runs, read as a shell would split it, without
//! running anything: the files it hands to an interpreter, inline code,
//! `npx` packages and other scripts of the same `package.json`.

/// One thing a command does that the inspection follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    /// Runs a file of the package (`node install.js`, `sh ./x.sh`, `./x`).
    RunFile(String),
    /// Runs code given on the command line (`node -e CODE`).
    Inline(String),
    /// Runs a package by name through `npx`/`bunx`/`pnpm dlx`/`yarn dlx`.
    Npx(String),
    /// Runs another script of the same manifest (`npm run build`).
    Script(String),
}

/// Interpreters whose first operand is a file to run.
const INTERPRETERS: [&str; 7] = ["node", "nodejs", "bun", "deno", "sh", "bash", "zsh"];
/// Options of those interpreters whose next word is code.
const EVAL_FLAGS: [&str; 4] = ["-e", "--eval", "-p", "--print"];
/// Script file extensions run directly (`./x.sh`) or named inside code
/// (`.ts` is left out: `.d.ts` files are named by installers that write
/// them, and Node.js does not run TypeScript unasked).
pub(crate) const SCRIPT_EXTENSIONS: [&str; 4] = [".js", ".cjs", ".mjs", ".sh"];

/// The actions of a command line.
pub(crate) fn actions(command: &str) -> Vec<Action> {
    let mut out = Vec::new();
    for words in segments(command) {
        let mut words = words.as_slice();
        // Leading environment assignments and wrappers that run the rest.
        while let Some((first, rest)) = words.split_first() {
            let wrapper = matches!(first.as_str(), "cross-env" | "env" | "exec" | "sudo");
            if wrapper || is_assignment(first) {
                words = rest;
            } else {
                break;
            }
        }
        let Some((program, args)) = words.split_first() else {
            continue;
        };
        let program = program.as_str();
        if INTERPRETERS.contains(&program) {
            interpreter(args, &mut out);
        } else if matches!(program, "npx" | "bunx") {
            out.extend(first_operand(args).map(|p| Action::Npx(p.clone())));
        } else if matches!(program, "pnpm" | "yarn") && args.first().is_some_and(|a| a == "dlx") {
            out.extend(first_operand(&args[1..]).map(|p| Action::Npx(p.clone())));
        } else if matches!(program, "npm" | "pnpm" | "yarn") {
            let args = match args.first().map(String::as_str) {
                Some("run" | "run-script") => &args[1..],
                _ if program == "yarn" => args,
                _ => &[][..],
            };
            out.extend(first_operand(args).map(|s| Action::Script(s.clone())));
        } else if is_local_file(program) {
            out.push(Action::RunFile(program.to_owned()));
        }
    }
    out
}

/// `node [flags] FILE` or `node -e CODE`.
fn interpreter(args: &[String], out: &mut Vec<Action>) {
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if EVAL_FLAGS.contains(&a) {
            if let Some(code) = args.get(i + 1) {
                out.push(Action::Inline(code.clone()));
            }
            return;
        }
        if !a.starts_with('-') {
            out.push(Action::RunFile(a.to_owned()));
            return;
        }
        i += 1;
    }
}

fn first_operand(args: &[String]) -> Option<&String> {
    let mut i = 0;
    while let Some(a) = args.get(i) {
        if a == "-p" || a == "--package" {
            // `npx -p PKG cmd`: the package named is what is fetched.
            return args.get(i + 1);
        }
        if !a.starts_with('-') {
            return Some(a);
        }
        i += 1;
    }
    None
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(k, _)| {
        !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// A path to a file of the package, run directly.
fn is_local_file(word: &str) -> bool {
    word.starts_with("./") || SCRIPT_EXTENSIONS.iter().any(|e| word.ends_with(e))
}

/// The command's simple commands (split at `&&`, `||`, `;`, `|`, `&`), each
/// as words with quotes removed.
fn segments(command: &str) -> Vec<Vec<String>> {
    let mut out = vec![Vec::new()];
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = command.chars().peekable();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') => {
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            }
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '\\') => {
                if let Some(n) = chars.next() {
                    word.push(n);
                    in_word = true;
                }
            }
            (None, c) if c.is_whitespace() || matches!(c, '&' | '|' | ';') => {
                if in_word {
                    if let Some(last) = out.last_mut() {
                        last.push(std::mem::take(&mut word));
                    }
                    in_word = false;
                }
                if !c.is_whitespace() {
                    out.push(Vec::new());
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word && let Some(last) = out.last_mut() {
        last.push(word);
    }
    out.retain(|s| !s.is_empty());
    out
}

/// Local files named in code by a string literal: `require('./x')`,
/// `import('./config/x.js')`, `"bun_environment.js"`. Only relative
/// paths inside the package, extension added by the caller when missing.
pub(crate) fn referenced_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for quote in ['\'', '"', '`'] {
        for (i, piece) in code.split(quote).enumerate() {
            // Odd pieces are inside quotes (good enough for short literals).
            let looks_local = piece.starts_with("./")
                || (!piece.contains(['/', ' ', '\\', '$', '{'])
                    && SCRIPT_EXTENSIONS.iter().any(|e| piece.ends_with(e))
                    && piece.len() > 3);
            if i % 2 == 1 && looks_local && piece.len() < 200 && !piece.contains("..") {
                out.push(piece.to_owned());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(cmd: &str) -> Vec<Action> {
        actions(cmd)
    }

    #[test]
    fn real_commands() {
        use Action::*;
        assert_eq!(a("node install.js"), [RunFile("install.js".into())]);
        assert_eq!(
            a(r#"node -e "try{require('./postinstall')}catch(e){}""#),
            [Inline("try{require('./postinstall')}catch(e){}".into())]
        );
        assert_eq!(
            a("prebuild-install -r napi || node-gyp rebuild"),
            Vec::<Action>::new()
        );
        assert_eq!(
            a("cross-env ZERO_AR_DATE=1 node-gyp-build"),
            Vec::<Action>::new()
        );
        assert_eq!(
            a("tshy && bash scripts/build.sh"),
            [RunFile("scripts/build.sh".into())]
        );
        assert_eq!(a("husky && npm run build"), [Script("build".into())]);
        assert_eq!(a("yarn build"), [Script("build".into())]);
        assert_eq!(a("npx -y some-pkg@1 --flag"), [Npx("some-pkg@1".into())]);
        assert_eq!(a("pnpm dlx x"), [Npx("x".into())]);
        assert_eq!(
            a("curl -fsSL https://x | sh && ./run.sh"),
            [RunFile("run.sh".replace("run", "./run"))]
        );
        assert_eq!(
            a("node --no-warnings scripts/postinstall.js"),
            [RunFile("scripts/postinstall.js".into())]
        );
    }

    #[test]
    fn literals_naming_local_files() {
        assert_eq!(
            referenced_paths(
                "require('./postinstall'); spawn('bun', [\"bun_environment.js\"]); x = 'a b.js'"
            ),
            ["./postinstall", "bun_environment.js"]
        );
        assert_eq!(referenced_paths("import('../x.js')"), Vec::<String>::new());
    }
}
