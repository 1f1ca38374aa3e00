"""One settings object, read once from ``JIANGONG_*`` environment variables.

The embedded defaults need no configuration at all: SQLite files and a generated secret in the
data dir, the in-process bus. Production mode (``JIANGONG_ENV=production``) refuses to start
without its secrets and says which one is missing; a service started in production (``serve``,
``worker``, ``migrate``: wherever ``create_app`` builds it) also refuses a placeholder or short
secret, SQLite and the in-process bus (:meth:`Settings.refuse_unfit_for_production`).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

MIN_SECRET_LENGTH = 32
PLACEHOLDER_SECRETS = frozenset(
    {"secret", "changeme", "change-me", "change_me", "dev", "development", "test", "jiangong"}
)
"""Secrets that examples and habits put in a file: never a production key, however long."""

SERVICE_PORTS = {
    "dashboard": 8000,
    "registry": 8001,
    "competitions": 8002,
    "certification": 8003,
    "workbench": 8004,
}


class ConfigurationError(RuntimeError):
    """The configuration cannot run the platform; the message says what to set."""


@dataclass(frozen=True)
class Settings:
    env: str = "embedded"
    data_dir: Path = Path("var")
    secret: str = field(default="", repr=False)
    pii_key: str = field(default="", repr=False)
    database_url: str | None = None
    kafka_bootstrap_servers: str | None = None
    jwks_url: str | None = None
    log_level: str = "INFO"
    log_format: str = "auto"
    """``json`` (one object a line), ``text``, or ``auto``: JSON unless stderr is a terminal."""
    max_upload_bytes: int = 32 * 1024 * 1024
    max_json_bytes: int = 1024 * 1024
    """A JSON body's size, at most (a spreadsheet may have ``max_upload_bytes``)."""
    trusted_proxies: int = 0
    """Proxies in front whose ``X-Forwarded-*`` headers are believed (0: none are read)."""
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def bus_kind(self) -> str:
        return "kafka" if self.kafka_bootstrap_servers else "inprocess"

    def database_url_for(self, service: str) -> str:
        """``JIANGONG_<SERVICE>_DATABASE_URL``, else ``DATABASE_URL``, else SQLite in data_dir."""
        own = self.extra.get(f"JIANGONG_{service.upper()}_DATABASE_URL")
        if own:
            return own
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / f'{service}.db').resolve()}"

    @property
    def production(self) -> bool:
        return self.env == "production"

    def refuse_unfit_for_production(self, service: str, database_url: str | None = None) -> None:
        """In production, refuse what only embedded mode may use, saying what to set instead:
        a placeholder, generated or short ``JIANGONG_SECRET``, a SQLite (or missing) database
        for ``service``, the in-process bus. Nothing is checked outside production."""
        if not self.production:
            return
        secret = self.secret.strip()
        if secret.lower() in PLACEHOLDER_SECRETS or secret == self._generated_secret():
            raise ConfigurationError(
                "JIANGONG_SECRET is a default or generated value: production mode needs a secret "
                f"of its own (at least {MIN_SECRET_LENGTH} random characters, e.g. "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`)."
            )
        if len(secret) < MIN_SECRET_LENGTH:
            raise ConfigurationError(
                f"JIANGONG_SECRET has {len(secret)} characters: production mode needs at least "
                f"{MIN_SECRET_LENGTH} (e.g. `python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'`)."
            )
        own = f"JIANGONG_{service.upper()}_DATABASE_URL"
        url = database_url or self.extra.get(own) or self.database_url
        if not url or url.startswith("sqlite"):
            what = "is not set" if not url else "is SQLite"
            raise ConfigurationError(
                f"{service}'s database {what}: production mode needs PostgreSQL. Set {own} or "
                "DATABASE_URL (e.g. postgresql+psycopg://user:password@host/" + service + ")."
            )
        if self.bus_kind != "kafka":
            raise ConfigurationError(
                "KAFKA_BOOTSTRAP_SERVERS is not set: production mode needs Kafka, not the "
                "in-process bus. Set it to the brokers (e.g. kafka:9092)."
            )

    def _generated_secret(self) -> str | None:
        """The secret an embedded run generated into this data dir, if there is one."""
        try:
            return (self.data_dir / "secret").read_text().strip() or None
        except OSError:
            return None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        mode = env.get("JIANGONG_ENV", "embedded")
        data_dir = Path(env.get("JIANGONG_DATA_DIR", "var"))
        secret = env.get("JIANGONG_SECRET") or _embedded_secret(mode, data_dir, "JIANGONG_SECRET")
        pii_key = env.get("JIANGONG_PII_KEY") or _embedded_pii_key(mode, secret)
        return cls(
            env=mode,
            data_dir=data_dir,
            secret=secret,
            pii_key=pii_key,
            database_url=env.get("DATABASE_URL") or None,
            kafka_bootstrap_servers=env.get("KAFKA_BOOTSTRAP_SERVERS") or None,
            jwks_url=env.get("JIANGONG_JWKS_URL") or None,
            log_level=env.get("JIANGONG_LOG_LEVEL", "INFO"),
            log_format=_log_format(env.get("JIANGONG_LOG_FORMAT", "auto")),
            max_upload_bytes=int(env.get("JIANGONG_MAX_UPLOAD_BYTES", 32 * 1024 * 1024)),
            max_json_bytes=int(env.get("JIANGONG_MAX_JSON_BYTES", 1024 * 1024)),
            trusted_proxies=_proxy_count(env.get("JIANGONG_TRUSTED_PROXIES", "0")),
            extra={k: v for k, v in env.items() if k.startswith("JIANGONG_")},
        )


def _proxy_count(value: str) -> int:
    count = int(value) if value.strip().isdigit() else -1
    if not 0 <= count <= 10:
        raise ConfigurationError(
            f"JIANGONG_TRUSTED_PROXIES is {value!r}: give how many proxies stand in front of "
            "the server (0 to 10; 1 for one reverse proxy)."
        )
    return count


def _log_format(value: str) -> str:
    value = value.strip().lower() or "auto"
    if value not in ("auto", "json", "text"):
        raise ConfigurationError(f"JIANGONG_LOG_FORMAT is {value!r}: use auto, json or text.")
    return value


def _embedded_secret(mode: str, data_dir: Path, name: str) -> str:
    """Embedded: generate the secret once into the data dir, so every command agrees on it."""
    if mode == "production":
        raise ConfigurationError(f"{name} is not set: production mode needs it to sign tokens.")
    path = data_dir / "secret"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        candidate = secrets.token_urlsafe(48)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process won the race: use its secret
            return path.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(candidate)
        return candidate
    return path.read_text().strip()


def _embedded_pii_key(mode: str, secret: str) -> str:
    if mode == "production":
        raise ConfigurationError(
            "JIANGONG_PII_KEY is not set: production mode needs it to encrypt ID numbers."
        )
    return "pii:" + secret  # the cipher derives its own subkeys from this with HKDF


def whole_number_setting(settings: Mapping[str, str], name: str, default: int) -> int:
    """The whole number above 0 that ``name`` sets, ``default`` where it is unset; anything
    else stops the service that reads it, naming the variable."""
    raw = settings.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or int(raw) == 0:
        raise ConfigurationError(f"{name} is {raw!r}: give a whole number above 0.")
    return int(raw)
