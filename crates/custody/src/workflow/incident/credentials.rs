//! Where credentials live, as data: a run that could read one of these
//! places (or a home folder holding them) had them in scope.

/// A credential place: a path component sequence under a home folder (or
/// an absolute path), and what it holds.
pub struct Place {
    /// Relative to a home folder (`.ssh`) or absolute (`/etc/shadow`).
    pub path: &'static str,
    /// What it holds.
    pub holds: &'static str,
}

/// Places the litellm 1.82.8 payload and its kind sweep.
pub const PLACES: &[Place] = &[
    Place {
        path: ".ssh",
        holds: "SSH private keys",
    },
    Place {
        path: ".aws",
        holds: "AWS credentials",
    },
    Place {
        path: ".config/gcloud",
        holds: "Google Cloud credentials",
    },
    Place {
        path: ".azure",
        holds: "Azure credentials",
    },
    Place {
        path: ".kube",
        holds: "Kubernetes configs and tokens",
    },
    Place {
        path: ".docker/config.json",
        holds: "container registry logins",
    },
    Place {
        path: ".netrc",
        holds: "HTTP and FTP logins",
    },
    Place {
        path: ".pypirc",
        holds: "PyPI upload tokens",
    },
    Place {
        path: ".npmrc",
        holds: "npm tokens",
    },
    Place {
        path: ".git-credentials",
        holds: "Git credentials",
    },
    Place {
        path: ".config/gh",
        holds: "GitHub CLI tokens",
    },
    Place {
        path: ".vault-token",
        holds: "Vault tokens",
    },
    Place {
        path: "/etc/shadow",
        holds: "password hashes",
    },
    Place {
        path: "/var/run/secrets/kubernetes.io",
        holds: "Kubernetes service-account tokens",
    },
    Place {
        path: "/run/secrets/kubernetes.io",
        holds: "Kubernetes service-account tokens",
    },
];

/// Folders that are someone's home: a readable one exposes every place.
fn is_home(path: &str) -> bool {
    let p = path.trim_end_matches('/');
    p == "/root" || (p.starts_with("/home/") && p.matches('/').count() == 2)
}

/// The credential places a run that could read `readable` had in scope,
/// each as `(path, what it holds)`.
pub fn in_scope(readable: &[String]) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for r in readable {
        let r = match r.trim_end_matches('/') {
            "" => "/",
            t => t,
        };
        for place in PLACES {
            if let Some(abs) = place.path.strip_prefix('/') {
                let abs = format!("/{abs}");
                if r == "/"
                    || r == abs
                    || abs.starts_with(&format!("{r}/"))
                    || r.starts_with(&format!("{abs}/"))
                {
                    out.push((abs, place.holds));
                }
                continue;
            }
            if is_home(r) || r == "/" || r == "/home" {
                let base = if r == "/" || r == "/home" { "~" } else { r };
                out.push((format!("{base}/{}", place.path), place.holds));
            } else if let Some(i) = r.find(&format!("/{}", place.path)) {
                let end = i + 1 + place.path.len();
                if r.len() == end || r[end..].starts_with('/') {
                    out.push((r[..end].to_owned(), place.holds));
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::in_scope;

    fn paths(read: &[&str]) -> Vec<String> {
        in_scope(&read.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())
            .into_iter()
            .map(|(p, _)| p)
            .collect()
    }

    #[test]
    fn a_sandboxed_step_reading_system_folders_has_none() {
        assert!(
            paths(&[
                "/usr",
                "/etc/ssl/certs",
                "/root/.pyenv/versions/3.11.7",
                "/tmp/x"
            ])
            .is_empty()
        );
    }

    #[test]
    fn homes_and_credential_folders_are_in_scope() {
        let got = paths(&["/root"]);
        assert!(got.contains(&"/root/.ssh".to_owned()));
        assert!(got.contains(&"/root/.aws".to_owned()));
        assert_eq!(paths(&["/home/ana/.ssh/id_ed25519"]), ["/home/ana/.ssh"]);
        assert_eq!(paths(&["/home/ana/.sshx"]), Vec::<String>::new());
        assert_eq!(paths(&["/etc"]), ["/etc/shadow"]);
        assert!(paths(&["/"]).contains(&"~/.kube".to_owned()));
        assert!(paths(&["/"]).contains(&"/etc/shadow".to_owned()));
    }
}
