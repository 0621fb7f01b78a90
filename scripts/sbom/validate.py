#!/usr/bin/env python3
"""Python side of scripts/sbom/validate.sh: validate SBOM files with the
reference tools, after proving on built-in controls that each validator
rejects a broken document.

  validate.py --schemas DIR [--controls-only] FILE...

Formats (detected from the content, not the file name):

  CycloneDX JSON 1.2-1.7  cyclonedx-python-lib JsonStrictValidator for the
                          document's specVersion, then a bom-ref check: every
                          bom-ref unique, every dependencies[].ref/dependsOn
                          naming a bom-ref of the document.
  SPDX 2.2/2.3 JSON       spdx-tools: parse_file + validate_full_spdx_document,
                          exactly what `pyspdxtools -i FILE` runs; then the
                          SPDX 2.x JSON schema (it also rejects unknown fields,
                          which spdx-tools' parser ignores).
  SPDX 3.0.1 JSON-LD      the SPDX 3.0.1 JSON schema (Draft 2020-12), then the
                          spdx-python-model bindings of the 3.0.1 model: every
                          object decoded as its class, every reference resolved
                          to an element of the right class (or imported through
                          an ExternalMap), required and single-valued
                          properties enforced on re-serialisation, no spdxId
                          defined twice.

Exit status: 0 all valid; 1 a file is invalid or not a supported SBOM;
2 usage error, a schema with the wrong sha256, or a control that passed
("the validator accepted a broken document").
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import io
import json
import os
import sys
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

# Schemas extracted from the lib4sbom wheel by validate.sh (see README.md).
SCHEMAS = {
    "spdx-2.2": ("spdx-2.2-schema.json", "02fe1a05a97c51af9e491e8499ac02223338f856f909c5db9cd7069c54949990"),
    "spdx-2.3": ("spdx-2.3-schema.json", "239208b7ac287b3cf5d9a9af23f9d69863971102a5e1587a27a398b43490b89b"),
    "spdx-3.0.1": ("spdx-3.0.1-schema.json", "582c64e809d5b3ef9bd0c4de13a32391b47b0284a3e8d199569fb96f649234b1"),
}
SPDX3_CONTEXT = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"
MAX_DETAILS = 12


class Invalid(Exception):
    """The document failed a validator: args[0] is a list of messages."""


class Unsupported(Exception):
    """Not a document this script can validate."""


class Result:
    def __init__(self, fmt: str, version: str, validator: str) -> None:
        self.fmt, self.version, self.validator = fmt, version, validator


def ver(dist: str) -> str:
    return metadata.version(dist)


# --------------------------------------------------------------------------
# schemas

_schema_dir: Path | None = None
_schema_cache: dict[str, Any] = {}


def schema_validator(key: str):
    if key in _schema_cache:
        return _schema_cache[key]
    import jsonschema

    name, want = SCHEMAS[key]
    assert _schema_dir is not None
    path = _schema_dir / name
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise SystemExit(f"validate.py: {path}: {e.strerror} (run validate.sh --install)")
    got = hashlib.sha256(raw).hexdigest()
    if got != want:
        print(f"validate.py: {path}: sha256 {got} != pinned {want}", file=sys.stderr)
        sys.exit(2)
    schema = json.loads(raw)
    # No check_schema(): the file is pinned by sha256 and was checked once.
    cls = jsonschema.validators.validator_for(schema)
    v = cls(schema, format_checker=cls.FORMAT_CHECKER)
    _schema_cache[key] = v
    return v


def schema_errors(key: str, doc: Any) -> list[str]:
    v = schema_validator(key)
    errs = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
    out = []
    for e in errs:
        msg = e.message
        if len(msg) > 300:
            msg = msg[:300] + "..."
        out.append(f"{e.json_path}: {msg}")
    return out


# --------------------------------------------------------------------------
# CycloneDX


_cdx_validators: dict = {}


def cyclonedx(doc: dict, raw: str) -> Result:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    sv = doc.get("specVersion")
    if not isinstance(sv, str):
        raise Invalid(["specVersion is missing or not a string"])
    try:
        version = SchemaVersion.from_version(sv)
    except (ValueError, TypeError):
        raise Unsupported(f"CycloneDX specVersion {sv!r} is not one cyclonedx-python-lib knows")
    if version.to_version() != sv:
        raise Unsupported(f"CycloneDX specVersion {sv!r} is not one cyclonedx-python-lib knows")
    try:
        validator = _cdx_validators.get(version) or _cdx_validators.setdefault(version, JsonStrictValidator(version))
        errors = validator.validate_str(raw, all_errors=True)
    except (ValueError, NotImplementedError) as e:
        raise Unsupported(f"CycloneDX {sv} JSON cannot be validated by cyclonedx-python-lib: {e}")
    label = f"cyclonedx-python-lib {ver('cyclonedx-python-lib')} JsonStrictValidator({version.name})"
    if errors is not None:
        msgs = []
        for e in errors:
            d = e.data
            msgs.append(f"{getattr(d, 'json_path', '$')}: {getattr(d, 'message', str(d))[:300]}")
        raise Invalid([f"{label}: {m}" for m in msgs])
    bad = cyclonedx_refs(doc)
    if bad:
        raise Invalid([f"bom-ref check: {m}" for m in bad])
    return Result("CycloneDX", sv, f"{label} + bom-ref check")


def cyclonedx_refs(doc: dict) -> list[str]:
    """bom-refs unique; dependency refs resolve (CycloneDX: 'bom-ref ... MUST be
    unique within the BOM'; dependencies reference components/services by it)."""
    seen: dict[str, int] = {}

    def walk(items: Any) -> None:
        for it in items or []:
            if not isinstance(it, dict):
                continue
            ref = it.get("bom-ref")
            if isinstance(ref, str):
                seen[ref] = seen.get(ref, 0) + 1
            walk(it.get("components"))
            walk(it.get("services"))

    meta = doc.get("metadata") or {}
    walk([meta.get("component")] if meta.get("component") else [])
    walk(doc.get("components"))
    walk(doc.get("services"))
    out = [f"bom-ref {r!r} is defined {n} times" for r, n in sorted(seen.items()) if n > 1]
    for i, dep in enumerate(doc.get("dependencies") or []):
        ref = dep.get("ref")
        if ref not in seen:
            out.append(f"$.dependencies[{i}].ref {ref!r} names no component or service")
        for j, d in enumerate(dep.get("dependsOn") or []):
            if d not in seen:
                out.append(f"$.dependencies[{i}].dependsOn[{j}] {d!r} names no component or service")
    return out


# --------------------------------------------------------------------------
# SPDX 2.x


def spdx2(doc: dict, path: str) -> Result:
    from spdx_tools.spdx.parser.error import SPDXParsingError
    from spdx_tools.spdx.parser.parse_anything import parse_file
    from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

    version = doc.get("spdxVersion")
    if version not in ("SPDX-2.2", "SPDX-2.3"):
        raise Unsupported(f"spdxVersion {version!r}: spdx-tools validates SPDX-2.2 and SPDX-2.3 only")
    label = f"spdx-tools {ver('spdx-tools')} (pyspdxtools -i)"
    # parse_file picks the parser by file extension; a control has no file name.
    try:
        document = parse_file(path)
    except SPDXParsingError as e:
        raise Invalid([f"{label}: parse: {m}" for m in e.get_messages()])
    except Exception as e:  # the parser raises plain errors on odd input
        raise Invalid([f"{label}: parse: {type(e).__name__}: {e}"])
    messages = validate_full_spdx_document(document, version)
    if messages:
        raise Invalid([f"{label}: {m.validation_message}" for m in messages])
    key = "spdx-2.3" if version == "SPDX-2.3" else "spdx-2.2"
    errs = schema_errors(key, doc)
    if errs:
        raise Invalid([f"SPDX {version[5:]} JSON schema: {m}" for m in errs])
    return Result("SPDX", version[5:], f"{label} + SPDX {version[5:]} JSON schema")


# --------------------------------------------------------------------------
# SPDX 3.0.1


def spdx3(doc: dict, raw: str) -> Result:
    if doc.get("@context") != SPDX3_CONTEXT:
        raise Unsupported(f"@context {doc.get('@context')!r}: only SPDX 3.0.1 ({SPDX3_CONTEXT}) is supported")
    errs = [f"SPDX 3.0.1 JSON schema: {m}" for m in schema_errors("spdx-3.0.1", doc)]
    errs += [f"spdx-python-model: {m}" for m in spdx3_model(doc, raw)]
    if errs:
        raise Invalid(errs)
    return Result(
        "SPDX",
        "3.0.1",
        f"SPDX 3.0.1 JSON schema + spdx-python-model {ver('spdx-python-model')}",
    )


def spdx3_model(doc: dict, raw: str) -> list[str]:
    from spdx_python_model import v3_0_1 as m

    out: list[str] = []
    graph = doc.get("@graph") if isinstance(doc.get("@graph"), list) else [doc]
    ids: dict[str, int] = {}
    for o in graph:
        if isinstance(o, dict):
            i = o.get("spdxId") or o.get("@id")
            if isinstance(i, str) and not i.startswith("_:"):
                ids[i] = ids.get(i, 0) + 1
    out += [f"{i!r} is defined {n} times" for i, n in sorted(ids.items()) if n > 1]

    objset = m.SHACLObjectSet()
    try:
        m.JSONLDDeserializer().read(io.StringIO(raw), objset)
    except Exception as e:
        return out + [f"decode: {type(e).__name__}: {e}"]
    try:
        missing = objset.link()
    except Exception as e:  # a reference to an element of the wrong class
        return out + [f"link: {type(e).__name__}: {e}"]
    imported = set()
    for d in objset.foreach_type(m.SpdxDocument):
        for x in d.import_:
            if isinstance(x, m.ExternalMap) and x.externalSpdxId:
                imported.add(x.externalSpdxId)
    for i in sorted(missing - imported):
        out.append(
            f"reference {i!r} is neither an element of the document nor imported "
            "(SpdxDocument.import / ExternalMap)"
        )
    try:
        m.JSONLDSerializer().write(objset, io.BytesIO())
    except Exception as e:  # required / single-valued properties
        out.append(f"encode: {type(e).__name__}: {e}")
    return out


# --------------------------------------------------------------------------
# detection and driver


def detect(doc: Any) -> str:
    if not isinstance(doc, dict):
        raise Unsupported("the JSON top level is not an object")
    if doc.get("bomFormat") == "CycloneDX":
        return "cyclonedx"
    if "spdxVersion" in doc:
        return "spdx2"
    ctx = doc.get("@context")
    if isinstance(ctx, str) and "spdx.org/rdf/3" in ctx:
        return "spdx3"
    if isinstance(ctx, list) and any(isinstance(c, str) and "spdx.org/rdf/3" in c for c in ctx):
        return "spdx3"
    if "specVersion" in doc and "components" in doc:
        raise Unsupported("looks like CycloneDX but has no \"bomFormat\": \"CycloneDX\"")
    raise Unsupported("not CycloneDX JSON (bomFormat), SPDX 2 JSON (spdxVersion) or SPDX 3 JSON-LD (@context)")


def validate_text(raw: str, path: str) -> Result:
    try:
        doc = json.loads(raw)
    except json.JSONDecodeError as e:
        stripped = raw.lstrip()
        if stripped.startswith("<"):
            raise Unsupported("XML: only the JSON serialisations are supported (CycloneDX XML, SPDX RDF/XML are not)")
        if stripped.startswith("SPDXVersion:"):
            raise Unsupported("SPDX tag-value: only SPDX JSON is supported")
        raise Unsupported(f"not JSON ({e})")
    kind = detect(doc)
    if kind == "cyclonedx":
        return cyclonedx(doc, raw)
    if kind == "spdx2":
        return spdx2(doc, path)
    return spdx3(doc, raw)


def check_file(path: str) -> bool:
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        print(f"{path}: cannot read: {e}")
        return False
    try:
        r = validate_text(raw, path)
    except Unsupported as e:
        print(f"{path}: NOT VALIDATED: {e}")
        return False
    except Invalid as e:
        msgs = e.args[0]
        print(f"{path}: INVALID ({len(msgs)} problem{'s' if len(msgs) != 1 else ''})")
        for msg in msgs[:MAX_DETAILS]:
            print(f"    {msg}")
        if len(msgs) > MAX_DETAILS:
            print(f"    ... and {len(msgs) - MAX_DETAILS} more")
        return False
    print(f"{path}: valid ({r.fmt} {r.version}, {r.validator})")
    return True


# --------------------------------------------------------------------------
# controls: a minimal valid document per format (must pass) and single
# mutations of it (each must fail). A control that fails the wrong way, or a
# mutation that passes, means the validator proves nothing.


def cdx_base(spec: str) -> dict:
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": spec,
        "serialNumber": "urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79",
        "version": 1,
        "metadata": {
            "timestamp": "2024-01-01T00:00:00Z",
            "component": {"type": "application", "name": "env", "version": "0", "bom-ref": "root"},
        },
        "components": [
            {
                "type": "library",
                "bom-ref": "pkg:pypi/requests@2.19.1",
                "name": "requests",
                "version": "2.19.1",
                "purl": "pkg:pypi/requests@2.19.1",
                "licenses": [{"license": {"id": "Apache-2.0"}}],
            },
            {
                "type": "library",
                "bom-ref": "pkg:pypi/idna@2.7",
                "name": "idna",
                "version": "2.7",
                "purl": "pkg:pypi/idna@2.7",
            },
        ],
        "dependencies": [
            {"ref": "root", "dependsOn": ["pkg:pypi/requests@2.19.1"]},
            {"ref": "pkg:pypi/requests@2.19.1", "dependsOn": ["pkg:pypi/idna@2.7"]},
            {"ref": "pkg:pypi/idna@2.7"},
        ],
    }
    return doc


