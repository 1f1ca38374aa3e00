"""A new version of a rules table (``promotion`` or ``contest``), by an admin.

The body is checked by the domain (:class:`PromotionRules`, :meth:`ContestRules.from_dict`):
every bad field is named at once (422). A good one is stored as the next version of its kind
and rules from then on; earlier versions stay, so a decision's ``rules_version`` still says
which table made it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.certification.adapters.repository import Repository
from services.certification.adapters.rules_store import body_in_force, next_version
from services.certification.commands import ReplaceRulesTable
from services.certification.domain.tables import check_kind
from shared.handling import Context


@dataclass(frozen=True)
class RulesVersion:
    """A rules table as the API shows it; ``built_in``: no table stored, the defaults rule.

    The version is the one decisions record: the stored one, else the defaults' own (``0``
    for the promotion defaults, which carry none; the contest defaults are version 1)."""

    kind: str
    version: int
    body: dict[str, Any]
    built_in: bool = False


def replace_rules_table(
    ctx: Context, command: ReplaceRulesTable, repository: Repository
) -> RulesVersion:
    check_kind(command.kind)
    stored = repository.rules_table(command.kind)
    repository.add(next_version(command.kind, stored, command.body, command.by, ctx.now))
    return current_rules(repository, command.kind)


def current_rules(repository: Repository, kind: str) -> RulesVersion:
    """The table of ``kind`` in force (its version is not repeated inside its body)."""
    check_kind(kind)
    stored = repository.rules_table(kind)
    version, body = body_in_force(kind, stored)
    body = {key: value for key, value in body.items() if key != "version"}
    return RulesVersion(kind, version or 0, body, built_in=stored is None)
