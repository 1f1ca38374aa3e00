"""The query of the competitions list with its search: the list's filters and paging
(:class:`~.schemas.CompetitionQuery`) and ``q``, a fragment of the title."""

from __future__ import annotations

from marshmallow import fields, validate

from services.competitions.api.schemas import CompetitionQuery

MAX_QUERY = 100


class CompetitionSearchQuery(CompetitionQuery):
    q = fields.String(
        validate=validate.Length(min=1, max=MAX_QUERY),
        metadata={
            "description": "words of the title: a competition is listed when its title "
            "contains every one (letters in any case); e.g. 数控 or 2025 节能",
            "example": "数控",
        },
    )
