"""The certification domain's refusals are well formed, and the domain imports no framework."""

from __future__ import annotations

import ast
import inspect
import re
import sys
from datetime import date
from pathlib import Path

import pytest

from services.certification.domain import errors
from shared.errors import DomainError

DOMAIN = Path(errors.__file__).parent
ALLOWED = sys.stdlib_module_names | {"__future__", "shared"}
KERNEL = {"shared.errors", "shared.clock"}

REFUSALS = [
    cls
    for _, cls in inspect.getmembers(errors, inspect.isclass)
    if issubclass(cls, DomainError) and cls.__module__ == errors.__name__
]


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(DOMAIN.glob("*.py")), ids=lambda p: p.name)
def test_domain_imports_only_the_standard_library_and_the_kernel(path: Path) -> None:
    imported = _imports(path)
    assert {name.split(".")[0] for name in imported} <= ALLOWED
    assert {name for name in imported if name.startswith("shared")} <= KERNEL


@pytest.mark.parametrize("cls", REFUSALS, ids=lambda cls: cls.__name__)
def test_every_refusal_states_its_rule_status_and_sentence(cls: type[DomainError]) -> None:
    assert re.fullmatch(r"[a-z]+(_[a-z]+)*", cls.rule)
    assert cls.status in {403, 404, 409, 422}
    assert cls.title and cls.default_detail.endswith(".")
    assert cls.field is None or re.fullmatch(r"[a-z_]+", cls.field)


def test_each_refusal_has_its_own_rule() -> None:
    rules = [cls.rule for cls in REFUSALS]
    assert len(rules) == len(set(rules))


def test_errors_answer_with_field_level_problems() -> None:
    error = errors.TooEarlyForPromotion(date(2026, 2, 28))
    assert error.errors == {"assessed_on": [error.detail]}
    assert error.type_uri() == "/problems/too-early-for-promotion"
