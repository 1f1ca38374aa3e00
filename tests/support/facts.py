"""An enterprise and a worker as the registry's events describe them, for the suites that feed
other services the registry's events: each accepted as it is by the registry's own schema."""

from __future__ import annotations

from typing import Any


def enterprise_facts(enterprise_id: str, **changes: Any) -> dict[str, Any]:
    """The data of ``enterprise.registered.v1`` (and ``.updated``): a unionised, above-size,
    non-public enterprise in 南湖区."""
    return {
        "id": enterprise_id,
        "uscc": "91330400MA2B1234X5",
        "name": "嘉兴示范机械有限公司",
        "region_code": "330402",
        "county_code": "330402",
        "has_union": True,
        "union_founded_on": "2018-05-01",
        "above_designated_size": True,
        "ownership": "non_public",
        "employee_count": 120,
        "active": True,
        "deregistered_on": None,
        **changes,
    }


def worker_facts(worker_id: str, enterprise_id: str, **changes: Any) -> dict[str, Any]:
    """The data of ``worker.registered.v1`` (and ``.updated``, ``.transferred``, ``.left``): a
    lathe operator born in 1990, hired in 2015, a union member, not a migrant, in 南湖区."""
    return {
        "id": worker_id,
        "enterprise_id": enterprise_id,
        "name": "张小强",
        "id_number_masked": "330402********123X",
        "region_code": "330402",
        "gender": "male",
        "birth_date": "1990-05-12",
        "occupation_code": "6-18-01-01",
        "is_migrant": False,
        "is_union_member": True,
        "union_joined_on": "2019-03-01",
        "hired_on": "2015-03-01",
        "active": True,
        "left_on": None,
        **changes,
    }
