"""A GET view's answer kept until the service's data version moves (``shared.versions``).

The version is read first, in a statement of its own, and the view, if it runs, reads after
it: a kept answer is never older than its version; a writer's own next read sees its write.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Response, current_app, request

from shared.auth import current_principal
from shared.runtime import runtime_of
from shared.versions import read_version


def kept_until_changed(view: Callable[..., Any]) -> Callable[..., Any]:
    """Keep a GET view's ``200`` answer until the service's data version moves.

    Goes below ``requires`` (the token is checked on every request) and above the schema
    decorators (a kept answer skips the query's parsing, the queries and the serialization).
    The key is the path with its query string, the caller's role and scope, and the version."""

    @functools.wraps(view)
    def kept(*args: Any, **kwargs: Any) -> Any:
        runtime = runtime_of(current_app)
        table = runtime.definition.data_version
        if table is None:
            return view(*args, **kwargs)
        principal = current_principal()
        version = read_version(runtime.definition.db.engine, table)
        key = (request.full_path, principal.role, principal.scope_id, version)
        answered: list[Response] = []

        def compute() -> tuple[bytes, int, list[tuple[str, str]]] | None:
            response = current_app.make_response(view(*args, **kwargs))
            answered.append(response)
            if response.status_code != 200 or response.direct_passthrough:
                return None
            return response.get_data(), response.status_code, list(response.headers.items())

        kept_answer = runtime.answers.get(key, compute)
        if answered:
            return answered[0]
        body, status, headers = kept_answer
        return Response(body, status=status, headers=headers)

    return kept
