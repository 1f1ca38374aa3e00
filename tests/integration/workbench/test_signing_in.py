"""Signing in and out of the workbench through its pages, with a clock the test moves."""

from __future__ import annotations

from services.workbench.commands import DisableAccount
from shared.runtime import run
from tests.support.workbench import PASSWORD, Bench


def test_signing_in_leads_to_the_workbench_with_the_persons_name(bench: Bench) -> None:
    login, _enterprise = bench.clerk()
    person = bench.person()
    answer = person.sign_in(login)
    assert answer.status_code == 302 and answer.headers["Location"] == "/workbench/"
    page = person.get("/workbench/").get_data(as_text=True)
    assert "王经办" in page and "退出登录" in page and "单位信息" in page


def test_a_wrong_password_says_the_login_or_the_password_is_wrong(bench: Bench) -> None:
    login, _ = bench.clerk()
    wrong = bench.person().sign_in(login, "not-the-password").get_data(as_text=True)
    unknown = bench.person().sign_in("13000000000").get_data(as_text=True)
    assert "账号或密码不正确" in wrong and "账号或密码不正确" in unknown


def test_five_wrong_passwords_lock_the_account_saying_until_when(bench: Bench) -> None:
    login, _ = bench.clerk()
    person = bench.person()
    for _ in range(4):
        assert person.sign_in(login, "not-the-password").status_code == 401
    locked = person.sign_in(login, "not-the-password")
    assert locked.status_code == 429 and "账号已锁定至" in locked.get_data(as_text=True)
    assert person.sign_in(login).status_code == 429  # the right password, still locked
    bench.clock.move(minutes=15)
    assert person.sign_in(login).status_code == 302


def test_the_session_cookie_is_http_only_same_site_lax_and_secure_behind_tls(bench: Bench) -> None:
    login, _ = bench.clerk()
    plain = bench.person().sign_in(login).headers["Set-Cookie"]
    assert "HttpOnly" in plain and "SameSite=Lax" in plain and "Path=/workbench" in plain
    assert "Secure" not in plain
    tls = bench.person(tls=True).sign_in(login).headers["Set-Cookie"]
    assert "Secure" in tls


def test_each_sign_in_gives_a_new_session_id_never_one_the_browser_brought(
    bench: Bench,
) -> None:
    login, _ = bench.clerk()
    person = bench.person()
    person.client.set_cookie("jiangong_workbench", "planted-by-someone", path="/workbench")
    person.sign_in(login)
    first = person.cookie()
    person.sign_in(login)
    second = person.cookie()
    assert first and second and len({first, second, "planted-by-someone"}) == 3
    earlier = bench.person()
    earlier.client.set_cookie("jiangong_workbench", first, path="/workbench")
    assert earlier.get("/workbench/").status_code == 200  # both sessions live, each its own


def test_a_signed_out_session_is_refused_by_the_server(bench: Bench) -> None:
    login, _ = bench.clerk()
    person = bench.person()
    person.sign_in(login)
    stolen = person.cookie()
    answer = person.post("/workbench/logout", {"csrf_token": person.csrf("/workbench/")})
    assert answer.status_code == 302 and person.cookie() is None
    thief = bench.person()
    thief.client.set_cookie("jiangong_workbench", stolen or "", path="/workbench")
    assert thief.get("/workbench/").headers["Location"].startswith("/workbench/login")
    assert [e.kind for e in bench.log()][-1] == "sign_out"


def test_a_session_idle_for_thirty_minutes_ends(bench: Bench) -> None:
    login, _ = bench.clerk()
    person = bench.person()
    person.sign_in(login)
    bench.clock.move(minutes=29)
    assert person.get("/workbench/").status_code == 200
    bench.clock.move(minutes=29)
    assert person.get("/workbench/").status_code == 200  # each request keeps it alive
    bench.clock.move(minutes=30)
    assert person.get("/workbench/").status_code == 302
    assert bench.log()[-1].detail == "idle"


def test_a_session_ends_twelve_hours_after_sign_in_however_busy(bench: Bench) -> None:
    login, _ = bench.clerk()
    person = bench.person()
    person.sign_in(login)
    for _ in range(25):  # 29 minutes apart: never idle, past 12 hours in all
        bench.clock.move(minutes=29)
        person.get("/workbench/")
    assert person.get("/workbench/").status_code == 302
    assert bench.log()[-1].detail == "expired"


def test_a_disabled_accounts_live_session_ends_at_its_next_request(bench: Bench) -> None:
    login, _ = bench.clerk()
    person = bench.person()
    person.sign_in(login)
    run(bench.workbench, DisableAccount(login))
    assert person.get("/workbench/").status_code == 302


def test_a_post_without_its_csrf_token_is_refused_and_signs_no_one_in(bench: Bench) -> None:
    login, _ = bench.clerk()
    person = bench.person()
    person.csrf()
    answer = person.post("/workbench/login", {"login": login, "password": PASSWORD})
    assert answer.status_code == 400 and "表单已失效" in answer.get_data(as_text=True)
    assert person.cookie() is None and bench.log()[-1].kind == "account_created"


def test_a_one_time_password_must_be_changed_before_anything_else(bench: Bench) -> None:
    enterprise = bench.enterprise()
    login = bench.account("enterprise", enterprise["id"], password=None)
    from services.workbench.commands import ResetPassword

    _account, one_time = run(bench.workbench, ResetPassword(login))
    person = bench.person()
    person.sign_in(login, one_time)
    assert person.get("/workbench/").headers["Location"] == "/workbench/account"
    token = person.csrf("/workbench/account")
    refused = person.post(
        "/workbench/account/password",
        {"current_password": one_time, "new_password": "1234567890", "csrf_token": token},
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "该密码属于最常见的密码" in page
    assert 'aria-describedby="new_password-hint new_password-error"' in page
    changed = person.post(
        "/workbench/account/password",
        {"current_password": one_time, "new_password": "my-own-passphrase", "csrf_token": token},
    )
    assert changed.status_code == 302
    assert person.get("/workbench/").status_code == 200


def test_the_pages_speak_english_when_the_browser_asks_or_the_person_picks_it(
    bench: Bench,
) -> None:
    person = bench.person()
    assert "账号" in person.get("/workbench/login").get_data(as_text=True)
    english = person.get("/workbench/login", **{"Accept-Language": "en-GB,en;q=0.9"})
    assert "Login" in english.get_data(as_text=True) and "账号" not in english.get_data(
        as_text=True
    )
    token = person.csrf()
    person.post(
        "/workbench/language", {"language": "en", "next": "/workbench/login", "csrf_token": token}
    )
    assert "Password" in person.get("/workbench/login").get_data(as_text=True)


def test_after_signing_in_it_goes_only_to_a_page_of_this_site(bench: Bench) -> None:
    login, enterprise = bench.clerk()
    own = f"/workbench/enterprises/{enterprise['id']}"
    for wanted, lands in (
        (own, own),
        ("//elsewhere.example/steal", "/workbench/"),
        ("https://elsewhere.example/", "/workbench/"),
        ("/\\elsewhere.example", "/workbench/"),
    ):
        person = bench.person()
        token = person.csrf()
        answer = person.post(
            "/workbench/login",
            {"login": login, "password": PASSWORD, "next": wanted, "csrf_token": token},
        )
        assert answer.headers["Location"] == lands, wanted
