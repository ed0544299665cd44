"""The reason steady exists: a handler slower than max.poll.interval.ms.

The same slow handler runs under a steady consumer and under a confluent-kafka consumer with
the same settings. The confluent-kafka consumer is thrown out of its group (max poll exceeded,
partitions revoked and assigned again); the steady consumer keeps its assignment and
processes and commits every record."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from confluent_kafka import Consumer as KafkaConsumer
from confluent_kafka import KafkaError as ConfluentError

import steady
from conftest import committed, unique

RECORDS = 3
HANDLER_SECONDS = 8.0  # > max.poll.interval.ms below
SESSION = {"session.timeout.ms": 6000, "heartbeat.interval.ms": 2000, "max.poll.interval.ms": 6000}


def slow_handler(value: bytes | None) -> None:
    """Stands for real work that takes longer than max.poll.interval.ms."""
    assert value is not None
    time.sleep(HANDLER_SECONDS)


def test_steady_consumer_never_rebalances_under_a_slow_handler(
    bootstrap: str,
    settings: dict[str, str | int],
    filled_topic: Callable[[str, int, int], str],
) -> None:
    topic = filled_topic("slow-steady", 1, RECORDS)
    settings.update(SESSION)
    with steady.Consumer(settings, [topic]) as consumer:
        first = consumer.poll(timeout=60)
        assert first is not None
        rebalances = consumer.stats()["rebalances"]
        pending = [first]
        done = 0
        while done < RECORDS:
            message = pending.pop() if pending else consumer.poll(timeout=60)
            assert message is not None, f"record {done} never arrived"
            slow_handler(message.value)
            message.ack()
            done += 1
        consumer.commit()
        stats = consumer.stats()
    assert stats["rebalances"] == rebalances, stats
    assert stats["acked"] == RECORDS
    assert committed(bootstrap, str(settings["group.id"]), topic, 1) == {0: RECORDS}


def test_confluent_consumer_rebalances_under_the_same_handler(
    bootstrap: str, filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("slow-confluent", 1, RECORDS)
    events: list[str] = []
    consumer = KafkaConsumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": unique("confluent"),
            "auto.offset.reset": "earliest",
            **SESSION,
        }
    )

    def on_assign(_: Any, partitions: list[Any]) -> None:
        events.append("assign")

    def on_revoke(_: Any, partitions: list[Any]) -> None:
        events.append("revoke")

    consumer.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
    try:
        deadline = time.monotonic() + 120
        handled = 0
        while time.monotonic() < deadline and not ("revoke" in events and events.count("assign") >= 2):
            message = consumer.poll(1.0)
            if message is None:
                continue
            error = message.error()
            if error is not None:
                if error.code() == ConfluentError._MAX_POLL_EXCEEDED:
                    events.append("max-poll-exceeded")
                continue
            if handled == 0:
                slow_handler(message.value())
                handled += 1
    finally:
        consumer.close()
    # After the first slow record the group took the partition away and gave it back.
    assert "revoke" in events and events.count("assign") >= 2, events
