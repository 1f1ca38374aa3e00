"""Whether the scope an account is for exists, asked of the service that owns it through the
client port: an enterprise of the registry, an assessor of certification. A judge's id is the
one an admin assigns to competitions; no service keeps a list of judges to ask."""

from __future__ import annotations

from services.workbench.client import ApiClient, Caller

OPERATOR = Caller(key="operator", subject="jiangong-operator", role="admin", scope_id=None)
OWNERS = {
    "enterprise": ("registry", "/enterprises/{}"),
    "assessor": ("certification", "/assessors/{}"),
}


def scope_exists(client: ApiClient, role: str, scope_id: str | None) -> bool:
    """True where the owner answers the scope's record, or no service owns such scopes."""
    if role not in OWNERS or not scope_id:
        return True
    service, path = OWNERS[role]
    return client.call(OPERATOR, service, "GET", path.format(scope_id)).status_code == 200


def first_of(client: ApiClient, service: str, path: str) -> str | None:
    """The id of the first record a list answers (the demo's clerk and assessor)."""
    answer = client.call(OPERATOR, service, "GET", path, params={"per_page": 1})
    items = answer.json().get("items", []) if answer.status_code == 200 else []
    return str(items[0]["id"]) if items else None
