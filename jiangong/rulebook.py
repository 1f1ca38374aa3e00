"""Where each rule is decided and which tests prove it, read from the sources of this checkout.

A rule is a refusal class (``shared.errors.DomainError``) and its stable code. The function
that decides it is one of its service's ``domain/`` functions that raises it (or builds it for
its caller to raise, or hands it on: ``refused(errors.AboveContestBand)``); a refusal that the
edge decides (a rate limit, a file's format: ``edge = True``) is named wherever in its service
it is raised. The tests that prove it are the test files that name it: its code, its problem
type or its class.
``jiangong problems`` prints both beside the catalogue (``docs/problems.md``).
"""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from shared.errors import DomainError

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"


@dataclass
class Rule:
    """One rule code: its classes, the functions that decide it, the test files naming it."""

    code: str
    classes: list[type[DomainError]] = field(default_factory=list)
    decided_by: set[str] = field(default_factory=set)
    proved_by: set[str] = field(default_factory=set)

    @property
    def kernel(self) -> bool:
        """One of the kernel's refusals, which every service raises."""
        return all(cls.__module__ == "shared.errors" for cls in self.classes)

    @property
    def family(self) -> bool:
        """Only the base of a service's rules, never raised itself."""
        return all(cls.__subclasses__() for cls in self.classes) and not self.decided_by

    @property
    def edge(self) -> bool:
        return any(cls.edge for cls in self.classes)


def rulebook(rules: Iterator[type[DomainError]], services: list[str]) -> dict[str, Rule]:
    """``{rule code: Rule}`` for ``rules``, their deciders read from ``services``' sources."""
    book: dict[str, Rule] = {}
    for cls in rules:
        book.setdefault(cls.rule, Rule(cls.rule)).classes.append(cls)
    for service in services:
        for where, cls in refusals_raised(service):
            rule = book.get(cls.rule)
            if rule is not None and (rule.edge or "/domain/" in where):
                rule.decided_by.add(where)
    tests = _test_words()
    for rule in book.values():
        rule.proved_by = {path for path, words in tests.items() if _named(rule) & words}
    return book


def refusals_raised(service: str) -> Iterator[tuple[str, type[DomainError]]]:
    """``(path:function, refusal class)`` for each refusal a function of ``service`` raises."""
    package = ROOT / "services" / service
    for path in sorted(package.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for name, function in _functions(ast.parse(path.read_text())):
            for cls in _refusals(function, module):
                yield f"{path.relative_to(ROOT)}:{name}", cls


def _functions(tree: ast.Module) -> Iterator[tuple[str, ast.AST]]:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            yield node.name, node
        elif isinstance(node, ast.ClassDef):
            for member in node.body:
                if isinstance(member, ast.FunctionDef):
                    yield f"{node.name}.{member.name}", member


def _refusals(function: ast.AST, module: ModuleType) -> Iterator[type[DomainError]]:
    """The refusal classes ``function`` raises, builds for its caller to raise, or passes to a
    call (``refused(errors.AboveContestBand)``)."""
    for node in ast.walk(function):
        if isinstance(node, ast.Raise) and node.exc is not None:
            named = [node.exc.func if isinstance(node.exc, ast.Call) else node.exc]
        elif isinstance(node, ast.Return) and isinstance(node.value, ast.Call):
            named = [node.value.func]  # a refusal built for the caller to raise
        elif isinstance(node, ast.Call):
            named = [arg.func if isinstance(arg, ast.Call) else arg for arg in node.args]
        else:
            continue
        for expression in named:
            cls = _resolved(expression, module)
            if isinstance(cls, type) and issubclass(cls, DomainError):
                yield cls


def _resolved(expression: ast.expr, module: ModuleType) -> object:
    """What a name or a dotted name means in ``module`` (``errors.NotFound.of``: ``NotFound``)."""
    if isinstance(expression, ast.Name):
        return vars(module).get(expression.id)
    if isinstance(expression, ast.Attribute):
        owner = _resolved(expression.value, module)
        if isinstance(owner, type) and issubclass(owner, DomainError):
            return owner  # a factory of the class, such as ``NotFound.of``
        if isinstance(owner, ModuleType):
            return getattr(owner, expression.attr, None)
    return None


def _test_words() -> dict[str, set[str]]:
    """Each test file's words (names, codes, problem types), outside the architecture tests."""
    if not TESTS.is_dir():
        return {}
    return {
        str(path.relative_to(ROOT)): set(re.findall(r"[\w-]+", path.read_text()))
        for path in sorted(TESTS.rglob("test_*.py"))
        if "architecture" not in path.parts
    }


def _named(rule: Rule) -> set[str]:
    """The words that name a rule: its code, its problem type's slug, its classes."""
    return {rule.code, rule.code.replace("_", "-"), *(cls.__name__ for cls in rule.classes)}
