"""The code's layout in figures (issue 19): ``python -m tests.bench.layout [package]``.

Prints the module count, the largest modules and functions, file names used twice in the package,
how many of the package's modules ``daemon`` imports, and the import cycles between the package's
modules three ways: at import time (module level), counting the imports inside functions (they
run late), and counting the type-only ones too (``if TYPE_CHECKING:``, never at run time). Read
the figures, compare them: no thresholds.
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


def imported(tree: ast.Module, name: str, is_package: bool, *, late: bool, typing: bool) -> set[str]:
    """Modules of the package this module imports: at import time (module level), ``late``: also
    inside functions, ``typing``: also under ``if TYPE_CHECKING:`` (never at run time)."""
    found: set[str] = set()
    nodes: list[ast.AST] = list(tree.body)
    while nodes:
        node = nodes.pop()
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            nodes += node.orelse + (node.body if typing else [])
            continue
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) and not late:
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
        else:
            nodes += list(ast.iter_child_nodes(node))
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
    graphs: dict[str, dict[str, set[str]]] = {
        "at import time": defaultdict(set),
        "counting imports inside functions": defaultdict(set),
        "counting type-only imports too": defaultdict(set),
    }
    kinds = {"at import time": (False, False), "counting imports inside functions": (True, False)}
    kinds["counting type-only imports too"] = (True, True)
    for m, p in modules.items():
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.end_lineno:
                functions.append((node.end_lineno - node.lineno + 1, f"{m}.{node.name}"))
        is_package = p.name == "__init__.py"
        for label, (late, typing) in kinds.items():
            for target in imported(tree, m, is_package, late=late, typing=typing):
                if target in modules and target != m:
                    graphs[label][m].add(target)
    sizes = sorted(lines.values())
    print(f"modules: {len(modules)} ({sum(sizes)} lines, median {sizes[len(sizes) // 2]})")
    print(
        "largest modules:", ", ".join(f"{m} {n}" for m, n in sorted(lines.items(), key=lambda x: -x[1])[:8])
    )
    print("largest functions:", ", ".join(f"{f} {n}" for n, f in sorted(functions, reverse=True)[:8]))
    stems = Counter(p.stem for p in files if p.stem != "__init__")
    twice = sorted(s for s, n in stems.items() if n > 1)
    print(f"file names used twice: {len(twice)}", ", ".join(twice))
    daemon = f"{root.name}.daemon"
    internal = len(graphs["counting imports inside functions"].get(daemon, ()))
    print(f"{daemon} imports {internal} of the package's modules")
    for label, graph in graphs.items():
        found = cycles(graph)
        print(f"import cycles {label}: {len(found)}")
        for component in found:
            print("   ", " <-> ".join(component))


if __name__ == "__main__":
    main(*sys.argv[1:])
