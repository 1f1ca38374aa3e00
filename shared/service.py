"""The worker that runs beside a service: its relay, its consumer and its scheduled jobs, in
background threads, for ``jiangong worker`` and ``jiangong up`` alike."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from sqlalchemy import delete
from sqlalchemy.orm import Session

from shared.bus import Bus
from shared.clock import TIMEZONE_NAME
from shared.inbox import Consumer
from shared.metrics import metrics_of, watch_consumer_lag
from shared.relay import Relay
from shared.runtime import engine_of, runtime_of

log = logging.getLogger(__name__)


class ServiceWorker:
    """The relay, the consumer and the scheduled jobs of one service, in background threads."""

    def __init__(self, app: Flask, bus: Bus, poll_interval: float = 0.2):
        self.app = app
        self.bus = bus
        runtime = runtime_of(app)
        self.definition = runtime.definition
        self.engine = engine_of(app)
        self.relay = Relay(self.engine, runtime.outbox, bus)
        self.poll_interval = poll_interval
        self.stop_event = threading.Event()
        self._threads: list[threading.Thread] = []
        self._scheduler: Any = None
        subscriptions = self.definition.consumes()
        self.consumer = (
            Consumer(
                self.definition.name,
                self.engine,
                self.definition.kernel.inbox,
                subscriptions,
                context=runtime.context,
            )
            if subscriptions
            else None
        )
        metrics = metrics_of(app)
        metrics.watch_relay(self.relay)
        if self.consumer is not None:
            metrics.watch_consumer(self.consumer)
            watch_consumer_lag(metrics)

    def start(self) -> None:
        self._spawn(self._relay_loop, "relay")
        consumer = self.consumer
        if consumer is not None:
            self._spawn(lambda: self.bus.run_consumer(consumer, self.stop_event), "consumer")
        if self.definition.jobs:
            self._start_scheduler()

    def _spawn(self, target: Callable[[], None], role: str) -> None:
        thread = threading.Thread(target=target, name=f"{self.definition.name}-{role}", daemon=True)
        thread.start()
        self._threads.append(thread)

    def _relay_loop(self) -> None:
        self.relay.run(self.stop_event, self.relay.outbox.committed, self.poll_interval)

    def _start_scheduler(self) -> None:
        self._scheduler = BackgroundScheduler(timezone=TIMEZONE_NAME)
        metrics = metrics_of(self.app)
        for job in self.definition.jobs:
            self._scheduler.add_job(
                metrics.count_job(job.id, job.run),
                "interval",
                seconds=job.seconds,
                args=[self.app],
                id=job.id,
                max_instances=1,
                coalesce=True,
            )
        self._scheduler.start()

    def stop(self) -> None:
        """Stop taking work, let running batches finish, and publish what is left."""
        self.stop_event.set()
        self.relay.outbox.committed.set()
        if self._scheduler is not None:  # stopping twice is stopping once
            scheduler, self._scheduler = self._scheduler, None
            scheduler.shutdown(wait=True)
        for thread in self._threads:
            thread.join(timeout=30)
        try:
            self.relay.drain()
            self.relay.close()
        except Exception:
            log.exception(
                "%s could not publish its last rows; they stay in the outbox", self.definition.name
            )

    def replay(self) -> int:
        """Empty the read models and this consumer's inbox, then rebuild from the topics."""
        if self.consumer is None:
            return 0
        with Session(self.engine) as session, session.begin():
            for table in reversed(self.definition.read_models):
                session.execute(delete(table))
            inbox = self.definition.kernel.inbox
            session.execute(delete(inbox).where(inbox.c.consumer == self.consumer.group))
        return self.bus.replay(self.consumer)
