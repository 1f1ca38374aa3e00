"""Every refusal a service can answer is documented, once, under its stable problem type."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

from jiangong.platform import SERVICE_MODULES, available
from jiangong.rulebook import Rule, refusals_raised, rulebook
from shared.errors import all_rules

ROOT = Path(__file__).resolve().parents[3]
CATALOGUE = ROOT / "docs" / "problems.md"


def _load_every_service() -> None:
    for module in SERVICE_MODULES.values():
        try:
            importlib.import_module(module)
        except ModuleNotFoundError:
            continue


def test_every_rule_is_in_the_problem_catalogue_with_its_status() -> None:
    _load_every_service()
    documented = {
        match.group(1): int(match.group(2))
        for match in re.finditer(
            r"^\| `/problems/([a-z0-9-]+)` \| (\d{3}) \|", CATALOGUE.read_text(), re.M
        )
    }
    missing = {
        rule.type_uri(): rule.status
        for rule in all_rules()
        if documented.get(rule.type_uri().removeprefix("/problems/")) != rule.status
    }
    assert missing == {}, "add these to docs/problems.md (type and status):"


def test_one_rule_code_means_one_status_everywhere() -> None:
    _load_every_service()
    statuses: dict[str, set[int]] = {}
    for rule in all_rules():
        statuses.setdefault(rule.rule, set()).add(rule.status)
    assert {code: s for code, s in statuses.items() if len(s) > 1} == {}


def _rulebook() -> dict[str, Rule]:
    _load_every_service()
    return rulebook(all_rules(), available())


def test_every_rule_of_a_service_is_decided_by_a_function_of_its_domain() -> None:
    book = _rulebook()
    undecided = [
        code for code, rule in book.items() if not (rule.kernel or rule.family or rule.decided_by)
    ]
    outside = {
        code: sorted(rule.decided_by)
        for code, rule in book.items()
        if not rule.edge and any("/domain/" not in where for where in rule.decided_by)
    }
    assert undecided == [], "raise these from a function of the service's domain/"
    assert outside == {}


def test_no_handler_raises_a_refusal_itself() -> None:
    """A handler loads, asks the domain (or the kernel's ``found``) and writes."""
    _load_every_service()
    in_handlers = [
        f"{where} raises {cls.__name__}"
        for service in available()
        for where, cls in refusals_raised(service)
        if "/handlers/" in where
    ]
    assert in_handlers == []


def test_every_rule_is_named_by_a_test_file_that_exercises_it() -> None:
    unproved = [code for code, rule in _rulebook().items() if not rule.proved_by]
    assert unproved == [], "no test file names these rules (code, problem type or class)"


def test_the_catalogue_names_each_rules_deciding_functions_and_they_exist() -> None:
    text = CATALOGUE.read_text()
    rows = dict(re.findall(r"^\| `([a-z0-9_]+)` \| (.*) \|$", text, re.M))
    stale = {
        code: sorted(rule.decided_by)
        for code, rule in _rulebook().items()
        if any(f"`{where}`" not in rows.get(code, "") for where in rule.decided_by)
    }
    assert stale == {}, "run `jiangong problems > docs/problems.md`"
    named = re.findall(r"`(services/[\w/]+\.py):([\w.]+)`", text)
    missing = [
        f"{path}:{name}" for path, name in named if not _defines(ROOT / path, name.split("."))
    ]
    assert named and missing == []


def test_the_catalogue_names_test_files_that_exist() -> None:
    named = re.findall(r"`(tests/[\w/]+\.py)`", CATALOGUE.read_text())
    assert named and [path for path in named if not (ROOT / path).is_file()] == []


def _defines(path: Path, names: list[str]) -> bool:
    """Whether the module at ``path`` defines ``function`` or ``Class.method``."""
    if not path.is_file():
        return False
    body: list[ast.stmt] = ast.parse(path.read_text()).body
    for name in names:
        found = next(
            (
                node
                for node in body
                if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name == name
            ),
            None,
        )
        if found is None:
            return False
        body = found.body
    return True
