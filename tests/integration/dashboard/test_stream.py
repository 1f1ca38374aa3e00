"""``GET /api/v1/stream``: the targets on connect, again when a count moves (coalesced), a
heartbeat on a quiet stream, ``Last-Event-ID`` on reconnect, and its limits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from services.dashboard.adapters import snapshots
from services.dashboard.adapters.version import CHANNEL, VersionWatch, bump
from tests.integration.dashboard.conftest import World, build_world, new_id
from tests.support.polling import wait_until


class EventReader:
    """Reads a server-sent event stream block by block, as a browser's EventSource would."""

    def __init__(self, response: Any):
        self.response = response
        self.chunks = iter(response.response)
        self.buffer = ""

    def block(self) -> str:
        while "\n\n" not in self.buffer:
            chunk = next(self.chunks)
            self.buffer += chunk.decode() if isinstance(chunk, bytes) else chunk
        block, self.buffer = self.buffer.split("\n\n", 1)
        return block

    def message(self) -> dict[str, Any]:
        """The next message with data, skipping comments (heartbeats) and ``retry``."""
        while True:
            fields = dict(line.split(": ", 1) for line in self.block().splitlines() if ": " in line)
            if "data" in fields:
                return {**fields, "data": json.loads(fields["data"])}

    def rest(self) -> list[str]:
        """Every block until the server ends the stream."""
        blocks = [self.buffer] if self.buffer else []
        blocks += [c.decode() if isinstance(c, bytes) else c for c in self.chunks]
        return "".join(blocks).split("\n\n")


@contextmanager
def streaming(world: World, query: str = "", **headers: str) -> Iterator[EventReader]:
    response = world.client.get(f"/api/v1/stream{query}", headers=headers, buffered=False)
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    try:
        yield EventReader(response)
    finally:
        response.close()


def _promotions(message: dict[str, Any]) -> float:
    targets = {t["key"]: t for t in message["data"]["targets"]}
    return targets["yearly_promotions"]["current"]


def test_the_first_event_is_the_targets_and_a_count_moving_sends_the_next(any_world) -> None:
    with streaming(any_world) as stream:
        first = stream.message()
        assert first["event"] == "targets"
        assert first["id"] == str(first["data"]["version"])
        assert first["data"]["year"] == 2026
        assert _promotions(first) == 0

        any_world.promotion(new_id("wkr"))
        second = stream.message()  # on the same stream, not after a reconnection

        assert int(second["id"]) > int(first["id"])
        assert _promotions(second) == 1


def test_changes_in_quick_succession_come_as_one_message_with_the_newest_state(world) -> None:
    with streaming(world) as stream:
        stream.message()
        for _ in range(5):
            world.promotion(new_id("wkr"))  # five batches, five versions

        assert _promotions(stream.message()) == 5
        assert stream.block() == ": heartbeat"  # nothing queued behind it


def test_a_client_already_up_to_date_gets_no_repeat(world) -> None:
    world.promotion(new_id("wkr"))
    version = world.client.get("/api/v1/targets").json["version"]

    with streaming(world, **{"Last-Event-ID": str(version)}) as stream:
        assert stream.block().startswith("retry: ")
        assert stream.block() == ": heartbeat"


def test_a_client_that_missed_a_change_gets_the_current_state_at_once(world) -> None:
    world.promotion(new_id("wkr"))
    version = world.client.get("/api/v1/targets").json["version"]
    world.promotion(new_id("wkr"))

    with streaming(world, **{"Last-Event-ID": str(version)}) as stream:
        message = stream.message()

    assert int(message["id"]) == version + 1
    assert _promotions(message) == 2


def test_a_stream_ends_by_itself_after_its_time_with_heartbeats_on_the_way(tmp_path) -> None:
    world = build_world(
        tmp_path,
        JIANGONG_DASHBOARD_STREAM_SECONDS="0.5",
        JIANGONG_DASHBOARD_HEARTBEAT_SECONDS="0.1",
    )
    with streaming(world) as stream:
        stream.message()
        rest = stream.rest()  # returns once the server ends the stream

    # heartbeats every 0.1 s for 0.5 s: a stream left open (5 s by default) would send ~50
    assert 3 <= rest.count(": heartbeat") <= 10


