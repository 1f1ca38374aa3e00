"""Certificate verification (public, JSON or a page) and revocation (admins)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from werkzeug.test import Client

from jiangong.serving import trusting_proxies
from services.certification.events import CERTIFICATE_REVOKED

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def certificate(world, name: str = "张小强") -> str:
    answer = world.assess(world.assessor(), world.worker(name=name))
    assert answer.status_code == 201, answer.json
    return str(answer.json["certificate_number"])


def verify(world, number: str, **query: Any) -> Any:
    return world.client.get(f"/api/v1/certificates/{number}", query_string=query)


def revoke(world, number: str, reason: str = "以不正当手段取得", **headers: Any) -> Any:
    return world.client.post(
        f"/api/v1/certificates/{number}/revoke",
        json={"reason": reason},
        headers=headers or world.auth(),
    )


def test_anyone_verifies_a_certificate_by_number_and_sees_a_masked_name(any_world) -> None:
    number = certificate(any_world)
    answer = verify(any_world, number)
    assert answer.status_code == 200, answer.json
    assert answer.json == {
        "number": number,
        "name": "张*强",
        "occupation_code": "6-18-01-01",
        "level": 5,
        "level_name": "五级/初级工",
        "issued_on": "2025-05-20",
        "status": "valid",
        "revoked_reason": None,
        "revoked_on": None,
    }
    assert "张小强" not in answer.get_data(as_text=True)
    assert answer.headers["Vary"] == "Accept"


def test_a_number_typed_with_spaces_and_in_lower_case_is_found(world) -> None:
    number = certificate(world)
    typed = f"{number[0].lower()} {number[1:5]} {number[5:]}"
    answer = verify(world, typed)
    assert answer.status_code == 200 and answer.json["number"] == number


def test_a_name_is_checked_without_being_revealed(world) -> None:
    number = certificate(world)
    right = verify(world, number, name="张 小强")
    assert right.json["name_matches"] is True and right.json["name"] == "张*强"
    wrong = verify(world, number, name="张大强")
    assert wrong.json["name_matches"] is False
    assert "name_matches" not in verify(world, number).json


def test_names_checked_against_one_certificate_are_limited_per_client(world) -> None:
    number, other = certificate(world), certificate(world, name="李四")
    for guess in ("张一强", "张二强", "张三强", "张四强", "张五强"):
        assert verify(world, number, name=guess).json["name_matches"] is False
    refused = world.client.get(
        f"/api/v1/certificates/{number}",
        query_string={"name": "张小强"},
        headers={"Accept-Language": "zh"},
    )
    assert refused.status_code == 429
    assert refused.content_type == "application/problem+json"
    assert refused.json["rule"] == "too_many_name_checks"
    assert refused.json["errors"] == {
        "name": ["从此处对该证书持有人姓名的核对次数过多，请稍后再试。"]
    }
    assert 3500 <= int(refused.headers["Retry-After"]) <= 3600
    # the certificate itself still verifies; another certificate, or another client, may check
    assert verify(world, number).status_code == 200
    assert verify(world, other, name="李四").json["name_matches"] is True
    elsewhere = world.client.get(
        f"/api/v1/certificates/{number}",
        query_string={"name": "张小强"},
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
    )
    assert elsewhere.json["name_matches"] is True


def test_an_unknown_number_is_a_404(any_world) -> None:
    answer = verify(any_world, "S057333330400255999999")
    assert answer.status_code == 404
    assert answer.content_type == "application/problem+json"
    assert answer.json["rule"] == "certificate_not_found"


@pytest.mark.parametrize("number", ["X057333330400255000001", "S0573", "S057344330400255000001"])
def test_a_malformed_number_is_a_422_naming_number(world, number: str) -> None:
    answer = verify(world, number)
    assert answer.status_code == 422
    assert answer.json["rule"] == "invalid_certificate_number"
    assert "number" in answer.json["errors"]


def test_an_admin_revokes_a_certificate_and_verification_says_so_and_why(any_world) -> None:
    number = certificate(any_world)
    answer = revoke(any_world, number, "  以不正当手段取得  ")
    assert answer.status_code == 200, answer.json
    assert answer.json["status"] == "revoked"
    verified = verify(any_world, number).json
    assert verified["status"] == "revoked"
    assert verified["revoked_reason"] == "以不正当手段取得"
    assert verified["revoked_on"] == "2025-06-02"
    [event] = any_world.published(CERTIFICATE_REVOKED)
    assert event["number"] == number and event["status"] == "revoked"
    assert event["revoked_reason"] == "以不正当手段取得" and event["name_masked"] == "张*强"


def test_revoking_twice_is_a_409_and_publishes_once(world) -> None:
    number = certificate(world)
    assert revoke(world, number).status_code == 200
    again = revoke(world, number, "又一次")
    assert again.status_code == 409
    assert again.json["rule"] == "certificate_already_revoked"
    assert len(world.published(CERTIFICATE_REVOKED)) == 1
    assert verify(world, number).json["revoked_reason"] == "以不正当手段取得"


def test_revoking_an_unknown_or_malformed_number(world) -> None:
    assert revoke(world, "S057333330400255999999").status_code == 404
    assert revoke(world, "nonsense").status_code == 422


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "reason"), ({"reason": "  "}, "reason"), ({"reason": "x", "status": "valid"}, "status")],
)
def test_a_revocation_needs_a_reason_and_nothing_else(world, body, field) -> None:
    number = certificate(world)
    answer = world.client.post(
        f"/api/v1/certificates/{number}/revoke", json=body, headers=world.auth()
    )
    assert answer.status_code == 422 and field in answer.json["errors"]


@pytest.mark.parametrize("role", ["enterprise", "assessor", "reader"])
def test_only_admins_revoke(world, role: str) -> None:
    number = certificate(world)
    headers = world.auth(role, None if role == "reader" else "someone")
    answer = world.client.post(
        f"/api/v1/certificates/{number}/revoke", json={"reason": "x"}, headers=headers
    )
    assert answer.status_code == 403
    assert (
        world.client.post(f"/api/v1/certificates/{number}/revoke", json={"reason": "x"}).status_code
        == 401
    )


# -- the page ------------------------------------------------------------------------------------


def page(world, number: str, **query: Any) -> Any:
    return world.client.get(
        f"/api/v1/certificates/{number}", query_string=query, headers={"Accept": BROWSER}
    )


def test_a_browser_gets_a_page_with_the_masked_name_status_and_a_qr_code(world) -> None:
    number = certificate(world)
    answer = page(world, number)
    assert answer.status_code == 200
    assert answer.mimetype == "text/html"
    html = answer.get_data(as_text=True)
    assert "张*强" in html and "张小强" not in html
    assert "有效" in html and "Valid" in html
    assert number in html and "五级/初级工" in html
    assert re.search(r"<svg[^>]*class=\"segno\"", html)
    assert f"http://localhost/api/v1/certificates/{number}" in html
    assert "default-src 'none'" in answer.headers["Content-Security-Policy"]
    assert answer.headers["Vary"] == "Accept"


def test_behind_a_trusted_proxy_the_qr_code_carries_the_public_https_address(world) -> None:
    number = certificate(world)
    forwarded = {
        "Accept": BROWSER,
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "zs.jxzgh.cn",
        "X-Forwarded-For": "203.0.113.9",
    }
    path = f"/api/v1/certificates/{number}"
    proxied = Client(trusting_proxies(world.app, 1)).get(path, headers=forwarded)
    assert f"https://zs.jxzgh.cn{path}" in proxied.get_data(as_text=True)
    # without JIANGONG_TRUSTED_PROXIES the headers are anyone's: they are not read
    direct = world.client.get(path, headers=forwarded).get_data(as_text=True)
    assert f"http://localhost{path}" in direct and "zs.jxzgh.cn" not in direct


def test_the_page_encodes_the_canonical_url_even_for_a_number_typed_loosely(world) -> None:
    number = certificate(world)
    html = page(world, number.lower()).get_data(as_text=True)
    assert f"/api/v1/certificates/{number}<" in html


def test_the_page_of_a_revoked_certificate_says_revoked_and_why(world) -> None:
    number = certificate(world)
    revoke(world, number, "<b>证书信息有误</b>")
    html = page(world, number).get_data(as_text=True)
    assert "已撤销" in html and "Revoked" in html
    assert "&lt;b&gt;证书信息有误&lt;/b&gt;" in html  # the reason is text, never markup
    assert 'class="status valid"' not in html


def test_the_page_says_whether_a_name_matches(world) -> None:
    number = certificate(world)
    assert "与持证人相符" in page(world, number, name="张小强").get_data(as_text=True)
    assert "与持证人不符" in page(world, number, name="李小强").get_data(as_text=True)


def test_a_browser_asking_for_an_unknown_or_malformed_number_gets_a_page_too(world) -> None:
    unknown = page(world, "S057333330400255999999")
    assert unknown.status_code == 404 and unknown.mimetype == "text/html"
    assert "未找到该证书" in unknown.get_data(as_text=True)
    malformed = page(world, "12345")
    assert malformed.status_code == 422 and malformed.mimetype == "text/html"
    assert "格式不正确" in malformed.get_data(as_text=True)


def test_a_client_without_preference_gets_json(world) -> None:
    number = certificate(world)
    answer = world.client.get(f"/api/v1/certificates/{number}", headers={"Accept": "*/*"})
    assert answer.mimetype == "application/json"
