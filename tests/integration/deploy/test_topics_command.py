"""`jiangong topics`: the one-shot step that creates the event topics before any worker runs."""

from __future__ import annotations

import pytest
from kafka import KafkaConsumer

from jiangong.cli import main
from jiangong.services import available
from tests.support.broker import DevBroker


def test_topics_creates_each_event_topic_with_its_partitions_and_can_run_again(
    broker: DevBroker, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrap_servers)

    assert main(["topics", "--partitions", "3"]) == 0
    first = capsys.readouterr().out
    assert main(["topics", "--partitions", "3"]) == 0
    again = capsys.readouterr().out

    lines = dict(line.split(": ", 1) for line in first.splitlines())
    wanted = {f"jiangong.{name}" for name in ("registry", "competitions", "certification")}
    wanted |= {f"jiangong.dlq.{name}" for name in available() if name != "registry"}
    assert wanted <= set(lines), first
    reader = KafkaConsumer(bootstrap_servers=broker.bootstrap_servers)
    try:
        for topic, said in lines.items():
            partitions = reader.partitions_for_topic(topic)
            assert partitions, f"{topic} is on the broker"
            if said.startswith("created") and ".dlq." not in topic:
                assert len(partitions) == 3, topic  # (the session's broker may have it already)
    finally:
        reader.close()
    assert set(dict(line.split(": ", 1) for line in again.splitlines()).values()) == {"exists"}


def test_topics_without_kafka_says_what_to_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)

    assert main(["topics"]) == 2
    assert "KAFKA_BOOTSTRAP_SERVERS" in capsys.readouterr().out
