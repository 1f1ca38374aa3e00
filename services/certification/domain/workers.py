"""Which worker a request may name: the certification's rules on the registry's replica of a
worker, decided on the record as it stands (any object with these fields).

Assessments, trainings and skill leaders are recorded only for an active worker the registry
announced; an enterprise names only its own workers (another's is a 404, as if unknown). A
studio's leader is an active worker of the applying enterprise.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from . import errors


class Employed(Protocol):
    enterprise_id: str
    active: bool


W = TypeVar("W", bound=Employed)


def active_worker(worker: W | None, acting_enterprise_id: str | None = None) -> W:
    """The worker, known (to the acting enterprise, where one acts) and still employed."""
    if worker is None or acting_enterprise_id not in (None, worker.enterprise_id):
        raise errors.WorkerNotFound()
    if not worker.active:
        raise errors.WorkerNotActive()
    return worker


def studio_leader(leader: W | None, enterprise_id: str) -> W:
    """The studio's leader: an active worker of the enterprise that applies."""
    if leader is None or not leader.active or leader.enterprise_id != enterprise_id:
        raise errors.LeaderNotInEnterprise()
    return leader
