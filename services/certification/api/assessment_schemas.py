"""What comes in and what goes out, for assessors, assessments, skills and certificates.

Load schemas (``…In``) refuse unknown fields, and name a server-set field (``id``, ``passed``,
a certificate number...) as one the client may not write; dump schemas (``…Out``) are separate,
so that no request can mass-assign what the service decides.

Each load schema states in the OpenAPI document what the server enforces, so that a client or a
form built from the document knows what will be accepted: integers and numbers bounded, texts
with their lengths (and, where blank is refused, a pattern asking for one character that is not
whitespace), codes with their pattern (matched whole), lists with their sizes, dates from 1950
to 2100 (a pattern, and the range in the description). A rule that
depends on stored facts or on today (an assessment not dated after today, a leader who is an
active worker) is the domain's, refused with its rule.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from marshmallow import (
    Schema,
    ValidationError,
    fields,
    post_dump,
    post_load,
    validate,
    validates_schema,
)

from services.certification.commands import NewAuthorisation
from services.certification.domain.assessment import AssessmentInput
from services.certification.domain.levels import NAMES
from shared.handling import command_from
from shared.http.fields import (
    DATE_PATTERN,
    SERVER_SET,
    InputSchema,
    Text,
    UtcDateTime,
    occupation_code_field,
)

LEVEL = validate.Range(min=1, max=5, error="A skill level is 1, 2, 3, 4 or 5.")
SCORE = validate.Range(min=0, max=100, error="A score is from 0 to 100.")
ID = validate.Length(min=1, max=64)
MAX_AUTHORISATIONS = 20

EARLIEST, LATEST = date(1950, 1, 1), date(2100, 12, 31)
_DATES = validate.Range(
    min=EARLIEST, max=LATEST, error=f"Must be a date from {EARLIEST} to {LATEST}."
)


def day(what: str, *, not_after_today: bool = False, **kwargs: Any) -> fields.Date:
    """A date (YYYY-MM-DD) from 1950 to 2100; with ``not_after_today`` the domain also refuses
    one after today in Asia/Shanghai, with its rule (no fixed bound can say so)."""
    bound = "not after today (Asia/Shanghai)" if not_after_today else f"not after {LATEST}"
    return fields.Date(
        validate=_DATES,
        metadata={"pattern": DATE_PATTERN, "description": f"{what}; from {EARLIEST}, {bound}"},
        **kwargs,
    )


def _level_name(level: int | None) -> str | None:
    return None if level is None else NAMES[level].label_zh


# -- assessors -----------------------------------------------------------------------------------


class AuthorisationIn(InputSchema):
    occupation_code = occupation_code_field(required=True)
    levels = fields.List(
        fields.Integer(strict=True, validate=LEVEL),
        required=True,
        validate=validate.Length(min=1, max=5),
        metadata={
            "uniqueItems": True,
            "description": "the levels the assessor may assess, 1 (highest) to 5, each once",
        },
    )
    valid_from = day("the first day it covers", required=True)
    valid_until = day(
        "the last day it covers (inclusive), not before valid_from; null: open",
        allow_none=True,
        load_default=None,
    )

    @validates_schema
    def _ordered(self, data: dict[str, Any], **_: Any) -> None:
        until = data.get("valid_until")
        if until is not None and until < data["valid_from"]:
            raise ValidationError("valid_until is on or after valid_from.", "valid_until")
        if len(set(data["levels"])) != len(data["levels"]):
            raise ValidationError("Each level is given once.", "levels")

    @post_load
    def authorisation(self, data: dict[str, Any], **_: Any) -> NewAuthorisation:
        return command_from(data, NewAuthorisation)


class AssessorIn(InputSchema):
    name = Text(64, required=True)
    authorisations = fields.List(
        fields.Nested(AuthorisationIn),
        load_default=list,
        validate=validate.Length(max=MAX_AUTHORISATIONS),
    )


class EndAuthorisationIn(InputSchema):
    server_set = tuple(key for key in SERVER_SET if key != "ended_on")
    ended_on = day(
        "the day it stops (default: today), not before it is valid from", load_default=None
    )


class AuthorisationOut(Schema):
    id = fields.String()
    occupation_code = fields.String()
    levels = fields.List(fields.Integer())
    valid_from = fields.Date()
    valid_until = fields.Date(allow_none=True)
    ended_on = fields.Date(allow_none=True)
    in_force = fields.Boolean(metadata={"description": "whether it lets the assessor record today"})


class AssessorOut(Schema):
    id = fields.String()
    name = fields.String()
    created_at = UtcDateTime()
    authorisations = fields.List(fields.Nested(AuthorisationOut))


# -- assessments ---------------------------------------------------------------------------------


class AssessmentIn(InputSchema):
    worker_id = fields.String(required=True, validate=ID)
    occupation_code = occupation_code_field(required=True)
    level = fields.Integer(required=True, strict=True, validate=LEVEL)
    theory_score = fields.Float(required=True, allow_nan=False, validate=SCORE)
    practical_score = fields.Float(required=True, allow_nan=False, validate=SCORE)
    review_passed = fields.Boolean(
        allow_none=True,
        load_default=None,
        metadata={"description": "the review panel's pass (综合评审), needed for levels 2 and 1"},
    )
    assessed_on = day("the day of the assessment", not_after_today=True, required=True)

    @post_load
    def assessment(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        """``{worker_id, assessment}``: what a ``RecordAssessment`` takes from the body."""
        worker_id = data.pop("worker_id")
        return {"worker_id": worker_id, "assessment": AssessmentInput(**data)}


class PromotionOut(Schema):
    from_level = fields.Integer(allow_none=True)
    to_level = fields.Integer()


class AssessmentOut(Schema):
    id = fields.String()
    worker_id = fields.String()
    assessor_id = fields.String()
    occupation_code = fields.String()
    level = fields.Integer()
    theory_score = fields.Float()
    practical_score = fields.Float()
    review_passed = fields.Boolean(allow_none=True)
    assessed_on = fields.Date()
    recorded_at = UtcDateTime()
    passed = fields.Boolean()
    promotion = fields.Function(
        lambda row: (
            None
            if row.to_level is None
            else PromotionOut().dump({"from_level": row.from_level, "to_level": row.to_level})
        ),
        metadata={"description": "{from_level, to_level}, or null for a fail"},
    )
    certificate_number = fields.String(allow_none=True)


# -- a worker's skills ---------------------------------------------------------------------------


class SkillOut(Schema):
    occupation_code = fields.String()
    level = fields.Integer(metadata={"description": "1 (高级技师) is the highest, 5 the lowest"})
    level_name = fields.Function(lambda entry: _level_name(entry.level))
    since = fields.Date()
    certificate_number = fields.String(allow_none=True)
    route = fields.String()


class HistoryItemOut(Schema):
    """One line of a worker's history: a ledger line, an assessment or a contest decision.
    Fields that do not apply to the kind are left out."""

    kind = fields.String(metadata={"description": "promotion, assessment or contest_decision"})
    on = fields.Date(metadata={"description": "since, assessed_on or published_on"})
    occupation_code = fields.String(allow_none=True)
    level = fields.Integer(allow_none=True)
    from_level = fields.Integer(allow_none=True)
    to_level = fields.Integer(allow_none=True)
    route = fields.String()
    certificate_number = fields.String(allow_none=True)
    assessment_id = fields.String()
    passed = fields.Boolean()
    theory_score = fields.Float()
    practical_score = fields.Float()
    review_passed = fields.Boolean(allow_none=True)
    competition_id = fields.String()
    award = fields.String()
    rank = fields.Integer()
    granted = fields.Boolean()
    rule = fields.String(allow_none=True)
    detail = fields.String(allow_none=True)
    rules_version = fields.Integer(allow_none=True)

    KEPT: ClassVar[frozenset[str]] = frozenset({"kind", "on", "occupation_code", "level"})

    @post_dump
    def _only_what_applies(self, data: dict[str, Any], **_: Any) -> dict[str, Any]:
        return {k: v for k, v in data.items() if v is not None or k in self.KEPT}


class SkillsOut(Schema):
    worker_id = fields.String()
    name = fields.String()
    enterprise_id = fields.String()
    active = fields.Boolean()
    skills = fields.List(fields.Nested(SkillOut))
    history = fields.List(fields.Nested(HistoryItemOut), metadata={"description": "newest first"})


# -- certificates --------------------------------------------------------------------------------


_SERIAL = (
    "(0{5}[1-9]|0{4}[1-9][0-9]|0{3}[1-9][0-9]{2}|0{2}[1-9][0-9]{3}|0[1-9][0-9]{4}|[1-9][0-9]{5})"
)
NUMBER_PARAMETER = {
    "in": "path",
    "name": "number",
    "required": True,
    "description": "the certificate number as printed: S or Y, then 21 digits: assessing body "
    "(4), province 33, site (6), year (2), level (1 to 5), serial (from 000001). Spaces, "
    "full-width characters and a lower-case letter, as typed, are forgiven.",
    "schema": {
        "type": "string",
        "pattern": f"^[SY][0-9]{{4}}33[0-9]{{8}}[1-5]{_SERIAL}$",
        "example": "S123433000101253000042",
    },
}
"""The path parameter ``number``, stated in the canonical form the domain reads
(:func:`~services.certification.domain.certificates.parse_number`)."""


class VerificationQuery(Schema):
    name = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "a full name: the answer says whether it is the holder's"},
    )


class CertificateOut(Schema):
    """What anyone may see of a certificate: the name masked (``张*强``)."""

    number = fields.String()
    name = fields.String(metadata={"description": "masked"})
    occupation_code = fields.String()
    level = fields.Integer()
    level_name = fields.String()
    issued_on = fields.Date()
    status = fields.String(metadata={"description": "valid or revoked"})
    revoked_reason = fields.String(allow_none=True)
    revoked_on = fields.Date(allow_none=True)
    name_matches = fields.Boolean(
        metadata={"description": "only when ?name= was given: whether it is the holder's name"}
    )


class RevokeIn(InputSchema):
    reason = Text(300, required=True, line_breaks=True)
