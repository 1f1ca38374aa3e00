"""The competitions service's modules: no imports inside functions (they hide cycles), no module
but the runner's entry imports the service definition, and no import cycle between them."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "services" / "competitions"
FILES = sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def _name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_name(path): path for path in FILES}


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, module) of each import, ``from package import module`` naming the module."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.append((node.lineno, child if child in MODULES else node.module))
    return found


def test_no_module_imports_inside_a_function() -> None:
    offences = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in FILES
        for function in ast.walk(ast.parse(path.read_text()))
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
        for line, module in _imports(function)
    ]
    assert offences == []


def test_nothing_imports_the_service_definition() -> None:
    offences = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in FILES
        for line, module in _imports(ast.parse(path.read_text()))
        if module == "services.competitions.service"
    ]
    assert offences == []


def test_the_modules_import_each_other_without_a_cycle() -> None:
    graph = {
        name: {m for _, m in _imports(ast.parse(path.read_text())) if m in MODULES and m != name}
        for name, path in MODULES.items()
    }
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, "import cycle: " + " -> ".join((*path, name))
        if name not in done:
            for imported in sorted(graph[name]):
                visit(imported, (*path, name))
            done.add(name)

    for name in sorted(graph):
        visit(name, ())
