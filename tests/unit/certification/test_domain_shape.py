"""The certification domain's refusals are well formed."""

from __future__ import annotations

import inspect
import re
from datetime import date

import pytest

from services.certification.domain import errors
from shared.errors import DomainError

REFUSALS = [
    cls
    for _, cls in inspect.getmembers(errors, inspect.isclass)
    if issubclass(cls, DomainError) and cls.__module__ == errors.__name__
]


@pytest.mark.parametrize("cls", REFUSALS, ids=lambda cls: cls.__name__)
def test_every_refusal_states_its_rule_status_and_sentence(cls: type[DomainError]) -> None:
    assert re.fullmatch(r"[a-z]+(_[a-z]+)*", cls.rule)
    assert cls.status in {403, 404, 409, 422}
    assert cls.title and cls.default_detail.endswith(".")
    assert cls.field is None or re.fullmatch(r"[a-z_]+", cls.field)


def test_each_refusal_has_its_own_rule() -> None:
    rules = [cls.rule for cls in REFUSALS]
    assert len(rules) == len(set(rules))


def test_errors_answer_with_field_level_problems() -> None:
    error = errors.TooEarlyForPromotion(date(2026, 2, 28))
    assert error.errors == {"assessed_on": [error.detail]}
    assert error.type_uri() == "/problems/too-early-for-promotion"
