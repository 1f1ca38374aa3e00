"""A spreadsheet of enterprises registered at once, in the workers' import's two steps.

``check_enterprise_rows`` checks every row before any transaction that writes (the rules of
``POST /enterprises``, the credit code's check character, the region by code or name, a credit
code twice in the file). ``import_enterprises`` then writes the good rows of a batch with one
INSERT and one executemany of events; a row giving an enterprise the registry holds already
exactly so is ``unchanged``, one giving a known credit code other details is rejected.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from services.registry.adapters.orm import new_id
from services.registry.adapters.repository import Repository
from services.registry.commands import ImportEnterprises
from services.registry.domain.enterprise_rows import (
    KnownRegion,
    Regions,
    differences,
    parse_new_enterprise,
)
from services.registry.domain.workers import CheckedRow
from services.registry.events import ENTERPRISE_REGISTERED, enterprise_data
from services.registry.handlers.imports import ImportResult
from shared.handling import Context


def import_enterprises(
    ctx: Context, command: ImportEnterprises, repository: Repository
) -> ImportResult:
    result = ImportResult(rows=len(command.rows), atomic=command.atomic)
    known = repository.known_enterprises([checked.lookup for checked in command.rows])
    new = []
    for checked in command.rows:
        registered = known.get(checked.lookup)
        if checked.values is None:
            result.reject(checked.row, checked.errors or {})
        elif registered is None:
            new.append({**checked.values, "id": new_id(), "active": True, "registered_at": ctx.now})
        elif reason := _known_elsewise(registered, checked.values):
            result.reject(checked.row, {"uscc": [reason]})
        else:
            result.unchanged += 1
    if command.atomic and result.rejected:
        return result
    repository.register_many(new)
    registered_now = [(values["id"], enterprise_data(values)) for values in new]
    ctx.outbox.add_many(ctx.session, ENTERPRISE_REGISTERED, registered_now)
    result.created = len(new)
    return result


def _known_elsewise(registered: Mapping[str, Any], values: Mapping[str, Any]) -> str | None:
    """Why a row naming a registered enterprise is refused, or None: it is that enterprise."""
    if not registered["active"]:
        deregistered_on = registered["deregistered_on"]
        return f"is the credit code of an enterprise deregistered on {deregistered_on}"
    changed = differences(registered, values)
    if not changed:
        return None
    return (
        f"is already registered ({registered['id']}) with other details ({', '.join(changed)}); "
        "correct that enterprise instead"
    )


def check_enterprise_rows(
    rows: Iterable[tuple[int, Mapping[str, object]]],
    today: date,
    regions: Iterable[tuple[str, str, str]],
) -> list[CheckedRow]:
    """Check each row, in the spreadsheet's order, against the registry's regions (``(code,
    name, level)``); a credit code twice in the file is rejected where it comes again."""
    known = regions_by_code_and_name(regions)
    checked: list[CheckedRow] = []
    first_rows: dict[str, int] = {}
    for row, cells in rows:
        values, errors = parse_new_enterprise(cells, today, known)
        uscc = values.get("uscc", "")
        if not errors and uscc in first_rows:
            errors = {"uscc": [f"the same credit code is already in row {first_rows[uscc]}"]}
        if errors:
            checked.append(CheckedRow(row, errors=errors))
            continue
        first_rows[uscc] = row
        checked.append(CheckedRow(row, uscc, values))
    return checked


def regions_by_code_and_name(regions: Iterable[tuple[str, str, str]]) -> Regions:
    found: dict[str, list[KnownRegion]] = {}
    for code, name, level in regions:
        region = KnownRegion(code, level)
        found.setdefault(code, []).append(region)
        if name != code:
            found.setdefault(name, []).append(region)
    return found
