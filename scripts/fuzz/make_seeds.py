#!/usr/bin/env python3
"""Builds fuzz/seeds/<target>/ from real files already in the repository.

Small copies only: each seed is a real lockfile, record, bill, archive or
source file from fixtures/ or crates/*/tests/, so the fuzzer starts from the
shapes custody reads in practice. Targets whose first byte picks a variant
(archive, inspect_python) get that byte prepended. seal_open's seeds are
written by `cargo run --example seal_seeds` in fuzz/ (a fuzz-only key).
Inputs that once crashed a target (fixtures/fuzz/<target>/) are seeds too.
The signed documents custody writes (modelsign_bundle, ledger_document,
delivery_bundle) are made by the real binary: scripts/fuzz/make_doc_seeds.sh.
Run from any folder; it rewrites every folder but those.
"""

import glob
import io
import os
import shutil
import tarfile
import zipfile
import bz2
import lzma
import gzip

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEEDS = os.path.join(ROOT, "fuzz", "seeds")
MAX = 64 * 1024


def put(target, name, data):
    folder = os.path.join(SEEDS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def copy(target, patterns, prefix=b"", limit=MAX):
    n = 0
    for pattern in patterns:
        for path in sorted(glob.glob(os.path.join(ROOT, pattern), recursive=True)):
            if not os.path.isfile(path) or os.path.getsize(path) > limit:
                continue
            rel = os.path.relpath(path, ROOT).replace(os.sep, "_")
            with open(path, "rb") as f:
                put(target, rel, prefix + f.read())
            n += 1
    assert n, f"no seeds for {target}"


def archives():
    files = {
        "p-1.0/setup.py": b"from setuptools import setup\nsetup(name='p', version='1.0')\n",
        "p-1.0/p/__init__.py": b"import os\nprint(os.environ.get('HOME'))\n",
        "p-1.0/PKG-INFO": b"Metadata-Version: 2.1\nName: p\nVersion: 1.0\n",
    }
    tar = io.BytesIO()
    with tarfile.open(fileobj=tar, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            t.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("p-1.0/link")
        link.type = tarfile.SYMTYPE
        link.linkname = "../../etc/passwd"
        t.addfile(link)
    raw = tar.getvalue()
    put("archive", "sdist.tar.gz", b"\x01" + gzip.compress(raw, mtime=0))
    put("archive", "sdist.tar.bz2", b"\x01" + bz2.compress(raw))
    put("archive", "sdist.tar.xz", b"\x03" + lzma.compress(raw, format=lzma.FORMAT_XZ))
    z = io.BytesIO()
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as w:
        for name, data in files.items():
            w.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data)
        w.writestr(zipfile.ZipInfo("../evil.py", (1980, 1, 1, 0, 0, 0)), b"x = 1\n")
    put("archive", "sdist.zip", b"\x02" + z.getvalue())
    copy("archive", ["fixtures/wheels/idna-2.7-*.whl", "fixtures/wheels/MarkupSafe-*.whl"],
         prefix=b"\x00", limit=64 * 1024)


def python_sources():
    # One small file per rule family (its first few cases), with the role byte
    # chosen from the file's own name.
    chosen = []
    for family in sorted(glob.glob(os.path.join(ROOT, "crates/custody-inspect/tests/cases/*"))):
        paths = sorted(glob.glob(os.path.join(family, "**/*.py"), recursive=True))
        paths += sorted(glob.glob(os.path.join(family, "**/*.pth"), recursive=True))
        chosen += [p for p in paths if 0 < os.path.getsize(p) <= 4096][:3]
    for path in chosen:
        base = os.path.basename(path)
        role = 0 if base == "setup.py" else 1 if base == "__init__.py" else 3 if base.endswith(".pth") else 2
        rel = os.path.relpath(path, ROOT).replace(os.sep, "_")[-120:]
        with open(path, "rb") as f:
            put("inspect_python", rel, bytes([role]) + f.read())


def dist_info():
    # METADATA and RECORD of the real wheels under fixtures/wheels.
    for path in sorted(glob.glob(os.path.join(ROOT, "fixtures/wheels/*.whl"))):
        with zipfile.ZipFile(path) as w:
            for name in w.namelist():
                base = os.path.basename(name)
                if ".dist-info/" in name and base in ("METADATA", "RECORD"):
                    target = "pypa_metadata" if base == "METADATA" else "pypa_record"
                    data = w.read(name)
                    if len(data) <= MAX:
                        put(target, os.path.basename(path) + "_" + base, data)


def npm_scripts():
    # Each case folder of the scripts fixtures: its package.json, then every
    # other file as path and content, NUL-separated (the target's format).
    for case in sorted(glob.glob(os.path.join(ROOT, "fixtures/ecosystems/npm/scripts/*/package.json"))):
        folder = os.path.dirname(case)
        with open(case, "rb") as f:
            parts = [f.read()]
        for path in sorted(glob.glob(os.path.join(folder, "**/*"), recursive=True)):
            if os.path.isfile(path) and path != case and os.path.getsize(path) <= 16 * 1024:
                with open(path, "rb") as f:
                    parts += [os.path.relpath(path, folder).encode(), f.read()]
        put("npm_scripts", os.path.basename(folder), b"\0".join(parts))


def file_names():
    names = [os.path.basename(p) for p in glob.glob(os.path.join(ROOT, "fixtures/wheels/*.whl"))]
    names += ["requests-2.19.1.tar.gz", "zope.interface-5.0.zip", "foo_bar-1.0rc1.tar.bz2",
              "torch-2.1.0%2Bcu118-cp311-cp311-linux_x86_64.whl", "pkg-1.0-1-py3-none-any.whl"]
    for name in sorted(names):
        put("pypa_filename", name, name.encode())


def osv_yaml():
    # The PyPA database's shape (block YAML, bare version numbers), and the
    # JSON records re-written as block YAML (PyYAML, when installed) and as
    # they are (JSON is YAML too).
    put("osv_yaml", "PYSEC-test.yaml", b"id: PYSEC-1\nmodified: 2021-01-01T00:00:00Z\naffected:\n"
        b"- package: {name: x, ecosystem: PyPI}\n  versions:\n  - 1.10\n  - 2.0\n  ranges:\n"
        b"  - type: ECOSYSTEM\n    events:\n    - introduced: 0\n    - fixed: 1.20\n")
    copy("osv_yaml", ["fixtures/ecosystems/osv/*.json"])
    try:
        import json
        import yaml
    except ImportError:
        return
    for path in sorted(glob.glob(os.path.join(ROOT, "fixtures/ecosystems/osv/*.json"))):
        with open(path, encoding="utf-8") as f:
            record = json.load(f)
        name = os.path.basename(path)[: -len(".json")] + ".yaml"
        put("osv_yaml", name, yaml.safe_dump(record, sort_keys=False).encode())


# Seeds written by other means (see the module's text), kept as they are.
KEEP = {"seal_open", "modelsign_bundle", "ledger_document", "delivery_bundle"}


def toml_blocks(target, paths, wanted):
    # The ```toml blocks of the documentation that `wanted` picks, and the
    # policies the CLI tests write (their string literals).
    n = 0
    for rel in paths:
        with open(os.path.join(ROOT, rel), encoding="utf-8") as f:
            text = f.read()
        for i, block in enumerate(text.split("```toml\n")[1:]):
            body = block.split("```", 1)[0]
            if wanted(body):
                put(target, f"{rel.replace('/', '_')}_{i}.toml", body.encode())
                n += 1
    assert n, f"no seeds for {target}"


def policies():
    toml_blocks("policy_custody", ["README.md", "docs/index.md"], lambda b: "signers" not in b)
    copy("policy_custody", ["fixtures/fuzz/policy_custody/*.toml"])
    toml_blocks("policy_delivery", ["docs/deliver.md"], lambda b: True)
    # The delivery policies of crates/custody-cli/tests/ledger_story.rs.
    put("policy_delivery", "ledger_story_strict.toml",
        b'sandboxed = true\nnetwork = "none"\nsealed-sources = true\nreject-severity = "high"\nmax-age = "30d"\n')
    put("policy_delivery", "ledger_story_vendors.toml",
        b'[vendors.acme]\nsigners = ["aa"]\nstep-signers = ["bb"]\n')
    put("policy_custody", "index_allow.toml",
        b'[index]\n[[index.allow]]\npackage = "x"\nexpires = 2027-01-01\n')


def index_pages():
    # Real pages PyPI served (fixtures/index/README.md), whole and cut to
    # their first files (a small page is a faster start).
    copy("index_json", ["fixtures/index/*.json"])
    copy("index_html", ["fixtures/index/*.html"])
    import json
    with open(os.path.join(ROOT, "fixtures/index/idna.json"), encoding="utf-8") as f:
        page = json.load(f)
    page["files"] = page["files"][:3]
    page["versions"] = page.get("versions", [])[:3]
    put("index_json", "idna-first-3.json", json.dumps(page).encode())
    with open(os.path.join(ROOT, "fixtures/index/idna.html"), encoding="utf-8") as f:
        lines = f.read().splitlines(keepends=True)
    anchors = [i for i, line in enumerate(lines) if "<a " in line]
    if len(anchors) > 3:
        lines = lines[: anchors[3]] + [l for l in lines[anchors[-1] + 1:]]
    put("index_html", "idna-first-3.html", "".join(lines).encode())
    # Request targets: each route, and the path tricks the router refuses.
    for i, target in enumerate([
        "/simple/", "/simple/idna/", "/simple/IDNA", "/simple/Zope.Interface/", "/simple/idna/?format=json",
        "/files/idna/idna-3.7-py3-none-any.whl", "/files/idna/idna-3.7-py3-none-any.whl.metadata",
        "/files/idna/..%2f..%2fetc%2fpasswd", "/simple/%2e%2e/", "/files/idna/a%00b.whl", "/simple//idna/",
        "//evil.example/simple/", "/simple/idna/%C3%A9/", "*", "http://host/simple/idna/",
    ]):
        put("index_request", f"target-{i:02}", target.encode())


def main():
    for entry in os.listdir(SEEDS) if os.path.isdir(SEEDS) else []:
        if entry not in KEEP:
            shutil.rmtree(os.path.join(SEEDS, entry))
    copy("pypa_metadata", ["fixtures/lockfiles/bad/*/*.dist-info/METADATA"])
    copy("pypa_record", ["fixtures/lockfiles/bad/*/*.dist-info/RECORD"])
    copy("inventory_requirements", ["fixtures/requirements/*.txt", "fixtures/lockfiles/requirements/*.txt",
                                    "fixtures/lockfiles/bad/requirements-*/requirements.txt",
                                    "fixtures/fuzz/inventory_requirements/*.txt"])
    copy("inventory_uv", ["fixtures/lockfiles/uv/uv.lock", "fixtures/lockfiles/bad/uv-*/uv.lock"])
    copy("inventory_poetry", ["fixtures/lockfiles/poetry-*/poetry.lock", "fixtures/lockfiles/bad/poetry-*/poetry.lock"])
    copy("inventory_pipfile", ["fixtures/lockfiles/pipenv/Pipfile.lock", "fixtures/lockfiles/bad/pipenv-*/Pipfile.lock"])
    copy("inventory_pdm", ["fixtures/lockfiles/pdm/pdm.lock", "fixtures/lockfiles/bad/pdm-*/pdm.lock"])
    copy("inventory_pylock", ["fixtures/lockfiles/pylock/*/pylock.toml", "fixtures/lockfiles/bad/pylock-*/pylock.toml"])
    copy("sbom_cyclonedx", ["fixtures/sbom/*.cdx.json", "fixtures/sbom/npm/*.cdx.json"])
    copy("sbom_spdx", ["fixtures/sbom/*.spdx3.json", "fixtures/sbom/invalid/*.json"])
    copy("npm_package_lock", ["fixtures/ecosystems/npm/npm-v*/package-lock.json",
                              "fixtures/ecosystems/npm/shrinkwrap/npm-shrinkwrap.json"])
    copy("npm_pnpm", ["fixtures/ecosystems/npm/pnpm-v*/pnpm-lock.yaml"])
    copy("npm_yarn_classic", ["fixtures/ecosystems/npm/yarn-classic/yarn.lock"])
    copy("npm_yarn_berry", ["fixtures/ecosystems/npm/yarn-berry*/yarn.lock"])
    copy("cargo_lock", ["fixtures/ecosystems/cargo/v*/Cargo.lock"])
    copy("osv_json", ["fixtures/ecosystems/osv/*.json"])
    dist_info()
    npm_scripts()
    file_names()
    osv_yaml()
    archives()
    python_sources()
    policies()
    index_pages()


if __name__ == "__main__":
    main()
