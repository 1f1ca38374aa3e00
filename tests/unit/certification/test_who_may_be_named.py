"""Which worker, certificate and authorisation a request may name, decided in the domain on
the records as they stand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from services.certification.domain import errors
from services.certification.domain.authorisations import authorised_levels, check_may_end
from services.certification.domain.certificates import revocable
from services.certification.domain.trainings import check_completed_by
from services.certification.domain.workers import active_worker, studio_leader
from shared.errors import Conflict, InvalidValue

TODAY = date(2026, 5, 20)


@dataclass
class Replica:
    enterprise_id: str = "ent-a"
    active: bool = True


@dataclass
class Held:
    status: str = "valid"


def test_an_unknown_or_another_enterprises_worker_is_not_found_a_former_one_not_active() -> None:
    worker = Replica()
    assert active_worker(worker) is worker
    assert active_worker(worker, "ent-a") is worker
    for unknown, acting in ((None, None), (worker, "ent-b")):
        with pytest.raises(errors.WorkerNotFound):
            active_worker(unknown, acting)
    with pytest.raises(errors.WorkerNotActive):
        active_worker(Replica(active=False))


def test_a_studio_leader_is_an_active_worker_of_the_applying_enterprise() -> None:
    assert studio_leader(Replica(), "ent-a").enterprise_id == "ent-a"
    for leader in (None, Replica(active=False), Replica(enterprise_id="ent-b")):
        with pytest.raises(errors.LeaderNotInEnterprise):
            studio_leader(leader, "ent-a")


def test_a_certificate_is_revoked_once() -> None:
    assert revocable(Held()).status == "valid"
    with pytest.raises(errors.CertificateNotFound):
        revocable(None)
    with pytest.raises(errors.CertificateAlreadyRevoked):
        revocable(Held("revoked"))


def test_an_authorisation_ends_once_and_not_before_it_starts() -> None:
    check_may_end(date(2026, 1, 1), None, TODAY)
    with pytest.raises(Conflict, match="2026-03-01"):
        check_may_end(date(2026, 1, 1), date(2026, 3, 1), TODAY)
    with pytest.raises(InvalidValue) as refused:
        check_may_end(date(2026, 6, 1), None, TODAY)
    assert refused.value.field == "ended_on"
    assert authorised_levels([3, 4, 3], "levels") == [4, 3]
    with pytest.raises(InvalidValue):
        authorised_levels([], "levels")


def test_a_training_completed_later_than_today_is_refused() -> None:
    check_completed_by(TODAY, TODAY)
    with pytest.raises(errors.TrainingInFuture):
        check_completed_by(date(2026, 5, 21), TODAY)
