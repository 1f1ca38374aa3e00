"""The shape every service keeps: no hidden import cycles, and the kernel imports no service.

Cycles used to hide behind imports inside function bodies (a view importing its own service's
definition, a read model importing the outbox through it, the runtime and the data version
importing each other). These tests fail if one comes back, and if a kernel module grows past
what one reads as one idea.
"""

from __future__ import annotations

import ast
import random
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SERVICES = ROOT / "services"
KERNEL = ROOT / "shared"

LOADED_WHERE_USED = (
    "kafka",  # kafka-python: only where Kafka is configured (distributed)
    "shared.kafka_bus",  # the kernel's modules that load kafka-python
    "shared.kafka_admin",
    "psycopg",  # the PostgreSQL driver: only on PostgreSQL
)
"""What a kernel module may import inside a function: what only some runs load."""

MAX_KERNEL_LINES = 300


def _modules(package: Path) -> list[str]:
    names = []
    for path in sorted(package.rglob("*.py")):
        if "migrations" in path.parts:  # Alembic loads these itself, by file
            continue
        relative = path.relative_to(ROOT).with_suffix("")
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        names.append(".".join(parts))
    return names


def _imported(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    return [node.module or ""]


def _function_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import inside a function body of ``path``."""
    found = []
    for function in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    found.extend((node.lineno, name) for name in _imported(node))
    return found


def _service_files() -> list[Path]:
    return [p for p in sorted(SERVICES.rglob("*.py")) if "migrations" not in p.parts]


def test_no_service_module_imports_its_own_service_inside_a_function() -> None:
    offences = []
    for path in _service_files():
        service = path.relative_to(SERVICES).parts[0]
        for line, module in _function_imports(path):
            if module.startswith(f"services.{service}"):
                offences.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert offences == [], "imports inside functions hide cycles:\n" + "\n".join(offences)


def _kernel_modules() -> list[pytest.param]:
    """Each kernel module, subpackages' included."""
    return [
        pytest.param(path, id=path.relative_to(ROOT).as_posix())
        for path in sorted(KERNEL.rglob("*.py"))
    ]


def _loaded_where_used(module: str) -> bool:
    return any(module == name or module.startswith(f"{name}.") for name in LOADED_WHERE_USED)


@pytest.mark.parametrize("path", _kernel_modules())
def test_no_kernel_module_imports_inside_a_function_but_what_only_some_runs_load(
    path: Path,
) -> None:
    offences = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for line, module in _function_imports(path)
        if not _loaded_where_used(module)
    ]
    assert offences == [], "imports inside functions hide cycles:\n" + "\n".join(offences)


@pytest.mark.parametrize("path", _kernel_modules())
def test_no_kernel_module_is_over_300_lines(path: Path) -> None:
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_KERNEL_LINES, f"{path.relative_to(ROOT)}: {lines} lines, split it by idea"


def test_only_the_runner_imports_a_service_definition() -> None:
    offences = []
    for path in _service_files():
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for name in _imported(node):
                    if name.startswith("services.") and name.endswith(".service"):
                        offences.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {name}")
    assert offences == []


def test_the_kernel_imports_no_service() -> None:
    offences = []
    for path in sorted((ROOT / "shared").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                offences += [
                    f"{path.name}:{node.lineno} {n}"
                    for n in _imported(node)
                    if n.startswith(("services", "jiangong", "tests"))
                ]
    assert offences == []


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_service_module_imports_alone_in_a_fresh_interpreter_in_any_order(
    seed: int,
) -> None:
    modules = _modules(KERNEL) + _modules(SERVICES)
    random.Random(seed).shuffle(modules)
    script = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    result = subprocess.run(
        [sys.executable, "-c", script, *modules],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"order (seed {seed}): {modules}\n{result.stderr[-3000:]}"


def test_a_service_reads_its_settings_only_in_its_configuration() -> None:
    """``config.py`` reads them once, at start; everything else uses ``ctx.config``."""
    readers = [
        str(path.relative_to(ROOT))
        for path in sorted(SERVICES.rglob("*.py"))
        if path.name != "config.py"
        and any(word in path.read_text() for word in ("settings.extra", "os.environ", "getenv"))
    ]
    assert readers == []
