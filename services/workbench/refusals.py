"""The one place a refusal becomes what a person reads: an API's problem (RFC 9457) or the
workbench's own domain error, its ``errors`` as messages beside the form's fields, its
``detail`` as the page's message. A field the form does not have keeps its message in the
page's message, so nothing the API said is lost."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from flask_wtf import FlaskForm

from shared.errors import DomainError


@dataclass(frozen=True)
class Refusal:
    status: int
    detail: str
    errors: Mapping[str, list[str]] = field(default_factory=dict)

    @classmethod
    def of_answer(cls, answer: httpx.Response) -> Refusal:
        """An API's refusal; a body that is no problem still says the status."""
        try:
            problem: Any = answer.json()
        except ValueError:
            problem = {}
        if not isinstance(problem, dict):
            problem = {}
        errors = problem.get("errors")
        return cls(
            status=answer.status_code,
            detail=str(problem.get("detail") or problem.get("title") or answer.reason_phrase),
            errors=errors if isinstance(errors, dict) else {},
        )

    @classmethod
    def of_error(cls, error: DomainError, translate: Any) -> Refusal:
        """The workbench's own refusal, in the page's language (``translate``)."""
        given = error.errors or {}
        errors = {name: [translate(m) for m in messages] for name, messages in given.items()}
        return cls(status=error.status, detail=translate(error.detail), errors=errors)

    def onto(self, form: FlaskForm) -> str:
        """Put each field's messages beside that field; return the page's message."""
        unplaced = []
        for name, messages in self.errors.items():
            target = form._fields.get(name.split(".")[0])
            if target is None:
                unplaced.extend(messages)
                continue
            target.errors = [*list(target.errors or ()), *messages]
        if unplaced and self.detail not in unplaced:
            return " ".join([self.detail, *unplaced])
        return self.detail
