//! Calls the signal rules look at, by what they do: connect, start a
//! process, learn the host's identity, run code, decode data.

/// Constructors of network clients: nothing is sent yet.
pub(crate) const NETWORK_CLIENTS: &[&str] = &[
    "requests.Session",
    "httpx.Client",
    "httpx.AsyncClient",
    "urllib3.PoolManager",
    "aiohttp.ClientSession",
    "urllib.request.Request",
];
pub(crate) const NETWORK_CALLS: &[&str] = &[
    "urllib.request.urlopen",
    "urllib.request.urlretrieve",
    "urllib.urlopen",
    "urllib2.urlopen",
    "requests.get",
    "requests.post",
    "requests.put",
    "requests.request",
    "requests.patch",
    "requests.head",
    "http.client.HTTPConnection",
    "http.client.HTTPSConnection",
    "httplib.HTTPConnection",
    "httpx.get",
    "httpx.post",
    "socket.socket",
    "socket.create_connection",
    "socket.gethostbyname",
    "socket.getaddrinfo",
    "ftplib.FTP",
    "smtplib.SMTP",
    "dns.resolver.resolve",
    "asyncio.open_connection",
    // A repository cloned is code downloaded.
    "git.Repo.clone_from",
    "Repo.clone_from",
    "dulwich.porcelain.clone",
];
pub(crate) const SPAWN_CALLS: &[&str] = &[
    "subprocess.run",
    "subprocess.Popen",
    "subprocess.call",
    "subprocess.check_call",
    "subprocess.check_output",
    "subprocess.getoutput",
    "os.system",
    "os.popen",
    "os.execv",
    "os.execve",
    "os.execl",
    "os.execvp",
    "os.spawnl",
    "os.spawnv",
    "os.posix_spawn",
    "pty.spawn",
    "commands.getoutput",
    "subprocess.getstatusoutput",
    "os.startfile",
    "win32api.ShellExecute",
    "os.spawnve",
    "os.spawnlp",
    "os.execvpe",
    "os.execlp",
    "pip.main",
    "pip._internal.main",
];
/// Commands whose only use in a package is to learn or show whose
/// machine it runs on (or to prove that it ran): reconnaissance and probes.
pub(crate) const RECON_COMMANDS: &[&str] = &[
    "whoami",
    "id",
    "hostname",
    "ipconfig",
    "ifconfig",
    "systeminfo",
    "net user",
    "calc",
    "calc.exe",
    "dir",
    "cat /etc/passwd",
    "start http",
    "xdg-open http",
    "open http",
];
pub(crate) const HOST_RECON_CALLS: &[&str] = &[
    "getpass.getuser",
    "socket.gethostname",
    "platform.node",
    "os.getlogin",
    "os.uname",
    "platform.uname",
    "socket.getfqdn",
];
pub(crate) const CODE_CALLS: &[&str] = &[
    "exec",
    "eval",
    "compile",
    "marshal.loads",
    "builtins.exec",
    "builtins.eval",
];
pub(crate) const DECODE_CALLS: &[&str] = &[
    "base64.b64decode",
    "base64.b32decode",
    "base64.b85decode",
    "base64.a85decode",
    "base64.urlsafe_b64decode",
    "base64.decodebytes",
    "zlib.decompress",
    "bz2.decompress",
    "lzma.decompress",
    "codecs.decode",
    "bytes.fromhex",
    "binascii.unhexlify",
    "binascii.a2b_base64",
    "gzip.decompress",
    "marshal.loads",
];

/// Every call table: the prefilter takes a word from each entry (the
/// module for `a.b.c`, the function for builtins and common modules).
pub(crate) const TABLES: &[&[&str]] = &[
    NETWORK_CLIENTS,
    NETWORK_CALLS,
    SPAWN_CALLS,
    HOST_RECON_CALLS,
    CODE_CALLS,
    DECODE_CALLS,
];

/// Names the signal rules test outside the call tables: builtins, dynamic
/// imports, and names matched by suffix (`callee.ends_with(".decrypt")`)
/// or in arguments. The prefilter parses a file that spells one of these
/// (its tests check that every callee the analysis names in code is here,
/// in a table, or known to only qualify another finding).
pub(crate) const NAMED: &[&str] = &[
    "exec",
    "eval",
    "compile",
    "__import__",
    "importlib",
    "builtins",
    "__builtins__",
    "environ",
    "marshal",
    "decompress",
    "decrypt",
    "b64decode",
    "Fernet",
    "chmod",
    "dup2",
    "ctypes",
    "privileged",
    "ShellExecuteA",
    "ShellExecuteW",
    "CryptUnprotectData",
    "get_credentials",
    "get_frozen_credentials",
    "files_upload",
    "__pyarmor__",
    "pyarmor_runtime",
    // Environment names of host recon (quoted, exact case).
    "COMPUTERNAME",
    "USERNAME",
    "USERDOMAIN",
    "LOGNAME",
];
