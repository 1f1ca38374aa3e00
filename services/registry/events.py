"""The events the registry produces, with the schema each one's ``data`` is validated with.

Workers are named by id, name and masked ID number: the full ID number never leaves the
registry. A worker's ``region_code`` is the county of the enterprise that employs them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import Schema, fields, validate

from services.registry.adapters.orm import Enterprise, Worker
from shared.regions import county_of

ENTERPRISE_REGISTERED = "jiangong.enterprise.registered.v1"
ENTERPRISE_UPDATED = "jiangong.enterprise.updated.v1"
ENTERPRISE_DEREGISTERED = "jiangong.enterprise.deregistered.v1"
WORKER_REGISTERED = "jiangong.worker.registered.v1"
WORKER_UPDATED = "jiangong.worker.updated.v1"
WORKER_TRANSFERRED = "jiangong.worker.transferred.v1"
WORKER_LEFT = "jiangong.worker.left.v1"

MASKED_ID_NUMBER = r"^\d{6}\*{8}\d{3}[\dX]$"


class EnterpriseData(Schema):
    id = fields.String(required=True)
    uscc = fields.String(required=True, validate=validate.Length(equal=18))
    name = fields.String(required=True)
    region_code = fields.String(required=True)
    county_code = fields.String(required=True)
    has_union = fields.Boolean(required=True)
    union_founded_on = fields.Date(allow_none=True)
    above_designated_size = fields.Boolean(required=True)
    ownership = fields.String(required=True, validate=validate.OneOf(["public", "non_public"]))
    employee_count = fields.Integer(required=True)
    active = fields.Boolean(required=True)
    deregistered_on = fields.Date(allow_none=True)


class WorkerData(Schema):
    id = fields.String(required=True)
    enterprise_id = fields.String(required=True)
    name = fields.String(required=True)
    id_number_masked = fields.String(
        required=True, validate=validate.Regexp(MASKED_ID_NUMBER, error="must be masked")
    )
    region_code = fields.String(required=True)
    gender = fields.String(required=True)
    birth_date = fields.Date(required=True)
    occupation_code = fields.String(required=True)
    is_migrant = fields.Boolean(required=True)
    is_union_member = fields.Boolean(required=True)
    union_joined_on = fields.Date(allow_none=True)
    hired_on = fields.Date(required=True)
    active = fields.Boolean(required=True)
    left_on = fields.Date(allow_none=True)


class WorkerTransferredData(WorkerData):
    from_enterprise_id = fields.String(required=True)


class WorkerLeftData(WorkerData):
    left_on = fields.Date(required=True)


PRODUCES: dict[str, type[Schema]] = {
    ENTERPRISE_REGISTERED: EnterpriseData,
    ENTERPRISE_UPDATED: EnterpriseData,
    ENTERPRISE_DEREGISTERED: EnterpriseData,
    WORKER_REGISTERED: WorkerData,
    WORKER_UPDATED: WorkerData,
    WORKER_TRANSFERRED: WorkerTransferredData,
    WORKER_LEFT: WorkerLeftData,
}


def enterprise_data(enterprise: Enterprise | Mapping[str, Any]) -> dict[str, Any]:
    """The event data of an enterprise (a model, or a row's values as an import writes them)."""
    get = _reader(enterprise)
    return {
        "id": get("id"),
        "uscc": get("uscc"),
        "name": get("name"),
        "region_code": get("region_code"),
        "county_code": county_of(get("region_code")),
        "has_union": get("has_union"),
        "union_founded_on": _iso(get("union_founded_on")),
        "above_designated_size": get("above_designated_size"),
        "ownership": get("ownership"),
        "employee_count": get("employee_count"),
        "active": get("active"),
        "deregistered_on": _iso(get("deregistered_on")),
    }


def worker_data(worker: Worker | dict[str, Any], region_code: str) -> dict[str, Any]:
    """The event data of a worker (a model or a row's values) in an enterprise of that region."""
    get = _reader(worker)
    return {
        "id": get("id"),
        "enterprise_id": get("enterprise_id"),
        "name": get("name"),
        "id_number_masked": get("id_number_masked"),
        "region_code": county_of(region_code),
        "gender": get("gender"),
        "birth_date": _iso(get("birth_date")),
        "occupation_code": get("occupation_code"),
        "is_migrant": get("is_migrant"),
        "is_union_member": get("is_union_member"),
        "union_joined_on": _iso(get("union_joined_on")),
        "hired_on": _iso(get("hired_on")),
        "active": get("active"),
        "left_on": _iso(get("left_on")),
    }


def _reader(record: object) -> Callable[[str], Any]:
    """A record's values by name, whether it is a model or a row's values (a missing one,
    such as a new enterprise's ``deregistered_on``, is None)."""
    if isinstance(record, Mapping):
        return record.get
    return lambda name: getattr(record, name)


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()
