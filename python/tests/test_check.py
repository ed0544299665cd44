"""steady.check: the rule checks, their report, and how bad input is refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import steady

# The seed's case: a Java 0.10.0 client on a 0.10.0 broker, 10 records/s on 2 threads.
SEED_SETTINGS = {"session.timeout.ms": 40000, "max.poll.records": 2000}
SEED_FACTS = dict(
    client="java", client_version="0.10.0", rate=10, threads=2, broker_version="0.10.0"
)


def by_rule(report: steady.Report) -> dict[str, steady.Finding]:
    return {f.rule: f for f in report.findings}


def test_seed_example_finds_the_four_seed_rules() -> None:
    report = steady.check(SEED_SETTINGS, **SEED_FACTS)
    found = by_rule(report)
    assert {"VR001", "ST006", "PL002", "PL003"} <= found.keys()

    assert found["VR001"].severity == "error"
    assert found["ST006"].severity == "warning"
    assert found["ST006"].key == "session.timeout.ms"
    key, value = found["ST006"].recommendation
    assert (key, value) == ("session.timeout.ms", "25000")
    assert repr(found["ST006"].recommendation) == (
        "Recommendation(key='session.timeout.ms', value='25000')"
    )
    assert repr(found["ST006"]) == (
        "Finding(rule='ST006', severity='warning', key='session.timeout.ms')"
    )

    # L = 10 records/s × 2 threads × 40 s = 800 ≤ 2000: an error; recommend floor(L/10).
    assert found["PL002"].severity == "error"
    rec = found["PL002"].recommendation
    assert rec is not None and (rec.key, rec.value) == ("max.poll.records", "80")
    assert found["PL003"].severity == "error"

    assert report.errors and all(f.severity == "error" for f in report.errors)
    assert found["ST006"] in report.warnings
    assert report.summary["errors"] == len(report.errors)
    assert report.summary["warnings"] == len(report.warnings)
    assert len(report) == len(report.findings) == sum(report.summary.values())
    assert list(report) == report.findings


def test_report_json_has_the_documented_shape() -> None:
    doc = json.loads(steady.check(SEED_SETTINGS, **SEED_FACTS).to_json())
    rules = {f["rule"]: f for f in doc["findings"]}
    assert rules["ST006"]["recommendation"] == {"key": "session.timeout.ms", "value": "25000"}
    assert rules["ST006"]["severity"] == "warning"
    assert set(doc["summary"]) == {"errors", "warnings", "info"}


def test_findings_are_most_severe_first() -> None:
    order = {"error": 0, "warning": 1, "info": 2}
    report = steady.check(SEED_SETTINGS, **SEED_FACTS)
    ranks = [order[f.severity] for f in report.findings]
    assert ranks == sorted(ranks)


def test_alibaba_profile_caps_the_session_without_a_broker_version() -> None:
    found = by_rule(steady.check({"session.timeout.ms": "40000"}, profile="alibaba"))
    assert "ST006" in found
    assert "ST006" not in by_rule(steady.check({"session.timeout.ms": "40000"}))


def test_settings_from_a_properties_file(tmp_path: Path) -> None:
    path = tmp_path / "consumer.properties"
    path.write_text("# seed\nsession.timeout.ms=40000\nmax.poll.records: 2000\n")
    from_path = steady.check(path, **SEED_FACTS)
    from_str = steady.check(str(path), **SEED_FACTS)
    from_dict = steady.check(SEED_SETTINGS, **SEED_FACTS)
    assert from_path.findings == from_str.findings == from_dict.findings


def test_booleans_and_numbers_are_written_as_kafka_expects() -> None:
    found = by_rule(
        steady.check(
            {"enable.auto.commit": False, "enable.auto.offset.store": False},
            client="librdkafka",
        )
    )
    assert "RK003" in found


def test_secrets_never_appear_in_the_report() -> None:
    report = steady.check({"sasl.password": "hunter2-secret", "sesion.timeout.ms": "hunter2"})
    assert "hunter2-secret" not in report.to_json()


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        (dict(profile="on-prem"), "on-prem"),
        (dict(client="cobol"), "cobol"),
        (dict(heartbeat="sometimes"), "sometimes"),
        (dict(client_version="zero.ten"), "zero.ten"),
        (dict(broker_version="0.x"), "0.x"),
        (dict(rate=0), "rate=0"),
        (dict(record_ms_p99=float("nan")), "record_ms_p99=NaN"),
        (dict(threads=0), "threads=0"),
        (dict(group="orders"), "orders"),
    ],
)
def test_bad_arguments_raise_config_error_naming_the_value(
    kwargs: dict[str, object], named: str
) -> None:
    with pytest.raises(steady.ConfigError, match=named) as caught:
        steady.check({}, **kwargs)
    assert caught.value.findings == []
    assert isinstance(caught.value, steady.SteadyError)


def test_unreadable_file_raises_config_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.properties"
    with pytest.raises(steady.ConfigError, match="nope.properties"):
        steady.check(missing)


def test_unreachable_broker_raises_kafka_error_naming_it() -> None:
    with pytest.raises(steady.KafkaError, match="127.0.0.1:1"):
        steady.check({}, bootstrap_servers="127.0.0.1:1", probe_timeout=3)


def test_broker_version_and_probe_are_exclusive() -> None:
    with pytest.raises(steady.ConfigError, match="not both"):
        steady.check({}, broker_version="2.8", bootstrap_servers="127.0.0.1:1")


def test_wrong_types_raise_type_error() -> None:
    with pytest.raises(TypeError, match="max.poll.records"):
        steady.check({"max.poll.records": [1]})
    with pytest.raises(TypeError, match="settings"):
        steady.check(42)


def test_probe_reads_the_real_broker(bootstrap: str) -> None:
    report = steady.check({"session.timeout.ms": "45000"}, bootstrap_servers=bootstrap)
    doc = json.loads(report.to_json())
    assert doc["broker"]["kip848"] is True
    assert "VR003" not in by_rule(report)
