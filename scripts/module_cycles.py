#!/usr/bin/env python3
"""Fails when a module of a crate imports a module that imports it back.

For every crate under crates/, each file under src/ is a module
(`src/a.rs` and `src/a/mod.rs` are `a`, `src/a/b.rs` is `a::b`). A reference
`crate::a::...` or `super::...` (in `use` lines, brace groups included, and
in paths written inline) is an edge from the file's module to the deepest
module it names. Edges between a module and its own ancestor or descendant
are left out (a parent declares its children). Every other edge is lifted to
the two sibling modules under their nearest common parent; a cycle among
siblings is reported with one file and line per edge.

    python3 scripts/module_cycles.py            # every crate
    python3 scripts/module_cycles.py custody-inspect
Exit 0: no cycle; 1: cycles, listed.
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def modules(src: Path) -> dict:
    out = {}
    for f in sorted(src.rglob("*.rs")):
        parts = list(f.relative_to(src).with_suffix("").parts)
        if parts[-1] == "mod":
            parts.pop()
        if parts in (["lib"], ["main"]):
            parts = []
        out[tuple(parts)] = f
    return out


def strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def brace_items(text: str, start: int) -> list:
    """Top-level comma-separated items of the brace group opening at start."""
    depth, item, items = 0, "", []
    for ch in text[start:]:
        if ch == "{":
            depth += 1
            if depth == 1:
                continue
        elif ch == "}":
            depth -= 1
            if depth == 0:
                items.append(item)
                break
        if depth == 1 and ch == ",":
            items.append(item)
            item = ""
        else:
            item += ch
    return [i.strip() for i in items if i.strip()]


def paths_from(text: str, prefix_at: int, base: tuple) -> list:
    """Module paths named after a `crate::`/`super::` prefix ending at prefix_at."""
    rest = text[prefix_at:]
    m = re.match(rf"((?:{IDENT}::)*)({IDENT}|\{{)", rest)
    if not m:
        return [base]
    lead = tuple(p for p in m.group(1).split("::") if p)
    if m.group(2) == "{":
        out = []
        for item in brace_items(text, prefix_at + m.start(2)):
            head = re.match(rf"((?:{IDENT})(?:::{IDENT})*)", item)
            if head:
                out.append(base + lead + tuple(head.group(1).split("::")))
        return out
    return [base + lead + (m.group(2),)]


def deepest(mods: dict, path: tuple) -> tuple:
    for n in range(len(path), -1, -1):
        if path[:n] in mods:
            return path[:n]
    return ()


def edges(mods: dict) -> list:
    out = []
    for mod, f in mods.items():
        text = strip_comments(f.read_text(encoding="utf-8"))
        for m in re.finditer(r"\b(crate|super)((?:::super)*)::", text):
            if m.group(1) == "crate":
                base = ()
            else:
                ups = 1 + m.group(2).count("super")
                # a file module's `super` is its parent; lib.rs/mod.rs alike
                base = mod[: max(0, len(mod) - ups)]
            line = text.count("\n", 0, m.start()) + 1
            for p in paths_from(text, m.end(), base):
                target = deepest(mods, p)
                if target == mod:
                    continue
                n = min(len(mod), len(target))
                if mod[:n] == target[:n]:
                    continue  # ancestor or descendant
                k = next(i for i in range(n + 1) if i == n or mod[i] != target[i])
                a, b = mod[: k + 1], target[: k + 1]
                out.append((a, b, f, line))
    return out


def cycles(es: list) -> list:
    graph = {}
    for a, b, _, _ in es:
        graph.setdefault(a, set()).add(b)
    index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                sccs.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in list(graph):
        if v not in index:
            visit(v)
    return sccs


def main() -> int:
    wanted = set(sys.argv[1:])
    bad = 0
    for crate in sorted((ROOT / "crates").iterdir()):
        if wanted and crate.name not in wanted or not (crate / "src").is_dir():
            continue
        mods = modules(crate / "src")
        es = edges(mods)
        for comp in cycles(es):
            bad += 1
            names = ", ".join("::".join(c) for c in comp)
            print(f"{crate.name}: modules import each other in a loop: {names}")
            members = set(comp)
            seen = set()
            for a, b, f, line in es:
                if a in members and b in members and (a, b) not in seen:
                    seen.add((a, b))
                    print(f"  {'::'.join(a)} -> {'::'.join(b)}  ({f.relative_to(ROOT)}:{line})")
    if bad:
        print(f"{bad} import loop(s)")
        return 1
    print("no module imports a module that imports it back")
    return 0


if __name__ == "__main__":
    sys.exit(main())
