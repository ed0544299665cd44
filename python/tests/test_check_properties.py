"""Properties of steady.check over generated settings and workloads (Hypothesis)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

import steady

KEYS = [
    "session.timeout.ms",
    "heartbeat.interval.ms",
    "max.poll.interval.ms",
    "max.poll.records",
    "request.timeout.ms",
    "enable.auto.commit",
    "partition.assignment.strategy",
    "group.protocol",
    "sesion.timeout.ms",
]
VALUES = st.one_of(
    st.integers(min_value=-10, max_value=4_000_000),
    st.booleans(),
    st.sampled_from(["range", "cooperative-sticky", "consumer", "classic", "", "x"]),
    st.text(max_size=12),
)
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@settings(max_examples=300, deadline=None, database=None, derandomize=True)
@given(
    values=st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=6),
    client=st.sampled_from([None, "java", "librdkafka", "steady"]),
    client_version=st.sampled_from([None, "0.10.0", "0.10.1", "2.0", "3.7"]),
    broker_version=st.sampled_from([None, "0.10.0", "0.10.1", "0.10.2", "2.3", "4.0"]),
    rate=st.one_of(st.none(), st.floats(min_value=0.1, max_value=1e5)),
    threads=st.one_of(st.none(), st.integers(min_value=1, max_value=64)),
    profile=st.sampled_from([None, "apache", "alibaba", "azure-event-hubs"]),
    secret=st.one_of(st.none(), st.from_regex(r"\AS3cr3t[0-9a-f]{12}\Z")),
)
def test_every_input_gives_a_consistent_report(
    values: dict[str, object],
    client: str | None,
    client_version: str | None,
    broker_version: str | None,
    rate: float | None,
    threads: int | None,
    profile: str | None,
    secret: str | None,
) -> None:
    if secret is not None:
        values["sasl.password"] = secret
    report = steady.check(
        values,
        client=client,
        client_version=client_version,
        broker_version=broker_version,
        rate=rate,
        threads=threads,
        profile=profile,
    )
    doc = json.loads(report.to_json())
    assert [f["rule"] for f in doc["findings"]] == [f.rule for f in report.findings]
    ranks = [SEVERITY_ORDER[f.severity] for f in report.findings]
    assert ranks == sorted(ranks)
    assert report.summary == doc["summary"]
    assert len(report.errors) + len(report.warnings) + len(report.infos) == len(report)
    if secret is not None:
        assert secret not in report.to_json() and secret not in str(report)
