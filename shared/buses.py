"""The one place that builds a bus from settings: Kafka where it is configured, else in-process.

``client`` names the Kafka client (a service, or ``SERVICE-replay``); the in-process bus keeps
its offsets and dead letters in the data dir (``bus.db``), shared by every embedded service.
"""

from __future__ import annotations

from shared.bus import Bus, InProcessBus
from shared.settings import Settings


def bus_for(settings: Settings, client: str) -> Bus:
    if settings.kafka_bootstrap_servers:
        from shared.kafka_bus import KafkaBus  # kafka-python loads only where Kafka is used

        return KafkaBus(settings.kafka_bootstrap_servers, client)
    return InProcessBus(store=settings.data_dir / "bus.db")
