"""The package's layout: imports run one way only (answer → retrieve → store ← ingest, all over
models and the shared text and types), with no circle, and bot/ uses nothing but index's surface."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
INDEX = ROOT / "index"
# Each stage may import its own package and the layers below it, never a layer beside or above.
# ingest and retrieve sit side by side: neither imports the other.
LAYERS = {
    "base": 0,  # index/*.py shared by every stage (passage, errors, settings, urls, ...) and index/text/
    "index.models": 1,
    "index.store": 2,
    "index.ingest": 3,
    "index.retrieve": 3,
    "index.answer": 4,
    "front": 5,  # index/__init__.py (the public surface), the CLI and the evaluation over everything
}
FRONT = {"index", "index.cli", "index.evaluate"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in INDEX.rglob("*.py")}


def stage(module: str) -> str:
    if module in FRONT:
        return "front"
    for package in LAYERS:
        if module == package or module.startswith(package + "."):
            return package
    return "base"


def imports(module: str) -> set[str]:
    """Every index module the module imports, at the top or inside a function (resolved to modules)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in MODULES}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            source = ".".join(base + ([node.module] if node.module else []))
            for alias in node.names:
                if f"{source}.{alias.name}" in MODULES:
                    found.add(f"{source}.{alias.name}")
                elif source in MODULES:
                    found.add(source)
    found.discard(module)
    return found


GRAPH = {module: imports(module) for module in MODULES}


def test_the_layout_is_read_from_the_tree() -> None:
    """Guards the test itself: the stages exist and the graph holds their imports."""
    assert {stage(module) for module in MODULES} == set(LAYERS)
    assert "index.store.generations" in GRAPH["index.ingest.update"]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_run_one_way(module: str) -> None:
    """A module imports its own package or layers below; never one beside (ingest ↔ retrieve) or above."""
    here = stage(module)
    for target in GRAPH[module]:
        there = stage(target)
        if there == here or (here == "front" and target.startswith("index")):
            continue
        if module.startswith("index.") and here != "front" and target == "index":
            pytest.fail(f"{module} imports the package's surface")
        assert LAYERS[there] < LAYERS[here], f"{module} ({here}) imports {target} ({there})"


def test_no_import_circle() -> None:
    """No module reaches itself through its imports (Tarjan's strongly connected components)."""
    index, low, on_stack, stack, circles = {}, {}, set(), [], []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    assert circles == []