def spdx2_base() -> dict:
    return {
        "spdxVersion": "SPDX-2.3",
        "dataLicense": "CC0-1.0",
        "SPDXID": "SPDXRef-DOCUMENT",
        "name": "env",
        "documentNamespace": "https://example.invalid/spdx/env-3e671687",
        "creationInfo": {"created": "2024-01-01T00:00:00Z", "creators": ["Tool: control"]},
        "packages": [
            {
                "SPDXID": "SPDXRef-Package-requests",
                "name": "requests",
                "versionInfo": "2.19.1",
                "downloadLocation": "NOASSERTION",
                "filesAnalyzed": False,
                "licenseDeclared": "Apache-2.0",
                "externalRefs": [
                    {
                        "referenceCategory": "PACKAGE-MANAGER",
                        "referenceType": "purl",
                        "referenceLocator": "pkg:pypi/requests@2.19.1",
                    }
                ],
            }
        ],
        "relationships": [
            {
                "spdxElementId": "SPDXRef-DOCUMENT",
                "relationshipType": "DESCRIBES",
                "relatedSpdxElement": "SPDXRef-Package-requests",
            }
        ],
    }


def spdx3_base() -> dict:
    ns = "https://example.invalid/spdx/env-3e671687#"
    return {
        "@context": SPDX3_CONTEXT,
        "@graph": [
            {
                "type": "CreationInfo",
                "@id": "_:creationinfo",
                "specVersion": "3.0.1",
                "created": "2024-01-01T00:00:00Z",
                "createdBy": [ns + "agent"],
                "createdUsing": [ns + "tool"],
            },
            {"type": "SoftwareAgent", "spdxId": ns + "agent", "creationInfo": "_:creationinfo", "name": "control"},
            {"type": "Tool", "spdxId": ns + "tool", "creationInfo": "_:creationinfo", "name": "control"},
            {
                "type": "SpdxDocument",
                "spdxId": ns + "document",
                "creationInfo": "_:creationinfo",
                "rootElement": [ns + "sbom"],
                "element": [ns + "sbom", ns + "agent", ns + "tool", ns + "requests"],
                "profileConformance": ["core", "software"],
            },
            {
                "type": "software_Sbom",
                "spdxId": ns + "sbom",
                "creationInfo": "_:creationinfo",
                "rootElement": [ns + "requests"],
                "element": [ns + "requests"],
                "software_sbomType": ["deployed"],
            },
            {
                "type": "software_Package",
                "spdxId": ns + "requests",
                "creationInfo": "_:creationinfo",
                "name": "requests",
                "software_packageVersion": "2.19.1",
                "software_packageUrl": "pkg:pypi/requests@2.19.1",
            },
        ],
    }


