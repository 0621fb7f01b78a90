//! pip's option parser for requirements files, as data: the options
//! `req_file.build_parser` accepts, read the way `break_args_options`,
//! `shlex.split` and `optparse` read them (short options with attached or
//! separate values, `--long=value`, unambiguous abbreviations of long
//! options). An option pip does not know is an error, as in pip.

/// What an option does for custody.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Effect {
    /// `-r`: include a requirements file.
    Requirement,
    /// `-c`: include a constraints file.
    Constraint,
    /// `-e`: an editable requirement.
    Editable,
    /// `--hash`: a hash of the requirement's archive.
    Hash,
    /// `-C`/`--config-settings`: a `KEY=VAL` for the build backend.
    ConfigSetting,
    /// Only meaningful to pip's resolver or finder.
    Ignored,
}

struct Spec {
    short: Option<char>,
    long: &'static [&'static str],
    takes_value: bool,
    effect: Effect,
}

const fn opt(
    short: Option<char>,
    long: &'static [&'static str],
    takes_value: bool,
    effect: Effect,
) -> Spec {
    Spec {
        short,
        long,
        takes_value,
        effect,
    }
}

/// pip 26.3's `SUPPORTED_OPTIONS + SUPPORTED_OPTIONS_REQ`, in its order.
const OPTIONS: &[Spec] = &[
    opt(Some('i'), &["index-url", "pypi-url"], true, Effect::Ignored),
    opt(None, &["extra-index-url"], true, Effect::Ignored),
    opt(None, &["no-index"], false, Effect::Ignored),
    opt(Some('c'), &["constraint"], true, Effect::Constraint),
    opt(Some('r'), &["requirement"], true, Effect::Requirement),
    opt(Some('e'), &["editable"], true, Effect::Editable),
    opt(Some('f'), &["find-links"], true, Effect::Ignored),
    opt(None, &["no-binary"], true, Effect::Ignored),
    opt(None, &["only-binary"], true, Effect::Ignored),
    opt(None, &["prefer-binary"], false, Effect::Ignored),
    opt(None, &["require-hashes"], false, Effect::Ignored),
    opt(None, &["no-require-hashes"], false, Effect::Ignored),
    opt(None, &["pre"], false, Effect::Ignored),
    opt(None, &["all-releases"], true, Effect::Ignored),
    opt(None, &["only-final"], true, Effect::Ignored),
    opt(None, &["trusted-host"], true, Effect::Ignored),
    opt(None, &["use-feature"], true, Effect::Ignored),
    opt(None, &["hash"], true, Effect::Hash),
    opt(Some('C'), &["config-settings"], true, Effect::ConfigSetting),
];

/// pip's `STRONG_HASHES`.
const STRONG_HASHES: &[&str] = &["sha256", "sha384", "sha512"];

/// The options of one line, in order, with their values.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Options {
    pub(super) values: Vec<(Effect, String)>,
}

impl Options {
    /// The first value given for `effect` (pip uses the first `-r`/`-c`/`-e`).
    pub(super) fn first(&self, effect: Effect) -> Option<&str> {
        self.values
            .iter()
            .find(|(e, _)| *e == effect)
            .map(|(_, v)| v.as_str())
    }

    /// Every value given for `effect`.
    pub(super) fn all(&self, effect: Effect) -> impl Iterator<Item = &str> {
        self.values
            .iter()
            .filter(move |(e, _)| *e == effect)
            .map(|(_, v)| v.as_str())
    }
}

/// pip's `break_args_options`: the words before the first word starting
/// with `-` are the requirement, the rest are options.
pub(super) fn break_args_options(line: &str) -> (String, String) {
    let tokens: Vec<&str> = line.split(' ').collect();
    let n = tokens
        .iter()
        .position(|t| t.starts_with('-'))
        .unwrap_or(tokens.len());
    (tokens[..n].join(" "), tokens[n..].join(" "))
}

/// Python's `shlex.split` (POSIX mode, no comments).
fn shlex_split(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                out.extend(word.take());
            }
            '\\' => {
                let next = chars.next().ok_or("No escaped character")?;
                word.get_or_insert_with(String::new).push(next);
            }
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next().ok_or("No closing quotation")? {
                        '\'' => break,
                        ch => w.push(ch),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next().ok_or("No closing quotation")? {
                        '"' => break,
                        '\\' => match chars.next().ok_or("No closing quotation")? {
                            e @ ('"' | '\\') => w.push(e),
                            other => {
                                w.push('\\');
                                w.push(other);
                            }
                        },
                        ch => w.push(ch),
                    }
                }
            }
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    out.extend(word);
    Ok(out)
}

