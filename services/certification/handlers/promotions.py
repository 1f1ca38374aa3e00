"""A promotion made durable: the ledger's new line, its certificate, and their events.

Both routes end here: an assessment that passes (:mod:`.assessments`) and a contest award the
rules table grants (:mod:`.contest`). :func:`promote` appends to the skill ledger (never edits
it), issues the certificate with the next serial of its number stem (the repository keeps the
serials unique under concurrency; the certificate's primary key would refuse a duplicate
anyway), and stages ``skill.promoted`` and ``certificate.issued`` in the same transaction.
"""

from __future__ import annotations

from services.certification import events
from services.certification.adapters.orm import Certificate, LedgerEntry, WorkerReplica
from services.certification.adapters.repository import Repository
from services.certification.domain.certificates import Issuer, format_number, mask_name
from services.certification.domain.levels import Promotion
from shared.handling import Context

VALID = "valid"


def promote(
    ctx: Context,
    repository: Repository,
    worker: WorkerReplica,
    promotion: Promotion,
    source_id: str,
    rules_version: int | None = None,
) -> Certificate:
    """Append the ledger's line, issue its certificate, stage both events; returns the
    certificate."""
    certificate = _certificate(ctx, repository, worker, promotion)
    entry = LedgerEntry(
        worker_id=worker.id,
        occupation_code=promotion.occupation_code,
        level=promotion.to_level,
        from_level=promotion.from_level,
        since=promotion.on,
        route=str(promotion.route),
        source_id=source_id,
        certificate_number=certificate.number,
        rules_version=rules_version,
        enterprise_id=worker.enterprise_id,
        region_code=worker.region_code,
        recorded_at=ctx.now,
    )
    repository.add(certificate, entry)
    ctx.outbox.add(
        ctx.session,
        events.SKILL_PROMOTED,
        worker.id,
        promoted_data(worker, promotion, certificate.number, source_id),
    )
    ctx.outbox.add(
        ctx.session, events.CERTIFICATE_ISSUED, certificate.number, certificate_data(certificate)
    )
    return certificate


def promoted_data(
    worker: WorkerReplica, promotion: Promotion, certificate_number: str | None, source_id: str
) -> dict[str, object]:
    return {
        "worker_id": worker.id,
        "enterprise_id": worker.enterprise_id,
        "region_code": worker.region_code,
        "occupation_code": promotion.occupation_code,
        "from_level": promotion.from_level,
        "to_level": promotion.to_level,
        "route": str(promotion.route),
        "promoted_on": promotion.on.isoformat(),
        "year": promotion.on.year,
        "certificate_number": certificate_number,
        "source_id": source_id,
    }


def certificate_data(certificate: Certificate) -> dict[str, object]:
    return {
        "number": certificate.number,
        "worker_id": certificate.worker_id,
        "name_masked": mask_name(certificate.name),
        "occupation_code": certificate.occupation_code,
        "level": certificate.level,
        "issued_on": certificate.issued_on.isoformat(),
        "status": certificate.status,
        "revoked_reason": certificate.revoked_reason,
    }


def _certificate(
    ctx: Context, repository: Repository, worker: WorkerReplica, promotion: Promotion
) -> Certificate:
    issuer: Issuer = ctx.config.issuer
    year, level = promotion.on.year, promotion.to_level
    serial = repository.next_serial(issuer.stem(year, level))
    return Certificate(
        number=format_number(issuer.prefix, issuer.body, issuer.site, year, level, serial),
        worker_id=worker.id,
        name=worker.name,
        occupation_code=promotion.occupation_code,
        level=level,
        route=str(promotion.route),
        issued_on=promotion.on,
        status=VALID,
        revoked_reason=None,
        revoked_on=None,
    )
