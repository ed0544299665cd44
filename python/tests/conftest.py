"""Fixtures: the real broker from tests/kafka/, unique topics filled with records, and
helpers that read committed offsets with an independent client."""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from confluent_kafka import Consumer as KafkaConsumer
from confluent_kafka import Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

REPO = Path(__file__).resolve().parents[2]
KAFKA_SH = REPO / "tests" / "kafka" / "kafka.sh"


def unique(name: str) -> str:
    """A topic or group name no other test or earlier run uses."""
    return f"py-{name}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def bootstrap() -> str:
    """The default broker's address: $STEADY_BOOTSTRAP, or started (idempotently) by kafka.sh."""
    given = os.environ.get("STEADY_BOOTSTRAP")
    if given:
        return given
    out = subprocess.run(
        [str(KAFKA_SH), "start"], check=True, capture_output=True, text=True, timeout=600
    ).stdout
    last = out.strip().splitlines()[-1]
    assert last.startswith("bootstrap="), out
    return last.removeprefix("bootstrap=")


def create_topic(bootstrap: str, name: str, partitions: int) -> None:
    """Creates `name` and waits until the broker has done so."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([NewTopic(name, partitions, 1)], operation_timeout=60)
    futures[name].result(timeout=90)


def produce(bootstrap: str, topic: str, partitions: int, per_partition: int) -> None:
    """Writes `per_partition` records to every partition; values are b"p<partition>-<n>"."""
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    for p in range(partitions):
        for n in range(per_partition):
            producer.produce(
                topic,
                value=f"p{p}-{n}".encode(),
                key=f"k{n}".encode(),
                partition=p,
                headers=[("n", str(n).encode()), ("empty", None)],
            )
    assert producer.flush(60) == 0, "records left unsent"


@pytest.fixture
def filled_topic(bootstrap: str) -> Callable[[str, int, int], str]:
    """Makes a fresh topic with `partitions` partitions and `per_partition` records in each."""

    def make(name: str, partitions: int, per_partition: int) -> str:
        topic = unique(name)
        create_topic(bootstrap, topic, partitions)
        if per_partition:
            produce(bootstrap, topic, partitions, per_partition)
        return topic

    return make


def committed(bootstrap: str, group: str, topic: str, partitions: int) -> dict[int, int]:
    """The group's committed offsets of `topic`, read by a separate client (-1001: none)."""
    reader = KafkaConsumer({"bootstrap.servers": bootstrap, "group.id": group})
    try:
        got = reader.committed([TopicPartition(topic, p) for p in range(partitions)], timeout=30)
        return {tp.partition: tp.offset for tp in got}
    finally:
        reader.close()


@pytest.fixture
def settings(bootstrap: str) -> Iterator[dict[str, str | int]]:
    """Consumer settings for a fresh group reading from the beginning."""
    yield {
        "bootstrap.servers": bootstrap,
        "group.id": unique("group"),
        "auto.offset.reset": "earliest",
    }
