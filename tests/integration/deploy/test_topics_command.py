"""`jiangong topics`: the one-shot step that creates the event topics before any worker runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from kafka import KafkaConsumer

from jiangong.cli import main
from jiangong.services import available, definition
from tests.support.broker import DevBroker


def test_topics_creates_each_event_topic_with_its_partitions_and_can_run_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with DevBroker(log_path=tmp_path / "tansu.log") as broker:  # its own: no topic exists yet
        monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", broker.bootstrap_servers)

        assert main(["topics", "--partitions", "3"]) == 0
        first = dict(line.split(": ", 1) for line in capsys.readouterr().out.splitlines())
        assert main(["topics", "--partitions", "3"]) == 0
        again = dict(line.split(": ", 1) for line in capsys.readouterr().out.splitlines())

        events = {f"jiangong.{name}" for name in ("registry", "competitions", "certification")}
        letters = {f"jiangong.dlq.{n}" for n in available() if definition(n).consumes()}
        assert first == {
            **{topic: "created with 3 partition(s)" for topic in events},
            **{topic: "created with 1 partition(s)" for topic in letters},
        }
        assert again == {topic: "exists" for topic in first}  # a second run changes nothing
        reader = KafkaConsumer(bootstrap_servers=broker.bootstrap_servers)
        try:
            for topic, said in first.items():
                assert len(reader.partitions_for_topic(topic) or ()) == int(said.split()[2])
        finally:
            reader.close()


def test_topics_without_kafka_says_what_to_set(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)

    assert main(["topics"]) == 2
    assert "KAFKA_BOOTSTRAP_SERVERS" in capsys.readouterr().out
