#!/usr/bin/env python3
"""Fails when the top-level modules of a crate import each other in a cycle.

    scripts/module-cycles.py [-v] [SRC_DIR ...]     (default: app/src server/src)

A module's dependencies are the `crate::NAME` paths its files use (comments ignored, the
`mod tests` at the end of a file too). Dependencies should point from the concrete to the
general (docs/design.md, "No import cycles"); `-v` prints every module's list.
"""
import os
import re
import sys


def uses(text):
    """The top-level modules named by `crate::…` paths, `use crate::{a, b::{…}}` included."""
    found = set(re.findall(r"crate::(\w+)", text))
    for start in re.finditer(r"crate::\{", text):
        i, depth, part, parts = start.end(), 1, "", []
        while depth:
            ch = text[i]
            i += 1
            depth += {"{": 1, "}": -1}.get(ch, 0)
            if depth == 1 and ch == ",":
                parts.append(part)
                part = ""
            elif depth >= 1:
                part += ch
        parts.append(part)
        found |= {m.group(1) for p in parts if (m := re.match(r"\s*(\w+)", p))}
    return found


def graph(root):
    modules = {}
    for folder, _, files in os.walk(root):
        for name in files:
            if not name.endswith(".rs"):
                continue
            path = os.path.join(folder, name)
            top = os.path.relpath(path, root).split(os.sep)[0].removesuffix(".rs")
            if top in ("lib", "main"):
                continue
            text = re.sub(r"//.*", "", open(path, encoding="utf-8").read())
            text = re.sub(r"#\[cfg\([^\n]*test[^\n]*\)\]\s*mod tests \{.*", "", text, flags=re.S)
            modules.setdefault(top, set()).update(uses(text) - {top})
    return {m: {d for d in deps if d in modules} for m, deps in modules.items()}


def cycles(modules):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in modules[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(modules):
        if v not in index:
            visit(v)
    return found


def main():
    verbose = "-v" in sys.argv
    roots = [a for a in sys.argv[1:] if a != "-v"] or ["app/src", "server/src"]
    failed = False
    for root in roots:
        modules = graph(root)
        if verbose:
            for m in sorted(modules):
                print(f"{root}: {m} -> {', '.join(sorted(modules[m])) or '-'}")
        for component in cycles(modules):
            failed = True
            print(f"{root}: import cycle among {', '.join(component)}")
        if not failed:
            print(f"{root}: {len(modules)} modules, no import cycles")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
