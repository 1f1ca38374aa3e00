"""Every refusal a service can answer is documented, once, under its stable problem type."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from jiangong.platform import SERVICE_MODULES
from shared.errors import all_rules

CATALOGUE = Path(__file__).resolve().parents[3] / "docs" / "problems.md"


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
