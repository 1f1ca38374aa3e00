"""A promotion made durable: the ledger's new line, its certificate, and their events.

Both routes end here: an assessment that passes and a contest award that the rules table
grants. :func:`promote` appends to the skill ledger (never edits it), issues the certificate
with the next serial of its number stem, and stages ``skill.promoted`` and
``certificate.issued`` in the same transaction. Serials are unique under concurrency: the stem's
counter row is locked (PostgreSQL) while it is incremented, and the certificate's primary key
would refuse a duplicate anyway.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.certification import events
from services.certification.adapters.orm import (
    Certificate,
    CertificateSerial,
    LedgerEntry,
    WorkerReplica,
)
from services.certification.domain.certificates import DEFAULT_PREFIX, format_number, mask_name
from services.certification.domain.levels import Promotion, SkillHolding
from shared.handling import Context

DEFAULT_BODY = "0573"  # the assessing body's code: Jiaxing's telephone area code by default
DEFAULT_SITE = "330400"  # the assessment site: Jiaxing's region code by default


@dataclass(frozen=True)
class Issuer:
    """Who issues the certificates: from ``JIANGONG_CERTIFICATE_PREFIX``, ``…_BODY``, ``…_SITE``."""

    prefix: str = DEFAULT_PREFIX
    body: str = DEFAULT_BODY
    site: str = DEFAULT_SITE

    @classmethod
    def of(cls, ctx: Context) -> Issuer:
        extra = ctx.settings.extra
        return cls(
            extra.get("JIANGONG_CERTIFICATE_PREFIX", DEFAULT_PREFIX),
            extra.get("JIANGONG_CERTIFICATE_BODY", DEFAULT_BODY),
            extra.get("JIANGONG_CERTIFICATE_SITE", DEFAULT_SITE),
        )


def holding(session: Session, worker_id: str, occupation_code: str) -> SkillHolding | None:
    """The level a worker holds in an occupation (the highest in the ledger), and since when."""
    entry = session.scalar(
        select(LedgerEntry)
        .where(LedgerEntry.worker_id == worker_id, LedgerEntry.occupation_code == occupation_code)
        .order_by(LedgerEntry.level)
        .limit(1)
    )
    return None if entry is None else SkillHolding(occupation_code, entry.level, entry.since)


def highest_level(session: Session, worker_id: str) -> int | None:
    """The worker's highest level in any occupation, ``None`` if they hold none."""
    levels = session.scalars(select(LedgerEntry.level).where(LedgerEntry.worker_id == worker_id))
    return min(levels, default=None)


def promote(
    ctx: Context,
    worker: WorkerReplica,
    promotion: Promotion,
    source_id: str,
    rules_version: int | None = None,
) -> Certificate:
    """Append the ledger's line, issue its certificate, stage both events; returns the
    certificate."""
    certificate = _issue(ctx, worker, promotion)
    ctx.session.add(
        LedgerEntry(
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
    )
    ctx.session.flush()
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


def _issue(ctx: Context, worker: WorkerReplica, promotion: Promotion) -> Certificate:
    issuer = Issuer.of(ctx)
    year = promotion.on.year
    stem = f"{issuer.prefix}{issuer.body}{issuer.site}{year % 100:02d}{promotion.to_level}"
    serial = _next_serial(ctx.session, stem)
    number = format_number(
        issuer.prefix, issuer.body, issuer.site, year, promotion.to_level, serial
    )
    certificate = Certificate(
        number=number,
        worker_id=worker.id,
        name=worker.name,
        occupation_code=promotion.occupation_code,
        level=promotion.to_level,
        route=str(promotion.route),
        issued_on=promotion.on,
        status="valid",
    )
    ctx.session.add(certificate)
    return certificate


def _next_serial(session: Session, stem: str) -> int:
    """The stem's next serial: its counter row is created if missing (a concurrent creator
    wins quietly), then locked while it moves on, so two certificates never share a number."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    session.execute(
        dialect.insert(CertificateSerial.__table__)
        .values(stem=stem, last=0)
        .on_conflict_do_nothing()
    )
    counter = session.execute(
        select(CertificateSerial)
        .where(CertificateSerial.stem == stem)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    counter.last += 1
    session.flush()
    return counter.last
