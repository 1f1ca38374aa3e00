"""Every service's domain is pure Python: it imports the standard library, its own service's
domain and the few kernel modules that are pure themselves, never a framework or an adapter."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DOMAINS = sorted(ROOT.glob("services/*/domain"))
PURE_KERNEL = {
    "shared.errors",
    "shared.clock",
    "shared.regions",
    "shared.identifiers",
    "shared.text",
}
"""The kernel modules a domain may import: each checked below to be pure itself."""
STDLIB = sys.stdlib_module_names | {"__future__"}


def _imports(path: Path) -> set[str]:
    """The absolute modules ``path`` imports at run time (``from shared import errors`` is
    ``shared.errors``); what it imports only for type checking does not count."""
    tree = ast.parse(path.read_text())
    typing_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"
        for inner in ast.walk(node)
    }
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module in {"shared", "services"}:
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
            else:
                names.add(node.module)
    return names


def _not_allowed(path: Path, own_domain: str) -> set[str]:
    return {
        name
        for name in _imports(path)
        if name.split(".")[0] not in STDLIB
        and name not in PURE_KERNEL
        and not (name == own_domain or name.startswith(own_domain + "."))
    }


def test_every_service_has_its_domain_checked() -> None:
    assert {path.parent.name for path in DOMAINS} >= {
        "registry",
        "competitions",
        "certification",
        "dashboard",
    }


@pytest.mark.parametrize(
    "path",
    [path for domain in DOMAINS for path in sorted(domain.glob("*.py"))],
    ids=lambda path: f"{path.parent.parent.name}/{path.name}",
)
def test_a_domain_module_imports_no_framework_and_no_other_service(path: Path) -> None:
    own_domain = f"services.{path.parent.parent.name}.domain"
    assert _not_allowed(path, own_domain) == set()


@pytest.mark.parametrize("module", sorted(PURE_KERNEL))
def test_a_kernel_module_a_domain_may_import_is_pure_itself(module: str) -> None:
    path = ROOT / (module.replace(".", "/") + ".py")
    assert _not_allowed(path, module) == set()
