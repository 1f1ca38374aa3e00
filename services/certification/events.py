"""The events the certification service produces, with the schema each one's ``data`` is
validated with before it is written to the outbox. Workers are named by id (and, on a
certificate, by the masked name): no ID number ever reaches this service.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

ASSESSMENT_RECORDED = "jiangong.assessment.recorded.v1"
SKILL_PROMOTED = "jiangong.skill.promoted.v1"
CERTIFICATE_ISSUED = "jiangong.certificate.issued.v1"
CERTIFICATE_REVOKED = "jiangong.certificate.revoked.v1"
STUDIO_APPROVED = "jiangong.studio.approved.v1"
SKILL_LEADER_DESIGNATED = "jiangong.skill_leader.designated.v1"
TRAINING_COMPLETED = "jiangong.training.completed.v1"

LEVEL = validate.Range(min=1, max=5)
ROUTES = ("assessment", "contest_award")


class AssessmentRecordedData(Schema):
    id = fields.String(required=True)
    worker_id = fields.String(required=True)
    enterprise_id = fields.String(required=True)
    region_code = fields.String(required=True)
    occupation_code = fields.String(required=True)
    level = fields.Integer(required=True, validate=LEVEL)
    passed = fields.Boolean(required=True)
    assessed_on = fields.Date(required=True)
    year = fields.Integer(required=True)


class SkillPromotedData(Schema):
    worker_id = fields.String(required=True)
    enterprise_id = fields.String(required=True)
    region_code = fields.String(required=True)
    occupation_code = fields.String(required=True)
    from_level = fields.Integer(allow_none=True, validate=LEVEL)
    to_level = fields.Integer(required=True, validate=LEVEL)
    route = fields.String(required=True, validate=validate.OneOf(ROUTES))
    promoted_on = fields.Date(required=True)
    year = fields.Integer(required=True)
    certificate_number = fields.String(allow_none=True)
    source_id = fields.String(required=True)


class CertificateData(Schema):
    number = fields.String(required=True, validate=validate.Length(equal=22))
    worker_id = fields.String(required=True)
    name_masked = fields.String(required=True)
    occupation_code = fields.String(required=True)
    level = fields.Integer(required=True, validate=LEVEL)
    issued_on = fields.Date(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["valid", "revoked"]))
    revoked_reason = fields.String(allow_none=True)


class StudioApprovedData(Schema):
    id = fields.String(required=True)
    enterprise_id = fields.String(required=True)
    region_code = fields.String(required=True)
    level = fields.String(
        required=True, validate=validate.OneOf(["municipal", "county", "enterprise"])
    )
    leader_worker_id = fields.String(required=True)
    approved_on = fields.Date(required=True)
    year = fields.Integer(required=True)


class SkillLeaderDesignatedData(Schema):
    id = fields.String(required=True)
    worker_id = fields.String(required=True)
    enterprise_id = fields.String(required=True)
    region_code = fields.String(required=True)
    occupation_code = fields.String(required=True)
    designated_on = fields.Date(required=True)
    year = fields.Integer(required=True)


class TrainingCompletedData(Schema):
    id = fields.String(required=True)
    worker_id = fields.String(required=True)
    enterprise_id = fields.String(required=True)
    region_code = fields.String(required=True)
    is_migrant = fields.Boolean(required=True)
    course = fields.String(required=True)
    hours = fields.Float(required=True)
    completed_on = fields.Date(required=True)
    year = fields.Integer(required=True)


PRODUCES: dict[str, type[Schema]] = {
    ASSESSMENT_RECORDED: AssessmentRecordedData,
    SKILL_PROMOTED: SkillPromotedData,
    CERTIFICATE_ISSUED: CertificateData,
    CERTIFICATE_REVOKED: CertificateData,
    STUDIO_APPROVED: StudioApprovedData,
    SKILL_LEADER_DESIGNATED: SkillLeaderDesignatedData,
    TRAINING_COMPLETED: TrainingCompletedData,
}
