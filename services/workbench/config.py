"""The workbench's configuration, read once when its app is built (``Settings.extra``), reached
as ``runtime_of(app).config``.

| setting | default | what |
|---|---|---|
| ``JIANGONG_<SERVICE>_BASE_URL`` | in-process | a service's API (``http://registry:8001``) |
| ``JIANGONG_SITE_URL`` | the same host | where the public pages are (the header's links) |
| ``JIANGONG_WORKBENCH_TOKEN_MINUTES`` | 15 | a session's token's lifetime (1 to 60) |

``<SERVICE>`` is ``REGISTRY``, ``COMPETITIONS``, ``CERTIFICATION`` or ``DASHBOARD``; embedded
(none given) the client calls the platform's own WSGI app.

A setting that cannot be used stops the app from starting, naming it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask

from shared.runtime import runtime_of
from shared.settings import ConfigurationError

SERVICES = ("registry", "competitions", "certification", "dashboard")
EMBEDDED_PREFIXES = {
    "registry": "/registry",
    "competitions": "/competitions",
    "certification": "/certification",
    "dashboard": "",
}


def base_url_variable(service: str) -> str:
    return f"JIANGONG_{service.upper()}_BASE_URL"


@dataclass(frozen=True)
class WorkbenchConfig:
    base_urls: Mapping[str, str]
    """The services given a base URL; the others are called in-process (embedded)."""
    site_url: str = ""
    token_lifetime: timedelta = timedelta(minutes=15)

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> WorkbenchConfig:
        urls = {}
        for service in SERVICES:
            url = settings.get(base_url_variable(service), "").strip().rstrip("/")
            if url and not url.startswith(("http://", "https://")):
                variable = base_url_variable(service)
                raise ConfigurationError(f"{variable} must be an http(s) URL, not {url!r}")
            if url:
                urls[service] = url
        minutes = settings.get("JIANGONG_WORKBENCH_TOKEN_MINUTES", "15").strip()
        if not minutes.isdigit() or not 1 <= int(minutes) <= 60:
            raise ConfigurationError(
                f"JIANGONG_WORKBENCH_TOKEN_MINUTES must be 1 to 60, not {minutes!r}"
            )
        site = settings.get("JIANGONG_SITE_URL", "").strip().rstrip("/")
        return cls(urls, site, timedelta(minutes=int(minutes)))


def config_of(app: Flask) -> WorkbenchConfig:
    config: WorkbenchConfig = runtime_of(app).config
    return config
