"""Plain HTTP to a running platform (a child process), with the standard library only."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any


def status(url: str, timeout: float = 3.0) -> int:
    """The status of ``GET url``; 0 while nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return 0


def call(
    url: str,
    method: str,
    body: Any = None,
    *,
    token: str | None = None,
    data: bytes | None = None,
    content_type: str = "application/json",
    timeout: float = 30.0,
) -> tuple[int, Any]:
    """One request: ``(status, the answer's JSON, or its text, or None when empty)``. ``body``
    goes as JSON; ``data`` as it is (a spreadsheet, say), with ``content_type``."""
    payload = data if data is not None else (None if body is None else json.dumps(body).encode())
    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=payload, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return int(answer.status), _decoded(answer.read())
    except urllib.error.HTTPError as error:
        return int(error.code), _decoded(error.read())


def _decoded(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")
