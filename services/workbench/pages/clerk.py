"""The enterprise clerk's desk (role ``enterprise``): 单位信息, the enterprise as the registry
holds it, with names rather than codes. Any enterprise id but the clerk's own is a 404, asked
of no service."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template

from services.workbench.pages.shell import call, desk, locale, person
from services.workbench.refusals import Refusal
from shared.regions import COUNTIES, COUNTY_NAMES_EN, JIAXING, JIAXING_NAME, county_of

bp = Blueprint("clerk", __name__, url_prefix="/enterprises")


def own_enterprise(enterprise_id: str) -> None:
    someone = person()
    if someone is None or someone.account.scope_id != enterprise_id:
        abort(404)


@bp.get("/<enterprise_id>")
@desk("enterprise")
def enterprise(enterprise_id: str) -> Any:
    own_enterprise(enterprise_id)
    answer = call("registry", "GET", f"/enterprises/{enterprise_id}")
    if answer.status_code == 404:
        abort(404)
    if answer.status_code != 200:
        refusal = Refusal.of_answer(answer)
        return render_template("workbench/refused.html", message=refusal.detail), refusal.status
    record = answer.json()
    region = region_name(record["region_code"])
    return render_template("workbench/enterprise.html", enterprise=record, region=region)


def region_name(code: str) -> str:
    """秀洲区 (Xiuzhou in English), and a town's own name after its county's."""
    if code == JIAXING:
        return JIAXING_NAME if locale() == "zh" else "Jiaxing"
    county = county_of(code)
    if county not in COUNTIES:
        return code
    county_name = (COUNTY_NAMES_EN if locale() == "en" else COUNTIES)[county]
    if code == county:
        return county_name
    answer = call("registry", "GET", "/regions", params={"parent_code": county, "per_page": 100})
    names = {r["code"]: r["name"] for r in answer.json().get("items", [])}
    return " ".join(part for part in (county_name, names.get(code, "")) if part)
