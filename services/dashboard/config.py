"""The dashboard's configuration, read once when its app is built: the goals, the plan's span
and the stream's limits, from ``JIANGONG_*`` settings (``Settings.extra``).

| setting | default | what |
|---|---|---|
| ``JIANGONG_TARGET_<KEY>[_<COUNTY>]`` | the digest's | a target's goal (rates in percent) |
| ``JIANGONG_PLAN_FIRST_YEAR``, ``JIANGONG_PLAN_YEARS`` | 2026, 5 | the plan's span |
| ``JIANGONG_DASHBOARD_STREAM_SECONDS`` | 300 | a stream closes after this; EventSource reconnects |
| ``JIANGONG_DASHBOARD_HEARTBEAT_SECONDS`` | 15 | a comment line this often on a quiet stream |
| ``JIANGONG_DASHBOARD_MIN_GAP_SECONDS`` | 0.25 | messages at most this often (4 a second) |
| ``JIANGONG_DASHBOARD_POLL_SECONDS`` | 0.2 | how often the version is read for other processes |
| ``JIANGONG_DASHBOARD_MAX_STREAMS`` | 64 | open streams per process; more are answered 503 |

A setting that cannot be used stops the app from starting, naming it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from services.dashboard.domain.goals import Goals, InvalidSetting, goals_from, span_from
from services.dashboard.domain.targets import PlanSpan
from shared.runtime import runtime_of
from shared.settings import ConfigurationError
from shared.versions import AnswerCache


@dataclass(frozen=True)
class StreamLimits:
    seconds: float = 300.0
    heartbeat: float = 15.0
    min_gap: float = 0.25
    poll: float = 0.2
    max_streams: int = 64
    retry_ms: int = 2000


STREAM_SETTINGS = {
    "seconds": "JIANGONG_DASHBOARD_STREAM_SECONDS",
    "heartbeat": "JIANGONG_DASHBOARD_HEARTBEAT_SECONDS",
    "min_gap": "JIANGONG_DASHBOARD_MIN_GAP_SECONDS",
    "poll": "JIANGONG_DASHBOARD_POLL_SECONDS",
    "max_streams": "JIANGONG_DASHBOARD_MAX_STREAMS",
}


@dataclass
class DashboardConfig:
    goals: Goals
    span: PlanSpan
    stream: StreamLimits
    answers: AnswerCache = field(default_factory=AnswerCache)
    open_streams: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def from_settings(cls, settings: Mapping[str, str]) -> DashboardConfig:
        try:
            return cls(goals_from(settings), span_from(settings), _limits(settings))
        except InvalidSetting as error:
            raise ConfigurationError(str(error)) from error


def _limits(settings: Mapping[str, str]) -> StreamLimits:
    values: dict[str, Any] = {}
    for name, variable in STREAM_SETTINGS.items():
        raw = settings.get(variable)
        if raw is None:
            continue
        try:
            value = int(raw) if name == "max_streams" else float(raw)
        except ValueError:
            raise InvalidSetting(f"{variable} must be a number, not {raw!r}") from None
        if value <= 0:
            raise InvalidSetting(f"{variable} must be above 0, not {raw!r}")
        values[name] = value
    return StreamLimits(**values)


def config_of(app: Flask) -> DashboardConfig:
    """The configuration the kernel read when the app was built (``ServiceDefinition.config``)."""
    config: DashboardConfig = runtime_of(app).config
    return config
