"""The one base of every domain refusal, and how the HTTP edge answers it.

A service's domain raises subclasses of :class:`DomainError`, one per rule. Each class states
its ``rule`` (a stable snake_case code), the HTTP ``status`` it answers with, a short ``title``,
a default ``detail`` sentence and, where the rule is about one field of the request, that
``field``. The edge turns any of them into RFC 9457 problem details:

- ``type``: ``/problems/<rule-with-dashes>``, stable, listed in ``docs/problems.md``;
- ``title``: the short phrase; ``detail``: the sentence, fit to show the person who asked;
- ``rule``: the code itself (an extension member clients can switch on);
- ``errors``: ``{field: [detail]}`` for every field-level failure.

Messages never carry a name or an ID number.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import ClassVar, TypeVar

R = TypeVar("R")


class DomainError(Exception):
    """A rule was broken."""

    rule: ClassVar[str] = "rule_broken"
    status: ClassVar[int] = 409
    title: ClassVar[str] = "A rule was broken"
    default_detail: ClassVar[str] = "The request breaks a rule of the service."
    field: str | None = None
    edge: ClassVar[bool] = False
    """Decided where the request arrives (a rate limit, a file's format), not by a rule of the
    service's domain: the problem catalogue names where, anywhere in the service."""

    def __init__(
        self,
        detail: str | None = None,
        *,
        field: str | None = None,
        errors: Mapping[str, list[str]] | None = None,
    ) -> None:
        self.detail: str = detail or self.default_detail
        super().__init__(self.detail)
        if field is not None:
            self.field = field
        self._errors = dict(errors) if errors else None

    @property
    def message(self) -> str:
        return self.detail

    @property
    def errors(self) -> dict[str, list[str]] | None:
        """The field-level failures: given ones, else ``{field: [detail]}`` where a field is."""
        if self._errors:
            return self._errors
        return {self.field: [self.detail]} if self.field else None

    @classmethod
    def type_uri(cls) -> str:
        return "/problems/" + cls.rule.replace("_", "-")


# -- the refusals every service shares ---------------------------------------------------------


class InvalidValue(DomainError):
    """A value breaks a rule."""

    rule = "invalid_value"
    status = 422
    title = "Invalid value"
    default_detail = "A value of the request breaks a rule."


class NotFound(DomainError):
    """No such record, or not one the caller may see: the answer never tells which."""

    rule = "not_found"
    status = 404
    title = "Not Found"
    default_detail = "No record with that id."

    @classmethod
    def of(cls, what: str) -> NotFound:
        return cls(f"No {what} with that id.")


def found(record: R | None, what: str) -> R:
    """The record a request names, or :class:`NotFound` saying what was looked for."""
    if record is None:
        raise NotFound.of(what)
    return record


class Conflict(DomainError):
    """The current state does not allow it."""

    rule = "conflict"
    status = 409
    title = "Conflict with the current state"
    default_detail = "The request conflicts with the current state."


class ConcurrentChange(Conflict):
    """A unique index another request won between our check and our write."""

    rule = "concurrent_change"
    title = "Changed at the same time"
    default_detail = (
        "Another request changed the same records at the same time; nothing was saved. Try again."
    )


def all_rules() -> Iterator[type[DomainError]]:
    """Every refusal class loaded, for the problem catalogue and its test."""
    seen: set[type[DomainError]] = set()
    stack: list[type[DomainError]] = [DomainError]
    while stack:
        cls = stack.pop()
        if cls not in seen:
            seen.add(cls)
            stack.extend(cls.__subclasses__())
    yield from sorted(seen, key=lambda cls: cls.rule)