def mut(base: dict, fn: Callable[[dict], None]) -> dict:
    d = copy.deepcopy(base)
    fn(d)
    return d


def controls() -> list[tuple[str, str, str, dict, bool]]:
    """(validator key, name, file suffix, document, should_pass)"""
    return [(key_of(doc), *rest) for rest in _controls() for doc in [rest[2]]]


def _controls() -> list[tuple[str, str, dict, bool]]:
    out: list[tuple[str, str, dict, bool]] = []
    for spec in ("1.2", "1.3", "1.4", "1.5", "1.6", "1.7"):
        b = cdx_base(spec)
        out.append((f"CycloneDX {spec} minimal document", ".cdx.json", b, True))
        out.append((f"CycloneDX {spec} licence id not on the SPDX list", ".cdx.json",
                    mut(b, lambda d: d["components"][0]["licenses"][0]["license"].update(id="Not-A-Licence-1.0")), False))
        out.append((f"CycloneDX {spec} unknown component property", ".cdx.json",
                    mut(b, lambda d: d["components"][0].update(licence="MIT")), False))
        out.append((f"CycloneDX {spec} component type outside the enum", ".cdx.json",
                    mut(b, lambda d: d["components"][1].update(type="python-package")), False))
        out.append((f"CycloneDX {spec} dependsOn a bom-ref that is not there", ".cdx.json",
                    mut(b, lambda d: d["dependencies"][1]["dependsOn"].append("pkg:pypi/chardet@3.0.4")), False))
    b = spdx2_base()
    out.append(("SPDX 2.3 minimal document", ".spdx.json", b, True))
    out.append(("SPDX 2.3 package without downloadLocation", ".spdx.json",
                mut(b, lambda d: d["packages"][0].pop("downloadLocation")), False))
    out.append(("SPDX 2.3 relationship to an undefined SPDXID", ".spdx.json",
                mut(b, lambda d: d["relationships"][0].update(relatedSpdxElement="SPDXRef-Package-missing")), False))
    out.append(("SPDX 2.3 misspelt package field (schema only)", ".spdx.json",
                mut(b, lambda d: d["packages"][0].update(licenceDeclared="MIT")), False))
    b = spdx3_base()
    out.append(("SPDX 3.0.1 minimal document", ".spdx3.json", b, True))
    out.append(("SPDX 3.0.1 package without creationInfo", ".spdx3.json",
                mut(b, lambda d: d["@graph"][5].pop("creationInfo")), False))
    out.append(("SPDX 3.0.1 createdBy names an undefined agent", ".spdx3.json",
                mut(b, lambda d: d["@graph"][0].update(createdBy=["https://example.invalid/tool"])), False))
    out.append(("SPDX 3.0.1 createdBy names a Tool, not an Agent", ".spdx3.json",
                mut(b, lambda d: d["@graph"][0].update(createdBy=[d["@graph"][2]["spdxId"]])), False))
    out.append(("SPDX 3.0.1 unknown property", ".spdx3.json",
                mut(b, lambda d: d["@graph"][5].update(packageVersion="2.19.1")), False))
    return out


