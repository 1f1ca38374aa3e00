"""The service as ``jiangong up`` runs it: the worker's relay and consumer threads move the
board by themselves (the demo is ``test_demo.py``)."""

from __future__ import annotations

from shared.bus import InProcessBus
from shared.service import ServiceWorker
from tests.support.polling import wait_until


def test_the_worker_threads_move_the_board_after_a_score(world) -> None:
    worker = ServiceWorker(world.app, InProcessBus(), poll_interval=0.05)
    worker.start()
    try:
        enterprise = world.enterprise()
        competition = world.competition()
        world.move(competition, "open")
        entry = world.enter(competition, enterprise, world.worker(enterprise)).json["id"]
        world.move(competition, "close")
        judge = world.judge(competition)
        assert world.score(competition, entry, judge, quality=90, safety=70).status_code == 200
        wait_until(lambda: world.board(competition).json["rows"] != [], timeout=10)
        [row] = world.board(competition).json["rows"]
        assert (row["entry_id"], row["score"], row["rank"]) == (entry, 82.0, 1)
    finally:
        worker.stop()
