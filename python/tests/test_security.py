"""TLS and SASL_SSL (SCRAM-SHA-512) from Python against the secure broker of tests/kafka
(`kafka.sh start --instance secure --secure`: a test CA, an SSL and a SASL_SSL listener, a
SCRAM user), which the other languages' suites share. The consumer and the probe connect with
librdkafka's keys; a wrong password is a visible authentication error, and the password is in
no stat, log record, exception or finding."""

from __future__ import annotations

import json
import logging
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest

import steady
from conftest import KAFKA_SH, create_topic, produce, unique

INSTANCE = "secure"
PARTITIONS = 2
PER_PARTITION = 50
WAIT = 120.0  # seconds: the bound of every wait
WRONG = "not-the-password-5d2a"


@pytest.fixture(scope="module")
def secure() -> dict[str, str]:
    """The secure instance's lines: ssl, sasl_ssl, ca, sasl.username, sasl.password, bootstrap
    (its plaintext listener, for the test's own producer)."""
    out = subprocess.run(
        [str(KAFKA_SH), "start", "--instance", INSTANCE, "--secure"],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    ).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def tls(secure: dict[str, str]) -> dict[str, str | int]:
    return {"security.protocol": "SSL", "ssl.ca.location": secure["ca"]}


def scram(secure: dict[str, str], password: str) -> dict[str, str | int]:
    return {
        "security.protocol": "SASL_SSL",
        "ssl.ca.location": secure["ca"],
        "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": secure["sasl.username"],
        "sasl.password": password,
    }


class Keep(logging.Handler):
    """Keeps the text of every record of the "steady" loggers."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        with self.guard:
            self.lines.append(record.getMessage())


@pytest.fixture
def logged() -> Iterator[Keep]:
    handler = Keep()
    logger = logging.getLogger("steady")
    old = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(old)


def read_all(secure: dict[str, str], listener: str, extra: dict[str, str | int]) -> None:
    """Reads every record of a fresh topic through `listener` with `extra` settings."""
    topic = unique("secure")
    create_topic(secure["bootstrap"], topic, PARTITIONS)
    produce(secure["bootstrap"], topic, PARTITIONS, PER_PARTITION)
    settings = {
        "bootstrap.servers": secure[listener],
        "group.id": unique("secure"),
        "auto.offset.reset": "earliest",
        **extra,
    }
    seen: set[tuple[int, int]] = set()
    deadline = time.monotonic() + WAIT
    with steady.Consumer(settings, [topic]) as consumer:
        while len(seen) < PARTITIONS * PER_PARTITION:
            assert time.monotonic() < deadline, f"{len(seen)} records over {listener}"
            for message in consumer.consume(100, timeout=0.5):
                seen.add((message.partition, message.offset))
                message.ack()
    assert seen == {(p, n) for p in range(PARTITIONS) for n in range(PER_PARTITION)}


def test_the_consumer_reads_over_tls(secure: dict[str, str]) -> None:
    read_all(secure, "ssl", tls(secure))


def test_the_consumer_reads_over_sasl_ssl_with_scram(secure: dict[str, str]) -> None:
    read_all(secure, "sasl_ssl", scram(secure, secure["sasl.password"]))


def test_the_probe_connects_over_sasl_ssl(secure: dict[str, str]) -> None:
    report = steady.check(
        scram(secure, secure["sasl.password"]), bootstrap_servers=secure["sasl_ssl"]
    )
    broker = json.loads(report.to_json())["broker"]
    assert broker["kip848"] is True, broker


def test_a_wrong_password_is_a_visible_authentication_error_that_never_shows_the_password(
    secure: dict[str, str], logged: Keep
) -> None:
    settings = {
        "bootstrap.servers": secure["sasl_ssl"],
        "group.id": unique("secure-wrong"),
        **scram(secure, WRONG),
    }
    with steady.Consumer(settings, [unique("secure-none")]) as consumer:
        deadline = time.monotonic() + WAIT
        while "authentication" not in (consumer.stats()["last_error"] or "").lower():
            assert time.monotonic() < deadline, consumer.stats()
            assert consumer.poll(timeout=0.1) is None
        stats = json.dumps(consumer.stats())
        shown = repr(consumer)
    assert WRONG not in stats and WRONG not in shown
    with logged.guard:
        assert logged.lines, "no log record at all"
        assert not [line for line in logged.lines if WRONG in line]

    with pytest.raises(steady.KafkaError) as caught:
        steady.check(settings, bootstrap_servers=secure["sasl_ssl"], probe_timeout=20)
    assert "authentication" in str(caught.value).lower(), caught.value
    assert WRONG not in str(caught.value) and WRONG not in repr(caught.value)
    findings = steady.check(settings)
    assert WRONG not in repr(findings)
