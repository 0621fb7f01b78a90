//! A package's licence facts resolved for a bill of materials: a valid
//! SPDX expression when the metadata gives one, else the licences it names
//! (SPDX ids for trove classifiers that name exactly one licence, the rest
//! by name). Nothing is guessed from free text: text that is not itself a
//! valid SPDX expression stays a named licence.

use custody_inventory::License;

/// Trove classifiers that name exactly one SPDX licence. Classifiers that
/// name a family (`BSD License`, `Apache Software License`) are kept by
/// name: which version is not stated.
pub const CLASSIFIERS: &[(&str, &str)] = &[
    ("License :: OSI Approved :: MIT License", "MIT"),
    (
        "License :: OSI Approved :: MIT No Attribution License (MIT-0)",
        "MIT-0",
    ),
    ("License :: OSI Approved :: ISC License (ISCL)", "ISC"),
    (
        "License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)",
        "MPL-2.0",
    ),
    (
        "License :: OSI Approved :: Python Software Foundation License",
        "PSF-2.0",
    ),
    (
        "License :: OSI Approved :: The Unlicense (Unlicense)",
        "Unlicense",
    ),
    (
        "License :: OSI Approved :: Boost Software License 1.0 (BSL-1.0)",
        "BSL-1.0",
    ),
    (
        "License :: OSI Approved :: Eclipse Public License 2.0 (EPL-2.0)",
        "EPL-2.0",
    ),
    (
        "License :: OSI Approved :: Universal Permissive License (UPL)",
        "UPL-1.0",
    ),
    ("License :: OSI Approved :: zlib/libpng License", "Zlib"),
    (
        "License :: OSI Approved :: Historical Permission Notice and Disclaimer (HPND)",
        "HPND",
    ),
    (
        "License :: OSI Approved :: GNU General Public License v2 (GPLv2)",
        "GPL-2.0-only",
    ),
    (
        "License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)",
        "GPL-2.0-or-later",
    ),
    (
        "License :: OSI Approved :: GNU General Public License v3 (GPLv3)",
        "GPL-3.0-only",
    ),
    (
        "License :: OSI Approved :: GNU General Public License v3 or later (GPLv3+)",
        "GPL-3.0-or-later",
    ),
    (
        "License :: OSI Approved :: GNU Lesser General Public License v2 (LGPLv2)",
        "LGPL-2.0-only",
    ),
    (
        "License :: OSI Approved :: GNU Lesser General Public License v2 or later (LGPLv2+)",
        "LGPL-2.0-or-later",
    ),
    (
        "License :: OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)",
        "LGPL-3.0-only",
    ),
    (
        "License :: OSI Approved :: GNU Lesser General Public License v3 or later (LGPLv3+)",
        "LGPL-3.0-or-later",
    ),
    (
        "License :: OSI Approved :: GNU Affero General Public License v3",
        "AGPL-3.0-only",
    ),
    (
        "License :: OSI Approved :: GNU Affero General Public License v3 or later (AGPLv3+)",
        "AGPL-3.0-or-later",
    ),
    (
        "License :: CC0 1.0 Universal (CC0 1.0) Public Domain Dedication",
        "CC0-1.0",
    ),
];

/// One licence a package names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Named {
    /// An SPDX licence id.
    Id(String),
    /// A licence by name (a classifier, or the `License` field's first
    /// line), with the whole text when it is longer than the name.
    Name {
        /// The name.
        name: String,
        /// The whole text, when the name is only its first line.
        text: Option<String>,
    },
}

/// A package's licensing, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Licensing {
    /// The metadata says nothing.
    None,
    /// A valid SPDX expression (from `License-Expression`, or a `License`
    /// field that is one).
    Expression(String),
    /// The licences it names.
    Licenses(Vec<Named>),
}

/// What a list of named licences says when no expression joins them.
pub fn unjoined(named: &[Named]) -> String {
    format!(
        "the metadata names {} licences without an expression: {}",
        named.len(),
        named
            .iter()
            .map(|n| match n {
                Named::Id(id) => id.clone(),
                Named::Name { name, .. } => name.clone(),
            })
            .collect::<Vec<_>>()
            .join("; ")
    )
}

/// Longest licence name kept before the text is given separately.
const NAME_MAX: usize = 120;

/// Whether `text` is a valid SPDX expression (strict parsing).
pub fn is_expression(text: &str) -> bool {
    spdx::Expression::parse(text).is_ok()
}

/// Resolves what the metadata states.
pub fn resolve(license: &License) -> Licensing {
    if let Some(e) = license.expression.as_deref().map(str::trim)
        && is_expression(e)
    {
        return Licensing::Expression(e.to_owned());
    }
    if let Some(t) = license.text.as_deref().map(str::trim)
        && !t.contains('\n')
        && is_expression(t)
    {
        return Licensing::Expression(t.to_owned());
    }
    let mut named: Vec<Named> = Vec::new();
    for c in &license.classifiers {
        let n = match CLASSIFIERS.iter().find(|(k, _)| k == c) {
            Some((_, id)) => Named::Id((*id).to_owned()),
            None => Named::Name {
                name: c.clone(),
                text: None,
            },
        };
        if !named.contains(&n) {
            named.push(n);
        }
    }
    // An invalid expression is still what the author wrote.
    for t in [&license.expression, &license.text].into_iter().flatten() {
        let first = t.lines().next().unwrap_or_default().trim();
        let name: String = first.chars().take(NAME_MAX).collect();
        if name.is_empty() {
            continue;
        }
        let text = (name.len() < t.trim().len()).then(|| t.trim().to_owned());
        named.push(Named::Name { name, text });
    }
    if named.is_empty() {
        Licensing::None
    } else {
        Licensing::Licenses(named)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lic(expression: Option<&str>, text: Option<&str>, classifiers: &[&str]) -> License {
        License {
            expression: expression.map(str::to_owned),
            text: text.map(str::to_owned),
            classifiers: classifiers.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    #[test]
    fn every_mapped_id_is_an_spdx_id() {
        for (c, id) in CLASSIFIERS {
            assert!(spdx::license_id(id).is_some(), "{c} -> {id}");
        }
    }

    #[test]
    fn expressions_win_then_classifiers_then_text() {
        assert_eq!(
            resolve(&lic(Some("MIT OR Apache-2.0"), Some("x"), &[])),
            Licensing::Expression("MIT OR Apache-2.0".into())
        );
        assert_eq!(
            resolve(&lic(None, Some("BSD-3-Clause"), &[])),
            Licensing::Expression("BSD-3-Clause".into())
        );
        assert_eq!(
            resolve(&lic(
                None,
                Some("MIT License"),
                &["License :: OSI Approved :: MIT License"]
            )),
            Licensing::Licenses(vec![
                Named::Id("MIT".into()),
                Named::Name {
                    name: "MIT License".into(),
                    text: None
                }
            ])
        );
        let full = "Copyright (c) 2010 someone\n\nPermission is hereby granted";
        let Licensing::Licenses(n) = resolve(&lic(
            None,
            Some(full),
            &["License :: OSI Approved :: BSD License"],
        )) else {
            panic!()
        };
        assert_eq!(
            n[0],
            Named::Name {
                name: "License :: OSI Approved :: BSD License".into(),
                text: None
            }
        );
        assert_eq!(
            n[1],
            Named::Name {
                name: "Copyright (c) 2010 someone".into(),
                text: Some(full.into())
            }
        );
        assert_eq!(resolve(&lic(None, None, &[])), Licensing::None);
    }
}
