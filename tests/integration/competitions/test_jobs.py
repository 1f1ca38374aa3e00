"""Deadlines move competitions by themselves: the scheduled job closes open competitions
whose registration deadline passed, and running it twice changes nothing twice."""

from __future__ import annotations

from datetime import timedelta

from services.competitions.jobs import close_expired_registrations
from services.competitions.service import SERVICE


def test_the_job_closes_open_competitions_past_their_deadline_once(world) -> None:
    deadline = (world.now + timedelta(hours=1)).isoformat()
    due, not_yet, draft = (
        world.competition(registration_closes_at=deadline),
        world.competition(registration_closes_at=(world.now + timedelta(days=2)).isoformat()),
        world.competition(registration_closes_at=deadline),
    )
    world.move(due, "open")
    world.move(not_yet, "open")
    assert close_expired_registrations(world.app) == []

    world.now += timedelta(hours=2)
    assert close_expired_registrations(world.app) == [due]
    assert close_expired_registrations(world.app) == []

    statuses = {
        c: world.client.get(f"/api/v1/competitions/{c}", headers=world.auth()).json["status"]
        for c in (due, not_yet, draft)
    }
    assert statuses == {due: "closed", not_yet: "open", draft: "draft"}
    [closed] = world.published("jiangong.competition.closed.v1")
    assert closed["id"] == due


def test_the_job_is_scheduled_by_the_service() -> None:
    [job] = SERVICE.jobs
    assert job.run is close_expired_registrations and 0 < job.seconds <= 60
