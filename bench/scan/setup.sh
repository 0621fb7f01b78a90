#!/usr/bin/env bash
# Prepare everything bench/scan/run.sh needs, under /tmp. Idempotent: each step
# is skipped when its output is already there (and up to date with its input).
#
#   /tmp/bench-tools/pip-audit   venv with pip-audit          ($PIP_AUDIT_VERSION)
#   /tmp/bench-tools/pysentry    venv with pysentry-rs        ($PYSENTRY_VERSION)
#   /tmp/bench-tools/py          venv with pyyaml+packaging   (osv_server.py, compare.py)
#   /tmp/bench-tools/uv          venv with uv                 ($UV_VERSION; installs the env)
#   /tmp/bench-env               Python 3.11 venv, exactly bench/scan/env-requirements.txt
#   /tmp/bench-data/lock-req/requirements.txt   the hashed lock (copy of env-requirements.txt)
#   /tmp/bench-data/lock-uv/{pyproject.toml,uv.lock}   the same pins as a uv.lock
#   /tmp/bench-data/advisory-database-main.zip  the PyPA snapshot zipped like GitHub's archive
#   /tmp/bench-data/certs/        throw-away CA + github.com leaf for offline_proxy.py
#
# Needs: PyPI (packages), Debian apt (hyperfine, optional), openssl, python3.11.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
TOOLS="${BENCH_TOOLS:-/tmp/bench-tools}"
DATA="${BENCH_DATA:-/tmp/bench-data}"
ENV_DIR="${BENCH_ENV:-/tmp/bench-env}"
ADVISORY_DB="${ADVISORY_DB:-/work/shared/advisories/pypa-advisory-db}"
PIP_AUDIT_VERSION="${PIP_AUDIT_VERSION:-2.10.1}"
PYSENTRY_VERSION="${PYSENTRY_VERSION:-0.5.0}"
UV_VERSION="${UV_VERSION:-0.13.9}"
PY311="${PY311:-$(command -v python3.11 || true)}"
[ -n "$PY311" ] || { echo "setup.sh: python3.11 not found (set PY311)" >&2; exit 1; }

log() { printf '[setup] %s\n' "$*" >&2; }
mkdir -p "$TOOLS" "$DATA"

# --- hyperfine (optional; run.sh falls back to its own timer) -----------------
if ! command -v hyperfine >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing hyperfine from apt"
    (apt-get update -qq && apt-get install -y -qq hyperfine) >/dev/null 2>&1 \
      || log "hyperfine install failed; run.sh will use its python timer"
  fi
fi

# --- tool venvs ----------------------------------------------------------------
mkvenv() {  # mkvenv NAME STAMP PKG...
  local name="$1" stamp="$2"; shift 2
  local dir="$TOOLS/$name"
  if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$stamp" ]; then return; fi
  log "creating venv $dir ($*)"
  rm -rf "$dir"
  "$PY311" -m venv "$dir"
  "$dir/bin/pip" install -q --disable-pip-version-check "$@"
  echo "$stamp" > "$dir/.stamp"
}
mkvenv pip-audit "pip-audit==$PIP_AUDIT_VERSION" "pip-audit==$PIP_AUDIT_VERSION"
mkvenv pysentry "pysentry-rs==$PYSENTRY_VERSION" "pysentry-rs==$PYSENTRY_VERSION"
mkvenv py "pyyaml+packaging" pyyaml packaging
mkvenv uv "uv==$UV_VERSION" "uv==$UV_VERSION"
UV="$TOOLS/uv/bin/uv"

# --- the environment under test ----------------------------------------------
REQ="$HERE/env-requirements.txt"
REQ_SUM="$(sha256sum "$REQ" | cut -d' ' -f1)"
if [ -f "$ENV_DIR/.stamp" ] && [ "$(cat "$ENV_DIR/.stamp")" = "$REQ_SUM" ]; then
  log "env $ENV_DIR up to date"
else
  log "building $ENV_DIR from env-requirements.txt (hash-checked)"
  rm -rf "$ENV_DIR"
  "$PY311" -m venv "$ENV_DIR"   # seeds pip/setuptools; the lock pins the same ones
  "$UV" pip sync --python "$ENV_DIR/bin/python" --require-hashes "$REQ"
  n="$("$ENV_DIR/bin/python" -m pip list --format=freeze 2>/dev/null | wc -l)"
  log "installed $n distributions"
  [ "$n" -ge 300 ] || { echo "setup.sh: only $n packages installed" >&2; exit 1; }
  echo "$REQ_SUM" > "$ENV_DIR/.stamp"
fi

# --- lockfiles -------------------------------------------------------------------
mkdir -p "$DATA/lock-req" "$DATA/lock-uv"
cmp -s "$REQ" "$DATA/lock-req/requirements.txt" || cp "$REQ" "$DATA/lock-req/requirements.txt"

if [ ! -f "$DATA/lock-uv/uv.lock" ] || [ "$(cat "$DATA/lock-uv/.stamp" 2>/dev/null)" != "$REQ_SUM" ]; then
  log "writing uv.lock with the same pins"
  "$TOOLS/py/bin/python" - "$REQ" "$DATA/lock-uv/pyproject.toml" <<'EOF'
import re, sys
pins = []
for line in open(sys.argv[1]):
    m = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)", line)
    if m:
        pins.append(f"{m.group(1)}=={m.group(2)}")
deps = "\n".join(f'    "{p}",' for p in pins)
open(sys.argv[2], "w").write(f'''[project]
name = "bench-env"
version = "0"
requires-python = "==3.11.*"
dependencies = [
{deps}
]

[tool.uv]
package = false
environments = ["sys_platform == 'linux' and platform_machine == 'x86_64' and platform_python_implementation == 'CPython'"]
''')
print(len(pins), "pins", file=sys.stderr)
EOF
  (cd "$DATA/lock-uv" && rm -f uv.lock && "$UV" lock --python "$ENV_DIR/bin/python" -q) \
    && echo "$REQ_SUM" > "$DATA/lock-uv/.stamp" \
    || log "uv lock failed; the uv.lock rows of run.sh will be skipped"
fi

# --- PyPA database as GitHub's archive zip (for pysentry-rs via offline_proxy) --
ZIP="$DATA/advisory-database-main.zip"
if [ ! -f "$ZIP" ]; then
  log "zipping $ADVISORY_DB -> $ZIP"
  "$TOOLS/py/bin/python" - "$ADVISORY_DB" "$ZIP" <<'EOF'
import os, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
tmp = dst + ".tmp"
with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
    for root, dirs, files in os.walk(src):
        dirs.sort()
        for f in sorted(files):
            p = os.path.join(root, f)
            z.write(p, "advisory-database-main/" + os.path.relpath(p, src))
os.replace(tmp, dst)
EOF
fi

# --- throw-away CA + github.com certificate (trusted only via SSL_CERT_FILE) -----
CERTS="$DATA/certs"
if [ ! -f "$CERTS/github.com.pem" ]; then
  log "making local CA and github.com certificate in $CERTS"
  mkdir -p "$CERTS"
  (
    cd "$CERTS"
    openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 3650 \
      -subj "/CN=custody scan-bench local CA" \
      -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout github.com.key -out github.com.csr \
      -subj "/CN=github.com" 2>/dev/null
    printf 'subjectAltName=DNS:github.com\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' > leaf.ext
    openssl x509 -req -in github.com.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
      -out github.com.pem -days 825 -sha256 -extfile leaf.ext 2>/dev/null
  )
fi

log "done: env=$ENV_DIR tools=$TOOLS data=$DATA"
