"""Certification's configuration, read once when its app is built, from ``JIANGONG_*`` settings.

| setting | default | what |
|---|---|---|
| ``JIANGONG_CERTIFICATE_PREFIX`` | ``S`` | ``S`` a training organisation, ``Y`` an employer |
| ``JIANGONG_CERTIFICATE_BODY`` | ``0573`` | the assessing body's code, 4 digits |
| ``JIANGONG_CERTIFICATE_SITE`` | ``330400`` | the assessment site, 6 digits |

Every certificate number starts with them (:mod:`.domain.certificates`). A setting that cannot
be used stops the app from starting, naming it, instead of failing the first promotion.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from services.certification.domain.certificates import Issuer
from shared.settings import ConfigurationError

ISSUER_SETTINGS = {
    "prefix": "JIANGONG_CERTIFICATE_PREFIX",
    "body": "JIANGONG_CERTIFICATE_BODY",
    "site": "JIANGONG_CERTIFICATE_SITE",
}


@dataclass(frozen=True)
class CertificationConfig:
    issuer: Issuer = Issuer()

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> CertificationConfig:
        parts = {
            part.name: settings.get(ISSUER_SETTINGS[part.name], part.default)
            for part in fields(Issuer)
        }
        try:
            return cls(Issuer(**parts))
        except ValueError as error:  # "body is 4 digits": the part comes first
            part = str(error).split()[0]
            raise ConfigurationError(
                f"{ISSUER_SETTINGS[part]} is {parts[part]!r}: the {error}."
            ) from None