/// Parses the options part of a line as pip's `optparse` parser does.
pub(super) fn parse(options: &str) -> Result<Options, String> {
    let words =
        shlex_split(options).map_err(|e| format!("could not split options {options:?}: {e}"))?;
    let mut out = Options::default();
    let mut words = words.into_iter();
    while let Some(word) = words.next() {
        if word == "--" {
            break;
        }
        let (spec, shown, inline) = if let Some(long) = word.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_owned())),
                None => (long, None),
            };
            (long_option(name)?, format!("--{name}"), inline)
        } else if let Some(short) = word.strip_prefix('-').filter(|s| !s.is_empty()) {
            let mut cs = short.chars();
            let c = cs.next().unwrap_or('-');
            let spec = OPTIONS
                .iter()
                .find(|s| s.short == Some(c))
                .ok_or_else(|| format!("no such option: -{c}"))?;
            let rest = cs.as_str();
            (
                spec,
                format!("-{c}"),
                (!rest.is_empty()).then(|| rest.to_owned()),
            )
        } else {
            // optparse keeps positional words and pip ignores them.
            continue;
        };
        let value = match (spec.takes_value, inline) {
            (true, Some(v)) => v,
            (true, None) => words
                .next()
                .ok_or_else(|| format!("{shown} option requires 1 argument"))?,
            (false, None) => String::new(),
            (false, Some(_)) => return Err(format!("{shown} option does not take a value")),
        };
        check(spec.effect, &shown, &value)?;
        out.values.push((spec.effect, value));
    }
    Ok(out)
}

/// optparse's `_match_abbrev`: an exact long name, or the only one it begins.
fn long_option(name: &str) -> Result<&'static Spec, String> {
    let exact = OPTIONS.iter().find(|s| s.long.contains(&name));
    if let Some(s) = exact {
        return Ok(s);
    }
    let candidates: Vec<(&Spec, &str)> = OPTIONS
        .iter()
        .flat_map(|s| s.long.iter().map(move |l| (s, *l)))
        .filter(|(_, l)| l.starts_with(name))
        .collect();
    match candidates.as_slice() {
        [(s, _)] if !name.is_empty() => Ok(s),
        [] | [_] => Err(format!("no such option: --{name}")),
        many => Err(format!(
            "ambiguous option: --{name} ({})",
            many.iter()
                .map(|(_, l)| format!("--{l}"))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// The checks of pip's option callbacks.
fn check(effect: Effect, shown: &str, value: &str) -> Result<(), String> {
    match effect {
        Effect::Hash => {
            let Some((algo, _)) = value.split_once(':') else {
                return Err(format!(
                    "arguments to {shown} must be a hash name followed by a value, like --hash=sha256:abcde..."
                ));
            };
            if !STRONG_HASHES.contains(&algo) {
                return Err(format!(
                    "allowed hash algorithms for {shown} are {}",
                    STRONG_HASHES.join(", ")
                ));
            }
            Ok(())
        }
        Effect::ConfigSetting if !value.contains('=') => {
            Err(format!("arguments to {shown} must be of the form KEY=VAL"))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn effects(s: &str) -> Vec<(Effect, String)> {
        parse(s).unwrap().values
    }

    #[test]
    fn splits_the_requirement_from_its_options() {
        assert_eq!(
            break_args_options("foo==1 ; python_version < \"3\" --hash=sha256:00 -C k=v"),
            (
                "foo==1 ; python_version < \"3\"".into(),
                "--hash=sha256:00 -C k=v".into()
            )
        );
        assert_eq!(
            break_args_options("-r other.txt"),
            (String::new(), "-r other.txt".into())
        );
    }

    #[test]
    fn short_config_settings() {
        // Regression (issue 13): `-C key=val` aborted the scan.
        assert_eq!(
            effects("-C key=val -Cother=x --config-settings=a=b"),
            vec![
                (Effect::ConfigSetting, "key=val".into()),
                (Effect::ConfigSetting, "other=x".into()),
                (Effect::ConfigSetting, "a=b".into()),
            ]
        );
        assert!(parse("-C novalue").unwrap_err().contains("KEY=VAL"));
    }

    #[test]
    fn values_abbreviations_and_quotes() {
        assert_eq!(
            effects("-rbase.txt --requirement=x.txt --constr 'c d.txt'"),
            vec![
                (Effect::Requirement, "base.txt".into()),
                (Effect::Requirement, "x.txt".into()),
                (Effect::Constraint, "c d.txt".into()),
            ]
        );
        assert_eq!(
            effects("--hash sha256:ab --hash=sha512:cd"),
            vec![
                (Effect::Hash, "sha256:ab".into()),
                (Effect::Hash, "sha512:cd".into()),
            ]
        );
        assert_eq!(
            effects("--pre --no-index -i https://x/simple"),
            vec![
                (Effect::Ignored, String::new()),
                (Effect::Ignored, String::new()),
                (Effect::Ignored, "https://x/simple".into()),
            ]
        );
    }

    #[test]
    fn errors_pip_also_raises() {
        assert!(parse("--hash=md5:00").unwrap_err().contains("sha256"));
        assert!(parse("--hash=00").unwrap_err().contains("hash name"));
        assert!(
            parse("--bogus")
                .unwrap_err()
                .contains("no such option: --bogus")
        );
        assert!(parse("-x").unwrap_err().contains("no such option: -x"));
        assert!(
            parse("--pre=1")
                .unwrap_err()
                .contains("does not take a value")
        );
        assert!(parse("-r").unwrap_err().contains("requires 1 argument"));
        assert!(parse("--no").unwrap_err().contains("ambiguous"));
        assert!(
            parse("--global-option=x")
                .unwrap_err()
                .contains("no such option")
        );
        assert!(parse("-r 'x").unwrap_err().contains("No closing quotation"));
    }
}
