"""Revoking a certificate: an admin, with a reason; once.

The certificate stays (its number keeps answering a verification), marked revoked with the
reason and the day; ``certificate.revoked`` carries it to the other services. The skill ledger
is append-only and is not changed by a revocation.
"""

from __future__ import annotations

from services.certification import commands, events
from services.certification.adapters.orm import Certificate
from services.certification.adapters.repository import Repository
from services.certification.domain.certificates import REVOKED, parse_number, revocable
from services.certification.handlers.promotions import certificate_data
from shared.handling import Context


def revoke_certificate(
    ctx: Context, command: commands.RevokeCertificate, repository: Repository
) -> Certificate:
    number = str(parse_number(command.number))
    certificate = revocable(repository.certificate(number))
    certificate.status = REVOKED
    certificate.revoked_reason = command.reason
    certificate.revoked_on = ctx.today
    ctx.outbox.add(
        ctx.session, events.CERTIFICATE_REVOKED, certificate.number, certificate_data(certificate)
    )
    return certificate
