"""The code's layout in figures (issue 19): ``python -m tests.bench.layout [package]``.

Prints the module count, the largest modules and functions, module names that appear twice in the
package, and the import cycles between the package's modules (module-level imports only: an import
inside a function or under ``TYPE_CHECKING`` runs late or never, so it cannot close a cycle at
import time; both kinds are counted separately). Read the figures, compare them: no thresholds.
"""

from __future__ import annotations

import ast
import sys
from collections import Counter, defaultdict
from pathlib import Path


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported(tree: ast.Module, name: str, is_package: bool, top: bool) -> set[str]:
    """Modules of the package this module imports (top=True: at import time only)."""
    found: set[str] = set()
    body: list[ast.stmt] = list(tree.body)
    nodes = body if top else list(ast.walk(tree))
    while nodes:
        node = nodes.pop()
        if top and isinstance(node, ast.If):
            test = ast.unparse(node.test)
            if "TYPE_CHECKING" not in test:
                nodes += node.body + node.orelse
            continue
        if top and isinstance(node, ast.Try):
            nodes += node.body + node.orelse + node.finalbody + [s for h in node.handlers for s in h.body]
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.add(module)
            found |= {f"{module}.{a.name}" for a in node.names}
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main(package: str = "hotelbox") -> None:
    root = Path(package).resolve()
    files = sorted(p for p in root.rglob("*.py") if "migrations_sql" not in p.parts)
    modules = {module_name(root, p): p for p in files}
    lines = {m: len(p.read_text(encoding="utf-8").splitlines()) for m, p in modules.items()}
    functions: list[tuple[int, str]] = []
    graph_top: dict[str, set[str]] = defaultdict(set)
    graph_all: dict[str, set[str]] = defaultdict(set)
    for m, p in modules.items():
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno:
                functions.append((node.end_lineno - node.lineno + 1, f"{m}.{node.name}"))
        is_package = p.name == "__init__.py"
        for top, graph in ((True, graph_top), (False, graph_all)):
            for target in imported(tree, m, is_package, top):
                if target in modules and target != m:
                    graph[m].add(target)
    sizes = sorted(lines.values())
    print(f"modules: {len(modules)} ({sum(sizes)} lines, median {sizes[len(sizes) // 2]})")
    print(
        "largest modules:", ", ".join(f"{m} {n}" for m, n in sorted(lines.items(), key=lambda x: -x[1])[:8])
    )
    print("largest functions:", ", ".join(f"{f} {n}" for n, f in sorted(functions, reverse=True)[:8]))
    stems = Counter(p.stem for p in files if p.stem != "__init__")
    twice = sorted(s for s, n in stems.items() if n > 1)
    print(f"file names used twice: {len(twice)}", ", ".join(twice))
    internal = sum(1 for t in graph_all.get(f"{package}.daemon", ()) if t.startswith(package))
    print(f"{package}.daemon imports {internal} of the package's modules")
    for label, graph in (("at import time", graph_top), ("counting late imports", graph_all)):
        found = cycles(graph)
        print(f"import cycles {label}: {len(found)}")
        for component in found:
            print("   ", " <-> ".join(component))


if __name__ == "__main__":
    main(*sys.argv[1:])
