"""Certification reads its settings once, at start: one it cannot use stops it, naming it."""

from __future__ import annotations

import pytest

from jiangong.cli import main
from services.certification.domain.certificates import Issuer
from services.certification.service import SERVICE
from shared.runtime import runtime_of
from shared.settings import ConfigurationError
from tests.support.worlds import service_app


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("JIANGONG_CERTIFICATE_PREFIX", "X"),
        ("JIANGONG_CERTIFICATE_BODY", "573"),
        ("JIANGONG_CERTIFICATE_BODY", "05a3"),
        ("JIANGONG_CERTIFICATE_SITE", "3304000"),
    ],
)
def test_an_issuer_it_cannot_number_certificates_with_stops_it_naming_the_setting(
    tmp_path, setting: str, value: str
) -> None:
    with pytest.raises(ConfigurationError, match=setting):
        service_app(SERVICE, tmp_path, **{setting: value})


def test_the_issuer_is_read_once_into_the_services_configuration(tmp_path) -> None:
    app = service_app(
        SERVICE, tmp_path, JIANGONG_CERTIFICATE_PREFIX="Y", JIANGONG_CERTIFICATE_SITE="330402"
    )
    assert runtime_of(app).config.issuer == Issuer("Y", "0573", "330402")


def test_jiangong_refuses_to_start_it_and_says_which_setting(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("JIANGONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("JIANGONG_CERTIFICATE_SITE", "Jiaxing")

    assert main(["migrate", "certification"]) == 2

    refusal = capsys.readouterr().err
    assert "JIANGONG_CERTIFICATE_SITE is 'Jiaxing'" in refusal
    assert "Traceback" not in refusal
