"""Print how Rabatt's apps import each other, and fail on what the layer map forbids.

Reads every module of the ``rabatt`` package (tests and migrations aside) with ``ast``, imports at
module level and inside functions alike, and prints:

- cycles of modules that run through two or more apps (strongly connected components);
- private names (``_x``) imported from another app;
- imports inside functions that cross apps, each with the comment that says why (the line above
  or at the end of the import);
- modules below the entry points that no layer of the import-linter contract covers;
- the app-to-app dependency table.

usage: python scripts/import_graph.py [--quiet]
Exit status 1 when there is a cross-app cycle, a private cross-app import, an in-function
cross-app import without a comment, or an uncovered module.
"""

from __future__ import annotations

import ast
import sys
import tomllib
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "rabatt"
# Module name parts that make a module an entry point (it may import any layer).
ENTRY_PARTS = {"views", "urls", "forms", "admin", "admin_site", "api", "management", "tasks",
               "templatetags", "context", "apps", "cli", "__main__", "wsgi", "asgi", "settings",
               "test_settings"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and (PACKAGE / parts[1]).is_dir()) \
        else None


def is_entry(module: str) -> bool:
    parts = module.split(".")
    return (len(parts) <= 2 and app_of(module) is None) or bool(ENTRY_PARTS & set(parts[1:]))


def imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[str, list[str],
                                                                           bool, int]]:
    """Yield (imported module, names, inside a function, line) for every import."""
    def walk(node: ast.AST, in_function: bool) -> Iterator[tuple[str, list[str], bool, int]]:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef
                                               | ast.Lambda)
            if isinstance(child, ast.Import):
                for alias in child.names:
                    yield alias.name, [], inside, child.lineno
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    package = module.split(".") if is_package else module.split(".")[:-1]
                    package = package[: len(package) - child.level + 1]
                    base = ".".join(package + ([base] if base else []))
                yield base, [a.name for a in child.names], inside, child.lineno
            yield from walk(child, inside)
    yield from walk(tree, False)


def is_empty_package(path: Path) -> bool:
    """An ``__init__.py`` with nothing but a docstring: a split app's package, layered by module."""
    if path.name != "__init__.py":
        return False
    body = ast.parse(path.read_text()).body
    return all(isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant) for n in body)


def has_reason(lines: list[str], line: int) -> bool:
    """Whether an import carries a comment saying why (on its line or just above)."""
    here = lines[line - 1]
    above = lines[line - 2].strip() if line >= 2 else ""
    return "#" in here or above.startswith("#")


def layer_modules() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    found = []
    for contract in config["tool"]["importlinter"]["contracts"]:
        if contract["type"] != "layers":
            continue
        for layer in contract["layers"]:
            found += [m.strip() for m in layer.replace(":", "|").split("|") if m.strip()]
    return found


def tarjan(graph: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
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
            components.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return components


def main() -> int:
    quiet = "--quiet" in sys.argv
    modules: dict[str, Path] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = module_name(path)
        if {"tests", "migrations"} & set(name.split(".")):
            continue
        modules[name] = path
    graph: dict[str, set[str]] = defaultdict(set)
    private: list[str] = []
    in_function: list[tuple[str, bool]] = []
    app_edges: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        source = path.read_text()
        lines = source.splitlines()
        src_app = app_of(name)
        for target, names, inside, line in imports(ast.parse(source), name,
                                                   path.name == "__init__.py"):
            if not target.startswith("rabatt"):
                continue
            candidates = [f"{target}.{n}" for n in names] + [target]
            resolved = next((c for c in candidates if c in modules), None)
            if resolved is not None and resolved != name:
                graph[name].add(resolved)
            dst_app = app_of(target)
            if src_app is None or dst_app is None or src_app == dst_app:
                continue
            if not is_entry(name):
                app_edges[src_app].add(dst_app)
            where = f"{path.relative_to(ROOT)}:{line}"
            private += [f"{where} imports {target}.{n}" for n in names if n.startswith("_")]
            if inside:
                in_function.append((f"{where} imports {target}", has_reason(lines, line)))
    cycles = [c for c in tarjan(graph) if len({app_of(m) for m in c}) > 1]
    layered = layer_modules()
    uncovered = [m for m in modules if not is_entry(m) and app_of(m) is not None
                 and not is_empty_package(modules[m])
                 and not any(m == layer or m.startswith(layer + ".") for layer in layered)]
    unexplained = [where for where, reason in in_function if not reason]
    if not quiet:
        print("App dependencies (domain modules; entry points left out):")
        for app in sorted(app_edges):
            print(f"  {app:14} -> {', '.join(sorted(app_edges[app]))}")
    for component in cycles:
        apps = sorted({app_of(m) or "" for m in component})
        print(f"cycle through apps {', '.join(apps)}: {len(component)} modules")
        for a in component:
            for b in sorted(graph[a] & set(component)):
                if app_of(a) != app_of(b):
                    print(f"  {a} -> {b}")
    for line in private:
        print(f"private: {line}")
    for where, reason in in_function:
        if not quiet or not reason:
            print(f"in function{'' if reason else ' (no comment why)'}: {where}")
    for module in uncovered:
        print(f"not in any layer: {module}")
    print(f"{len(cycles)} cross-app cycles, {len(private)} private cross-app imports, "
          f"{len(in_function)} in-function cross-app imports ({len(unexplained)} without a "
          f"comment), {len(uncovered)} modules outside the layers")
    return 1 if cycles or private or unexplained or uncovered else 0


if __name__ == "__main__":
    sys.exit(main())
