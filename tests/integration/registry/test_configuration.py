"""The registry reads its settings once, at start: one it cannot use stops it, naming it,
instead of failing an import or the job that closes stalled ones later."""

from __future__ import annotations

import pytest

from services.registry.config import RegistryConfig
from services.registry.service import SERVICE
from shared.runtime import runtime_of
from shared.settings import ConfigurationError
from tests.support.worlds import service_app


@pytest.mark.parametrize(
    "setting",
    [
        "JIANGONG_IMPORT_BACKGROUND_ROWS",
        "JIANGONG_IMPORT_CHUNK_ROWS",
        "JIANGONG_IMPORT_STALLED_SECONDS",
    ],
)
@pytest.mark.parametrize("value", ["many", "0", "-5", "2.5"])
def test_a_setting_it_cannot_use_stops_it_naming_the_setting(
    tmp_path, setting: str, value: str
) -> None:
    with pytest.raises(ConfigurationError, match=setting):
        service_app(SERVICE, tmp_path, **{setting: value})


def test_the_import_settings_are_read_once_into_the_services_configuration(tmp_path) -> None:
    app = service_app(SERVICE, tmp_path, JIANGONG_IMPORT_STALLED_SECONDS="90")
    assert runtime_of(app).config == RegistryConfig(import_stalled_seconds=90)
