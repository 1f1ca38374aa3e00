"""One way from a request body to a command: a view hands the body its load schema checked to
``shared.handling.command_from`` (or the schema loads it into the domain value the command
carries); no view copies a command's fields out of its body by hand."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
API_MODULES = sorted((ROOT / "services").glob("*/api/*.py"))


def _commands_of(service: str) -> set[str]:
    try:
        module = importlib.import_module(f"services.{service}.commands")
    except ModuleNotFoundError:  # a service with no commands (the dashboard)
        return set()
    return {
        name
        for name, value in vars(module).items()
        if isinstance(value, type) and value.__module__ == module.__name__
    }


def _views_with_a_body(tree: ast.Module) -> Iterator[tuple[ast.FunctionDef, str]]:
    """Each view that loads a body (``@blp.arguments`` outside the query), and its name."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and any(map(_loads_a_body, node.decorator_list)):
            parameters = [arg.arg for arg in node.args.args if arg.arg != "self"]
            yield node, parameters[0]


def _loads_a_body(decorator: ast.expr) -> bool:
    if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)):
        return False
    location = next((k.value for k in decorator.keywords if k.arg == "location"), None)
    body_location = location is None or (
        isinstance(location, ast.Constant) and location.value in ("json", "form", "files")
    )
    return decorator.func.attr == "arguments" and body_location


def _copies_from(argument: ast.AST, body: str) -> bool:
    """``body["x"]`` or ``body.get("x")`` anywhere in a command's argument."""
    for node in ast.walk(argument):
        if isinstance(node, ast.Subscript) and _is(node.value, body):
            return True
        if isinstance(node, ast.Attribute) and node.attr == "get" and _is(node.value, body):
            return True
    return False


def _is(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _called(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


def _hand_copies(path: Path) -> Iterator[str]:
    commands = _commands_of(path.parts[-3])
    for view, body in _views_with_a_body(ast.parse(path.read_text())):
        for call in ast.walk(view):
            if not (isinstance(call, ast.Call) and _called(call) in commands):
                continue
            arguments = [*call.args, *(keyword.value for keyword in call.keywords)]
            spread = any(k.arg is None and _is(k.value, body) for k in call.keywords)
            if spread or any(_copies_from(argument, body) for argument in arguments):
                yield f"{path.relative_to(ROOT)}:{view.name}"


def test_no_view_copies_a_commands_fields_out_of_its_body_by_hand() -> None:
    copied = [where for path in API_MODULES for where in _hand_copies(path)]
    assert copied == [], "build the command with command_from(body, Command, **known)"


def test_the_rule_sees_a_field_copied_by_hand() -> None:
    view = ast.parse(
        "@blp.arguments(LeaveIn)\n"
        "def leave(body, worker_id):\n"
        "    return execute(RecordWorkerLeft(worker_id, body.get('left_on')))\n"
    ).body[0]
    assert isinstance(view, ast.FunctionDef)
    [call] = [node for node in ast.walk(view) if _called_of(node) == "RecordWorkerLeft"]
    assert any(_copies_from(argument, "body") for argument in call.args)


def _called_of(node: ast.AST) -> str | None:
    return _called(node) if isinstance(node, ast.Call) else None