def test_streams_beyond_the_limit_are_refused_until_one_closes(tmp_path) -> None:
    world = build_world(tmp_path, JIANGONG_DASHBOARD_MAX_STREAMS="1")

    with streaming(world):
        refused = world.client.get("/api/v1/stream")
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "2"

    with streaming(world) as again:
        assert again.message()["event"] == "targets"


def test_the_stream_takes_the_year_and_county_and_refuses_unknown_ones(world) -> None:
    assert world.client.get("/api/v1/stream?region_code=000000").status_code == 422
    assert world.client.get("/api/v1/stream?since=1").status_code == 422

    response = world.client.get("/api/v1/stream?year=2025&region_code=330402", buffered=False)
    try:
        message = EventReader(response).message()
    finally:
        response.close()
    assert (message["data"]["year"], message["data"]["region_code"]) == (2025, "330402")


@pytest.fixture
def computations(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The version of every snapshot the streams compute (the seam: ``compute_snapshot``)."""
    computed: list[int] = []
    compute = snapshots.compute_snapshot

    def counting(*args: Any) -> snapshots.Snapshot:
        snapshot = compute(*args)
        computed.append(snapshot.version)
        return snapshot

    monkeypatch.setattr(snapshots, "compute_snapshot", counting)
    return computed


def test_a_change_is_computed_once_for_every_stream_open_and_reaches_each(
    any_world, computations
) -> None:
    with ExitStack() as stack, ThreadPoolExecutor(max_workers=8) as readers:
        streams = [stack.enter_context(streaming(any_world)) for _ in range(8)]

        def read_all() -> list[dict[str, Any]]:  # every stream at once, as their threads would
            return list(readers.map(lambda stream: stream.message(), streams, timeout=10))

        firsts = read_all()
        assert len(computations) == 1  # on connect: one computation shared by the eight
        assert {m["id"] for m in firsts} == {str(computations[0])}

        any_world.promotion(new_id("wkr"))
        seconds = read_all()

    assert len(computations) == 2  # the change: once more, not eight times
    assert all(m["event"] == "targets" and _promotions(m) == 1 for m in seconds)
    assert {m["id"] for m in seconds} == {str(computations[1])}
    assert computations[1] > computations[0]


def test_each_year_and_county_has_its_own_answer(world, computations) -> None:
    with streaming(world) as city, streaming(world, "?year=2026&region_code=330402") as county:
        for stream in (city, county):
            stream.message()
        world.promotion(new_id("wkr"), region_code="330402")
        changed = [stream.message() for stream in (city, county)]

    assert [_promotions(m) for m in changed] == [1, 1]
    assert [m["data"]["region_code"] for m in changed] == ["330400", "330402"]
    assert len(computations) == 4  # each on connect, each for the change


def test_the_snapshots_kept_are_bounded() -> None:
    kept = snapshots.Snapshots(size=2)
    for year in (2024, 2025, 2026):
        kept._slot((year, None, date(2026, 7, 1)))
    assert len(kept) == 2


@pytest.mark.postgres
def test_on_postgresql_a_raise_in_another_process_wakes_the_watch_without_its_poll(
    pg_world,
) -> None:
    watch = VersionWatch(pg_world.engine, interval=30.0)  # its own reads: every 30 s
    elsewhere = create_engine(pg_world.engine.url)  # another process's engine: no poke here
    try:
        with watch.listening():
            before = watch.wait(None, 1.0)
            wait_until(lambda: _listening(elsewhere), timeout=10)
            with Session(elsewhere) as session, session.begin():
                bump(session)
            after = watch.wait(before, 5.0)  # its own read would come in 30 s: woken
            assert after == (before or 0) + 1
    finally:
        elsewhere.dispose()


def _listening(engine: Engine) -> bool:
    """Does a session on the database listen for the version's raises, its ``LISTEN`` done?"""
    with engine.connect() as connection:
        listeners = connection.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND state = 'idle' AND query ILIKE 'LISTEN%' AND strpos(query, :channel) > 0"
            ),
            {"channel": CHANNEL},
        ).scalar()
    return bool(listeners)
