"""Writers to one SQLite file take their turns in the order they came: one that leaves hands
the turn to the first one waiting, never back to itself ahead of it."""

from __future__ import annotations

import threading

from shared.write_queue import WriteQueue


def test_a_writer_who_leaves_and_comes_back_queues_behind_those_already_waiting() -> None:
    queue = WriteQueue()
    order: list[str] = []
    assert queue.enter(timeout=1)  # the import's first batch
    waiting = threading.Event()

    def clerk() -> None:
        waiting.set()
        assert queue.enter(timeout=5)
        order.append("clerk")
        queue.leave()

    thread = threading.Thread(target=clerk)
    thread.start()
    waiting.wait(5)
    while not queue._waiting:  # the clerk is in the queue
        threading.Event().wait(0.001)
    queue.leave()
    assert queue.enter(timeout=5)  # the import's next batch: after the clerk
    order.append("import")
    queue.leave()
    thread.join(5)
    assert order == ["clerk", "import"]


def test_a_writer_whose_turn_does_not_come_in_time_gives_up_and_leaves_the_queue() -> None:
    queue = WriteQueue()
    assert queue.enter(timeout=1)
    assert not queue.enter(timeout=0.01)
    queue.leave()
    assert queue.enter(timeout=0.01)  # nobody left waiting in the queue holds the turn
    queue.leave()