def key_of(doc: Any) -> str | None:
    """Which validator (and schema version) a document goes to; None if none."""
    try:
        kind = detect(doc)
    except Unsupported:
        return None
    if kind == "cyclonedx":
        return f"cyclonedx-{doc.get('specVersion')}"
    if kind == "spdx2":
        return "spdx2"  # spdx-tools and the 2.3 controls stand for 2.2 as well
    return "spdx3"


def run_controls(tmp: Path, keys: set[str] | None) -> tuple[bool, int]:
    """Run the controls of the validators in keys (all when None)."""
    ok, n_run = True, 0
    for n, (key, name, suffix, doc, should_pass) in enumerate(controls()):
        if keys is not None and key not in keys:
            continue
        n_run += 1
        path = tmp / f"control-{n}{suffix}"
        raw = json.dumps(doc, indent=1)
        path.write_text(raw, encoding="utf-8")
        try:
            validate_text(raw, str(path))
            passed, why = True, ""
        except (Invalid, Unsupported) as e:
            passed = False
            why = "; ".join(e.args[0]) if isinstance(e.args[0], list) else str(e.args[0])
        if passed != should_pass:
            ok = False
            if should_pass:
                print(f"validate.py: CONTROL FAILED: the valid control '{name}' was rejected: {why[:500]}",
                      file=sys.stderr)
            else:
                print(f"validate.py: CONTROL FAILED: the validator accepted a broken document: '{name}'",
                      file=sys.stderr)
    return ok, n_run


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--schemas", required=True, type=Path)
    ap.add_argument("--controls-only", action="store_true")
    ap.add_argument("--no-controls", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("files", nargs="*")
    a = ap.parse_args()
    global _schema_dir
    _schema_dir = a.schemas
    if not a.files and not a.controls_only:
        ap.error("no files")

    import tempfile

    if not a.no_controls:
        # The controls of each validator this run uses (all of them with
        # --controls-only): a validator that passes a file has just been seen
        # to reject broken documents of that format and version.
        keys: set[str] | None = None
        if not a.controls_only:
            keys = set()
            for f in a.files:
                try:
                    keys.add(key_of(json.loads(Path(f).read_text(encoding="utf-8"))) or "")
                except (OSError, ValueError):
                    pass
        with tempfile.TemporaryDirectory(prefix="sbom-controls.") as t:
            ok, n_run = run_controls(Path(t), keys)
        if not ok:
            return 2
        if a.controls_only:
            print(f"sbom: {n_run} controls behaved (valid ones passed, broken ones failed)")
            return 0
    ok = True
    for f in a.files:
        ok = check_file(f) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
