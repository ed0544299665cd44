"""Logging and metrics against the real broker: steady's records and librdkafka's lines reach
`logging` (loggers "steady" and "steady.librdkafka", with their level and `facility`), on the
consumer's "steady-log" thread; with logging configured nothing reaches stderr, without it the
start-up warning still does (Python's last-resort handler); a failing filter does not stop the
records; close, also from a callback or by collection, never deadlocks on the GIL; and
metrics_text() parses as Prometheus text.

Records arrive asynchronously: every wait is bounded."""

from __future__ import annotations

import gc
import json
import logging
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

import steady
from conftest import create_topic, unique

Settings = dict[str, "str | int"]
WAIT = 30.0  # seconds: the bound of every wait
# session.timeout.ms=6000 gives rule ST005's warning; debug=cgrp librdkafka's CGRP lines.
NOISY: Settings = {"debug": "cgrp", "session.timeout.ms": 6000, "heartbeat.interval.ms": 2000}


class Collect(logging.Handler):
    """Keeps every record it is given, with the time it arrived."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.times: list[float] = []
        self.lock_ = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        with self.lock_:
            self.records.append(record)
            self.times.append(time.monotonic())

    def snapshot(self) -> list[logging.LogRecord]:
        with self.lock_:
            return list(self.records)

    def since(self, t: float) -> list[logging.LogRecord]:
        with self.lock_:
            return [r for r, at in zip(self.records, self.times) if at >= t]

    def wait_for(
        self, what: str, match: Callable[[logging.LogRecord], bool], seconds: float = WAIT
    ) -> logging.LogRecord:
        end = time.monotonic() + seconds
        while True:
            for record in self.snapshot():
                if match(record):
                    return record
            assert time.monotonic() < end, f"no {what} within {seconds:.0f} s"
            time.sleep(0.02)


def facility(record: logging.LogRecord) -> str:
    value = getattr(record, "facility", None)
    assert isinstance(value, str), f"{record.name} record without a facility: {record!r}"
    return value


@pytest.fixture
def collect() -> Iterator[Collect]:
    """A handler on the "steady" logger (so on "steady.librdkafka" too), everything enabled."""
    handler = Collect()
    steady_logger = logging.getLogger("steady")
    old = steady_logger.level
    steady_logger.addHandler(handler)
    steady_logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        steady_logger.removeHandler(handler)
        steady_logger.setLevel(old)


@pytest.fixture
def topic(bootstrap: str) -> str:
    name = unique("logging")
    create_topic(bootstrap, name, 2)
    return name


def is_assigned(topic: str) -> Callable[[logging.LogRecord], bool]:
    return lambda r: (
        r.name == "steady"
        and getattr(r, "facility", None) == "rebalance"
        and r.getMessage().startswith("assigned ")
        and topic in r.getMessage()
    )


def test_records_reach_the_steady_loggers_with_level_and_facility(
    settings: Settings, topic: str, collect: Collect
) -> None:
    settings.update(NOISY)
    with steady.Consumer(settings, [topic]) as consumer:
        warning = collect.wait_for(
            "ST005 warning", lambda r: r.name == "steady" and "ST005" in r.getMessage()
        )
        assigned = collect.wait_for("assigned record", is_assigned(topic))
        cgrp = collect.wait_for(
            "librdkafka CGRP line",
            lambda r: r.name == "steady.librdkafka" and facility(r).startswith("CGRP"),
        )
        assert [f.rule for f in consumer.warnings if f.rule == "ST005"] == ["ST005"]
    assert warning.levelno == logging.WARNING and warning.levelname == "WARNING"
    assert facility(warning) == "config"
    assert "session.timeout.ms" in warning.getMessage()
    assert assigned.levelno == logging.INFO
    assert f"{topic}/0" in assigned.getMessage() and f"{topic}/1" in assigned.getMessage()
    assert cgrp.levelno == logging.DEBUG
    records = collect.snapshot()
    # Every record: one of the two loggers, one of the four levels, a facility, on steady-log.
    assert {r.name for r in records} <= {"steady", "steady.librdkafka"}
    assert {r.levelno for r in records} <= {logging.ERROR, logging.WARNING, logging.INFO, 10}
    assert all(facility(r) for r in records)
    assert {r.threadName for r in records} == {"steady-log"}
    main = threading.current_thread().ident
    assert all(r.thread != main for r in records)


def test_disabled_levels_are_not_logged(settings: Settings, topic: str, collect: Collect) -> None:
    settings.update(NOISY)
    librdkafka = logging.getLogger("steady.librdkafka")
    librdkafka.setLevel(logging.INFO)
    try:
        with steady.Consumer(settings, [topic]):
            collect.wait_for("assigned record", is_assigned(topic))
    finally:
        librdkafka.setLevel(logging.NOTSET)
    debug = [r for r in collect.snapshot() if r.name == "steady.librdkafka" and r.levelno < 20]
    assert debug == []


def test_a_failing_filter_goes_to_unraisablehook_and_records_go_on(
    settings: Settings, topic: str, collect: Collect, monkeypatch: pytest.MonkeyPatch
) -> None:
    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)

    def refuse_config(record: logging.LogRecord) -> bool:
        if getattr(record, "facility", None) == "config":
            raise RuntimeError("a filter that fails")
        return True

    steady_logger = logging.getLogger("steady")
    steady_logger.addFilter(refuse_config)
    try:
        settings.update(NOISY)
        with steady.Consumer(settings, [topic]):
            collect.wait_for("assigned record", is_assigned(topic))
    finally:
        steady_logger.removeFilter(refuse_config)
    assert not [r for r in collect.snapshot() if facility(r) == "config"]
    errors = [u.exc_value for u in unraisable]
    assert errors and all(isinstance(e, RuntimeError) for e in errors), errors
    assert "a filter that fails" in str(errors[0])


def test_close_releases_the_gil_while_close_time_records_are_logged(
    settings: Settings, topic: str, collect: Collect
) -> None:
    """The records close makes (librdkafka's leave-group lines) need the GIL on steady-log:
    close() must not hold it while the core waits for them (else it would take the core's
    5 s cap and return before they are logged)."""
    settings.update(NOISY)
    consumer = steady.Consumer(settings, [topic])
    collect.wait_for("assigned record", is_assigned(topic))
    started = time.monotonic()
    consumer.close()
    took = time.monotonic() - started
    during = collect.since(started)  # before any other thread could add more
    assert took < 4.0, f"close took {took:.1f} s"
    assert any(r.name == "steady.librdkafka" for r in during), "no record logged during close"
    assert consumer.metrics_text()  # also after close


def test_close_from_a_callback_and_by_collection_do_not_deadlock(
    settings: Settings, topic: str, collect: Collect
) -> None:
    settings.update(NOISY)
    closed = threading.Event()

    def on_assign(consumer: steady.Consumer, partitions: list[steady.TopicPartition]) -> None:
        consumer.close()
        closed.set()

    consumer = steady.Consumer(settings, [topic], on_assign=on_assign)
    assert closed.wait(WAIT), "close() from on_assign did not return"
    consumer.close()
    del consumer

    other = dict(settings, **{"group.id": unique("group")})
    collected = steady.Consumer(other, [topic])
    collect.wait_for("assigned record", is_assigned(topic))
    started = time.monotonic()
    del collected
    gc.collect()
    assert time.monotonic() - started < 4.0


def test_metrics_text_parses_as_prometheus_text(
    settings: Settings, filled_topic: Callable[[str, int, int], str]
) -> None:
    topic = filled_topic("metrics", 1, 5)
    with steady.Consumer(settings, [topic]) as consumer:
        got = 0
        end = time.monotonic() + WAIT
        while got < 5:
            assert time.monotonic() < end, "records missing"
            for message in consumer.consume(5, timeout=1):
                message.ack()
                got += 1
        text = consumer.metrics_text()
    assert isinstance(text, str)
    families = list(text_string_to_metric_families(text))
    samples = [s for f in families for s in f.samples]
    consumed = [s for s in samples if s.name == "messaging_client_consumed_messages_total"]
    assert consumed, text
    assert sum(s.value for s in consumed) >= 5, consumed
    assert all(f.type in {"counter", "gauge", "histogram", "summary", "untyped"} for f in families)


CHILD = textwrap.dedent(
    """
    import json, logging, sys, time
    import steady

    settings, topic, log_file = json.loads(sys.argv[1])
    if log_file:
        logging.basicConfig(filename=log_file, level=logging.DEBUG)
    seen = []
    class Watch(logging.Handler):
        def emit(self, record):
            seen.append(record.getMessage())
    if log_file:
        logging.getLogger("steady").addHandler(Watch())
    consumer = steady.Consumer(settings, [topic])
    end = time.monotonic() + 30
    while log_file and not any(m.startswith("assigned ") for m in seen):
        assert time.monotonic() < end, "not assigned within 30 s"
        time.sleep(0.02)
    consumer.close()
    print(json.dumps(len(seen)))
    """
)


def run_child(settings: Settings, topic: str, log_file: str | None) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, json.dumps([settings, topic, log_file])],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done.stderr


def test_with_logging_configured_nothing_reaches_stderr(
    settings: Settings, topic: str, tmp_path: Any
) -> None:
    settings.update(NOISY)
    log_file = tmp_path / "child.log"
    seen, stderr = run_child(settings, topic, str(log_file))
    assert stderr == ""
    assert seen > 0
    logged = log_file.read_text()
    assert "WARNING:steady:ST005" in logged
    assert "DEBUG:steady.librdkafka:" in logged
    assert "INFO:steady:assigned " in logged


def test_without_logging_configured_the_start_up_warning_reaches_stderr(
    settings: Settings, topic: str
) -> None:
    settings.update(NOISY)
    _, stderr = run_child(settings, topic, None)
    lines = stderr.splitlines()
    assert [line for line in lines if line.startswith("ST005 session.timeout.ms")], stderr
    # The last-resort handler writes warnings and errors only: no librdkafka debug, no info.
    assert not [line for line in lines if "CGRP" in line or "[thrd:" in line], stderr
