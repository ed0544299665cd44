//! Table-driven tests of every rule: for each, inputs where it fires (severity, key and
//! recommendation checked) and inputs where it stays silent, unknown inputs included.

use super::*;
use crate::settings::{Dialect, Settings};
use Severity::{Error as E, Info as I, Warning as W};

/// An input under construction.
#[derive(Clone, Default)]
struct T(Input);

fn keys(pairs: &[(&str, &str)]) -> T {
    let mut t = T::default();
    t.0.settings = Settings::from_pairs(pairs.iter().copied());
    t
}

impl T {
    fn client(mut self, dialect: Dialect, version: Option<&str>) -> Self {
        self.0.client.dialect = Some(dialect);
        self.0.client.version = version.map(|v| v.parse().unwrap());
        self
    }
    fn java(self, version: &str) -> Self {
        self.client(Dialect::Java, Some(version))
    }
    fn java_any(self) -> Self {
        self.client(Dialect::Java, None)
    }
    fn rdkafka(self) -> Self {
        self.client(Dialect::Librdkafka, None)
    }
    fn steady(self) -> Self {
        self.client(Dialect::Steady, None)
    }
    fn coupled(mut self) -> Self {
        self.0.client.heartbeat = Some(Heartbeat::Coupled);
        self
    }
    fn broker(mut self, version: &str) -> Self {
        self.0.broker = Some(BrokerFacts::from_version(
            BrokerVersion::parse(version).unwrap(),
        ));
        self
    }
    fn facts(mut self, edit: impl FnOnce(&mut BrokerFacts)) -> Self {
        edit(self.0.broker.get_or_insert_with(BrokerFacts::default));
        self
    }
    fn members(self, partitions: Option<u32>, ids: &[Option<&str>]) -> Self {
        let members = ids
            .iter()
            .enumerate()
            .map(|(i, id)| GroupMember {
                member_id: format!("m{i}"),
                client_id: "c".into(),
                client_host: "/10.0.0.1".into(),
                instance_id: id.map(str::to_string),
            })
            .collect();
        self.facts(|f| {
            f.group = Some(GroupFacts {
                group: "orders".into(),
                state: "Stable".into(),
                protocol: "range".into(),
                members,
                partitions,
            })
        })
    }
    fn rate(mut self, rate: f64, threads: u32) -> Self {
        self.0.workload.rate_per_thread = Some(rate);
        self.0.workload.threads = Some(threads);
        self
    }
    fn p99(mut self, p99: f64) -> Self {
        self.0.workload.record_ms_p99 = Some(p99);
        self
    }
    fn p50(mut self, p50: f64) -> Self {
        self.0.workload.record_ms_p50 = Some(p50);
        self
    }
    fn partitions(mut self, n: u32) -> Self {
        self.0.workload.assigned_partitions = Some(n);
        self
    }
    fn profile(mut self, p: Profile) -> Self {
        self.0.profile = p;
        self
    }
}

/// What a case expects of its rule: `None` = silent.
type Expect = Option<(Severity, &'static str, Option<(&'static str, &'static str)>)>;

fn fire(sev: Severity, key: &'static str, rec: Option<(&'static str, &'static str)>) -> Expect {
    Some((sev, key, rec))
}

/// Runs every case; each names its rule and the expected finding (or silence).
fn run(rule: &str, cases: Vec<(&str, T, Expect)>) {
    for (label, t, expect) in cases {
        let report = check(&t.0);
        let found: Vec<&Finding> = report.findings.iter().filter(|f| f.rule == rule).collect();
        match expect {
            None => assert!(
                found.is_empty(),
                "{rule} {label}: expected silence, got {found:#?}"
            ),
            Some((severity, key, rec)) => {
                let f = found
                    .iter()
                    .find(|f| f.key == key)
                    .unwrap_or_else(|| panic!("{rule} {label}: no finding on {key}: {report:#?}"));
                assert_eq!(f.severity, severity, "{rule} {label}: {}", f.message);
                let got = f
                    .recommendation
                    .as_ref()
                    .map(|r| (r.key.as_str(), r.value.as_str()));
                assert_eq!(got, rec, "{rule} {label}");
                assert!(!f.message.is_empty() && !f.source.is_empty());
            }
        }
    }
}

fn seed_input() -> T {
    keys(&[
        ("session.timeout.ms", "40000"),
        ("max.poll.records", "2000"),
    ])
    .java("0.10.0")
    .broker("0.10.0")
    .rate(10.0, 2)
}

#[test]
fn the_seed_example() {
    let report = check(&seed_input().0);
    let get = |id| report.findings.iter().find(|f| f.rule == id).unwrap();
    assert_eq!(get("VR001").severity, E);
    let st006 = get("ST006");
    assert_eq!(st006.severity, W);
    assert_eq!(st006.recommendation.as_ref().unwrap().value, "25000");
    let pl002 = get("PL002");
    assert_eq!(pl002.severity, E);
    assert!(pl002.message.contains("= 800 records"), "{}", pl002.message);
    assert_eq!(pl002.recommendation.as_ref().unwrap().value, "80");
    assert_eq!(get("PL003").severity, E);
    // Java 0.10.0 also refuses request.timeout.ms (default 40000) ≤ session.timeout.ms.
    assert_eq!(get("ST008").severity, E);
    assert_eq!(report.worst(), Some(E));
    assert_eq!(report.findings[0].severity, E);
}

#[test]
fn vr001() {
    run(
        "VR001",
        vec![
            (
                "0.10.0",
                keys(&[]).broker("0.10.0"),
                fire(E, "broker", None),
            ),
            (
                "0.10.0.1",
                keys(&[]).broker("0.10.0.1"),
                fire(E, "broker", None),
            ),
            (
                "0.10.1",
                keys(&[]).broker("0.10.1"),
                fire(W, "broker", None),
            ),
            (
                "0.10.0–0.10.1",
                keys(&[]).broker("0.10.0-0.10.1"),
                fire(W, "broker", None),
            ),
            ("0.10.2", keys(&[]).broker("0.10.2"), None),
            ("0.9", keys(&[]).broker("0.9.0"), None),
            ("straddles 0.10.2", keys(&[]).broker("0.10.1-0.11"), None),
            ("unknown", keys(&[]), None),
        ],
    );
}

#[test]
fn st006() {
    let rec = Some(("session.timeout.ms", "25000"));
    let s40 = || keys(&[("session.timeout.ms", "40000")]);
    run(
        "ST006",
        vec![
            (
                "alibaba",
                s40().java_any().profile(Profile::Alibaba),
                fire(W, "session.timeout.ms", rec),
            ),
            (
                "old broker, librdkafka default",
                keys(&[]).rdkafka().broker("0.10.1"),
                fire(W, "session.timeout.ms", rec),
            ),
            (
                "steady too",
                keys(&[]).steady().profile(Profile::Alibaba),
                fire(W, "session.timeout.ms", rec),
            ),
            (
                "30000",
                keys(&[("session.timeout.ms", "30000")]).profile(Profile::Alibaba),
                None,
            ),
            ("new broker", s40().broker("2.0"), None),
            ("nothing known", s40(), None),
        ],
    );
}

#[test]
fn pl002() {
    let mpr = |n| keys(&[("session.timeout.ms", "40000"), ("max.poll.records", n)]);
    run(
        "PL002",
        vec![
            (
                "seed",
                seed_input(),
                fire(E, "max.poll.records", Some(("max.poll.records", "80"))),
            ),
            (
                "above L/4",
                mpr("300").java("0.10.0").rate(10.0, 2),
                fire(W, "max.poll.records", Some(("max.poll.records", "80"))),
            ),
            ("exactly L/4", mpr("200").java("0.10.0").rate(10.0, 2), None),
            (
                "unset on 0.10.0",
                keys(&[]).java("0.10.0").rate(1.0, 1),
                fire(E, "max.poll.records", Some(("max.poll.records", "3"))),
            ),
            (
                "alibaba, decoupled",
                keys(&[("session.timeout.ms", "25000")])
                    .java("3.0")
                    .rate(10.0, 2)
                    .profile(Profile::Alibaba),
                fire(E, "max.poll.records", Some(("max.poll.records", "50"))),
            ),
            (
                "tiny L",
                keys(&[("session.timeout.ms", "6000")])
                    .java_any()
                    .coupled()
                    .rate(0.1, 1),
                fire(E, "max.poll.records", Some(("max.poll.records", "1"))),
            ),
            ("rate unknown", mpr("2000").java("0.10.0"), None),
            (
                "threads unknown",
                {
                    let mut t = mpr("2000").java("0.10.0");
                    t.0.workload.rate_per_thread = Some(10.0);
                    t
                },
                None,
            ),
            (
                "decoupled, apache",
                mpr("2000").java("2.0").rate(10.0, 2),
                None,
            ),
            (
                "steady",
                mpr("2000").steady().rate(10.0, 2).profile(Profile::Alibaba),
                None,
            ),
            (
                "librdkafka",
                keys(&[]).rdkafka().rate(10.0, 2).profile(Profile::Alibaba),
                None,
            ),
        ],
    );
}

#[test]
fn pl003() {
    run(
        "PL003",
        vec![
            (
                "java 0.10.0",
                keys(&[]).java("0.10.0"),
                fire(E, "client", None),
            ),
            (
                "said coupled",
                keys(&[]).rdkafka().coupled(),
                fire(E, "client", None),
            ),
            ("java 0.10.1", keys(&[]).java("0.10.1"), None),
            ("java, version unknown", keys(&[]).java_any(), None),
            ("steady", keys(&[]).steady().coupled(), None),
        ],
    );
}

#[test]
fn pl001() {
    let t = || keys(&[("max.poll.records", "500")]).java("2.0");
    run(
        "PL001",
        vec![
            (
                "at the interval",
                t().p99(600.0),
                fire(E, "max.poll.records", Some(("max.poll.records", "249"))),
            ),
            (
                "half of it",
                t().p99(300.0),
                fire(W, "max.poll.records", Some(("max.poll.records", "499"))),
            ),
            ("below half", t().p99(100.0), None),
            ("p99 unknown", t(), None),
            ("heartbeat unknown", keys(&[]).java_any().p99(600.0), None),
            ("coupled", t().coupled().p99(600.0), None),
            (
                "steady",
                keys(&[("max.poll.records", "500")]).steady().p99(60_000.0),
                None,
            ),
            (
                "librdkafka, one slow record",
                keys(&[("max.poll.interval.ms", "10000")])
                    .rdkafka()
                    .p99(25_000.0),
                fire(
                    E,
                    "max.poll.interval.ms",
                    Some(("max.poll.interval.ms", "50000")),
                ),
            ),
            (
                "librdkafka, half the interval",
                keys(&[("max.poll.interval.ms", "10000")])
                    .rdkafka()
                    .p99(6_000.0),
                fire(
                    W,
                    "max.poll.interval.ms",
                    Some(("max.poll.interval.ms", "12000")),
                ),
            ),
            (
                "librdkafka, fast records",
                keys(&[]).rdkafka().p99(100.0),
                None,
            ),
        ],
    );
}

#[test]
fn pl004() {
    run(
        "PL004",
        vec![
            (
                "unset",
                keys(&[]).java("0.10.0"),
                fire(E, "max.poll.records", Some(("max.poll.records", "500"))),
            ),
            (
                "unset, workload known",
                keys(&[]).java("0.10.0.1").rate(10.0, 2),
                fire(E, "max.poll.records", Some(("max.poll.records", "60"))),
            ),
            (
                "set",
                keys(&[("max.poll.records", "100")]).java("0.10.0"),
                None,
            ),
            ("0.10.1", keys(&[]).java("0.10.1"), None),
            ("version unknown", keys(&[]).java_any(), None),
        ],
    );
}

#[test]
fn cf001() {
    let rec = Some(("session.timeout.ms", "40000"));
    run(
        "CF001",
        vec![
            (
                "misspelt",
                keys(&[("sesion.timeout.ms", "40000")]).java_any(),
                fire(W, "sesion.timeout.ms", rec),
            ),
            (
                "misspelt, steady",
                keys(&[("sesion.timeout.ms", "40000")]).steady(),
                fire(E, "sesion.timeout.ms", rec),
            ),
            (
                "other dialect's name",
                keys(&[("fetch.max.wait.ms", "100")]).rdkafka(),
                fire(W, "fetch.max.wait.ms", Some(("fetch.wait.max.ms", "100"))),
            ),
            (
                "java-only key",
                keys(&[("key.deserializer", "x")]).rdkafka(),
                fire(W, "key.deserializer", None),
            ),
            (
                "java-only key, steady",
                keys(&[("key.deserializer", "x")]).steady(),
                fire(E, "key.deserializer", None),
            ),
            (
                "garbage",
                keys(&[("zzz", "1")]).java_any(),
                fire(W, "zzz", None),
            ),
            (
                "known",
                keys(&[("session.timeout.ms", "40000")]).java_any(),
                None,
            ),
            (
                "config provider",
                keys(&[("config.providers.file.class", "x")]).java_any(),
                None,
            ),
            (
                "max.poll.records in librdkafka is RK001's",
                keys(&[("max.poll.records", "5")]).rdkafka(),
                None,
            ),
            (
                "max.poll.records in steady",
                keys(&[("max.poll.records", "5")]).steady(),
                None,
            ),
            (
                "steady key in steady",
                keys(&[("steady.revoke.drain.ms", "10")]).steady(),
                None,
            ),
        ],
    );
}

#[test]
fn cf002() {
    run(
        "CF002",
        vec![
            (
                "below range",
                keys(&[("steady.buffer.max.records", "0")]).steady(),
                fire(
                    E,
                    "steady.buffer.max.records",
                    Some(("steady.buffer.max.records", "1024")),
                ),
            ),
            (
                "alias below range",
                keys(&[("max.poll.records", "0")]).steady(),
                fire(E, "max.poll.records", Some(("max.poll.records", "1024"))),
            ),
            (
                "bad enum",
                keys(&[("steady.stall.policy", "explode")]).steady(),
                fire(
                    E,
                    "steady.stall.policy",
                    Some(("steady.stall.policy", "leave")),
                ),
            ),
            (
                "not a number",
                keys(&[("session.timeout.ms", "abc")]).rdkafka(),
                fire(
                    E,
                    "session.timeout.ms",
                    Some(("session.timeout.ms", "45000")),
                ),
            ),
            (
                "not a bool",
                keys(&[("enable.auto.commit", "yes")]).java_any(),
                fire(
                    E,
                    "enable.auto.commit",
                    Some(("enable.auto.commit", "true")),
                ),
            ),
            (
                "no default: clamp",
                keys(&[("sasl.login.refresh.buffer.seconds", "4000")]).java_any(),
                fire(
                    E,
                    "sasl.login.refresh.buffer.seconds",
                    Some(("sasl.login.refresh.buffer.seconds", "300")),
                ),
            ),
            (
                "java accepts any int",
                keys(&[("session.timeout.ms", "-1")]).java_any(),
                None,
            ),
            (
                "valid",
                keys(&[
                    ("steady.stall.policy", "REPORT"),
                    ("max.poll.records", "10000000"),
                ])
                .steady(),
                None,
            ),
        ],
    );
    let report = check(&keys(&[("steady.stall.policy", "explode")]).steady().0);
    assert!(report.findings[0].message.contains("one of leave, report"));
}

#[test]
fn st001_st002() {
    let hb = |hb| {
        keys(&[
            ("session.timeout.ms", "10000"),
            ("heartbeat.interval.ms", hb),
        ])
        .java_any()
    };
    let rec = Some(("heartbeat.interval.ms", "3333"));
    run(
        "ST001",
        vec![
            ("equal", hb("10000"), fire(E, "heartbeat.interval.ms", rec)),
            ("below", hb("3000"), None),
            (
                "consumer protocol",
                keys(&[
                    ("group.protocol", "consumer"),
                    ("heartbeat.interval.ms", "90000"),
                ])
                .java_any(),
                None,
            ),
        ],
    );
    run(
        "ST002",
        vec![
            (
                "above a third",
                hb("4000"),
                fire(W, "heartbeat.interval.ms", rec),
            ),
            ("a third", hb("3333"), None),
            ("at the session (ST001's)", hb("10000"), None),
        ],
    );
}

#[test]
fn st003() {
    let s = |v| keys(&[("session.timeout.ms", v)]).java_any();
    run(
        "ST003",
        vec![
            (
                "above 2.0's max",
                s("400000").broker("2.0"),
                fire(
                    E,
                    "session.timeout.ms",
                    Some(("session.timeout.ms", "300000")),
                ),
            ),
            (
                "below the min",
                s("5000").broker("2.0"),
                fire(
                    E,
                    "session.timeout.ms",
                    Some(("session.timeout.ms", "6000")),
                ),
            ),
            (
                "probed window",
                s("45000").facts(|f| f.group_max_session_timeout_ms = Some(30_000)),
                fire(
                    E,
                    "session.timeout.ms",
                    Some(("session.timeout.ms", "30000")),
                ),
            ),
            (
                "azure window",
                s("400000").profile(Profile::AzureEventHubs),
                fire(
                    E,
                    "session.timeout.ms",
                    Some(("session.timeout.ms", "300000")),
                ),
            ),
            ("2.3 allows it", s("400000").broker("2.3"), None),
            ("window unknown", s("400000"), None),
        ],
    );
}

#[test]
fn st004() {
    let s10 = || keys(&[("session.timeout.ms", "10000")]);
    let rec = Some(("session.timeout.ms", "45000"));
    run(
        "ST004",
        vec![
            (
                "2.0 default session",
                keys(&[]).java("2.0"),
                fire(W, "session.timeout.ms", rec),
            ),
            (
                "version unknown",
                s10().java_any(),
                fire(W, "session.timeout.ms", rec),
            ),
            ("3.0 defaults", keys(&[]).java("3.0"), None),
            ("before 2.0", keys(&[]).java("1.0"), None),
            ("alibaba", s10().java_any().profile(Profile::Alibaba), None),
            ("librdkafka", s10().rdkafka(), None),
        ],
    );
}

#[test]
fn st005() {
    let s = |v| keys(&[("session.timeout.ms", v)]).java_any();
    run(
        "ST005",
        vec![
            (
                "8000",
                s("8000"),
                fire(
                    W,
                    "session.timeout.ms",
                    Some(("session.timeout.ms", "10000")),
                ),
            ),
            (
                "azure",
                s("20000").profile(Profile::AzureEventHubs),
                fire(
                    W,
                    "session.timeout.ms",
                    Some(("session.timeout.ms", "30000")),
                ),
            ),
            ("10000", s("10000"), None),
            (
                "unknown (java 0.9 had no default here)",
                keys(&[]).java("0.9.0").facts(|_| {}),
                None,
            ),
        ],
    );
}

#[test]
fn st007() {
    let t = |interval| keys(&[("max.poll.interval.ms", interval)]);
    run(
        "ST007",
        vec![
            (
                "librdkafka",
                t("30000").rdkafka(),
                fire(
                    E,
                    "max.poll.interval.ms",
                    Some(("max.poll.interval.ms", "45000")),
                ),
            ),
            (
                "steady",
                t("30000").steady(),
                fire(
                    E,
                    "max.poll.interval.ms",
                    Some(("max.poll.interval.ms", "45000")),
                ),
            ),
            (
                "java",
                t("30000").java("3.0"),
                fire(
                    W,
                    "max.poll.interval.ms",
                    Some(("max.poll.interval.ms", "45000")),
                ),
            ),
            (
                "azure floor",
                t("40000").java("3.0").profile(Profile::AzureEventHubs),
                fire(
                    W,
                    "max.poll.interval.ms",
                    Some(("max.poll.interval.ms", "50000")),
                ),
            ),
            ("fine", t("300000").rdkafka(), None),
            ("java 0.10.0 has none", keys(&[]).java("0.10.0"), None),
        ],
    );
}

#[test]
fn st008_st009() {
    let rec = |v| Some(("request.timeout.ms", v));
    run(
        "ST008",
        vec![
            (
                "session above request",
                keys(&[("session.timeout.ms", "40000")]).java("0.10.0"),
                fire(E, "request.timeout.ms", rec("45000")),
            ),
            (
                "request below wait",
                keys(&[("request.timeout.ms", "9000")]).java("1.0"),
                fire(E, "request.timeout.ms", rec("305000")),
            ),
            ("0.10.0 defaults", keys(&[]).java("0.10.0"), None),
            (
                "2.0",
                keys(&[("request.timeout.ms", "1000")]).java("2.0"),
                None,
            ),
            (
                "version unknown",
                keys(&[("request.timeout.ms", "1000")]).java_any(),
                None,
            ),
        ],
    );
    run(
        "ST009",
        vec![
            (
                "below the poll interval",
                keys(&[("request.timeout.ms", "200000")]).java("0.10.1"),
                fire(E, "request.timeout.ms", rec("305000")),
            ),
            ("defaults", keys(&[]).java("1.1"), None),
            (
                "2.0",
                keys(&[("request.timeout.ms", "200000")]).java("2.0"),
                None,
            ),
            (
                "0.10.0",
                keys(&[("request.timeout.ms", "200000")]).java("0.10.0"),
                None,
            ),
        ],
    );
}

#[test]
fn st010() {
    run(
        "ST010",
        vec![
            (
                "below",
                keys(&[("default.api.timeout.ms", "20000")]).java_any(),
                fire(
                    I,
                    "default.api.timeout.ms",
                    Some(("default.api.timeout.ms", "30000")),
                ),
            ),
            ("defaults", keys(&[]).java_any(), None),
            (
                "1.1 has no such key",
                keys(&[("request.timeout.ms", "400000")]).java("1.1"),
                None,
            ),
            ("librdkafka", keys(&[]).rdkafka(), None),
        ],
    );
}

#[test]
fn pl005_pl006() {
    run(
        "PL005",
        vec![
            (
                "an hour",
                keys(&[("max.poll.interval.ms", "3600000")]).rdkafka(),
                fire(
                    W,
                    "max.poll.interval.ms",
                    Some(("max.poll.interval.ms", "300000")),
                ),
            ),
            ("default", keys(&[]).rdkafka(), None),
        ],
    );
    run(
        "PL006",
        vec![
            (
                "10×",
                keys(&[]).java_any().p50(10.0).p99(100.0),
                fire(I, "workload", None),
            ),
            ("5×", keys(&[]).java_any().p50(10.0).p99(50.0), None),
            ("steady", keys(&[]).steady().p50(10.0).p99(100.0), None),
            ("p50 unknown", keys(&[]).java_any().p99(100.0), None),
        ],
    );
}

#[test]
fn librdkafka_rules() {
    run(
        "RK001",
        vec![
            (
                "librdkafka",
                keys(&[("max.poll.records", "100")]).rdkafka(),
                fire(E, "max.poll.records", None),
            ),
            (
                "steady",
                keys(&[("max.poll.records", "100")]).steady(),
                None,
            ),
            (
                "java",
                keys(&[("max.poll.records", "100")]).java_any(),
                None,
            ),
        ],
    );
    let no_store = || keys(&[("enable.auto.offset.store", "false")]);
    run(
        "RK002",
        vec![
            (
                "slow records",
                keys(&[]).rdkafka().p99(2000.0),
                fire(
                    W,
                    "enable.auto.offset.store",
                    Some(("enable.auto.offset.store", "false")),
                ),
            ),
            ("store off", no_store().rdkafka().p99(2000.0), None),
            ("steady forces it off", keys(&[]).steady().p99(2000.0), None),
            ("p99 unknown", keys(&[]).rdkafka(), None),
        ],
    );
    let rec = Some(("enable.auto.commit", "true"));
    run(
        "RK003",
        vec![
            (
                "both off",
                keys(&[
                    ("enable.auto.offset.store", "false"),
                    ("enable.auto.commit", "false"),
                ])
                .rdkafka(),
                fire(W, "enable.auto.commit", rec),
            ),
            (
                "steady without auto-commit",
                keys(&[("enable.auto.commit", "false")]).steady(),
                fire(W, "enable.auto.commit", rec),
            ),
            ("store off only", no_store().rdkafka(), None),
            (
                "java",
                keys(&[("enable.auto.commit", "false")]).java_any(),
                None,
            ),
        ],
    );
}

#[test]
fn librdkafka_fetch_rules() {
    run(
        "FT001",
        vec![
            (
                "below",
                keys(&[
                    ("fetch.max.bytes", "500000"),
                    ("message.max.bytes", "1000000"),
                ])
                .rdkafka(),
                fire(E, "fetch.max.bytes", Some(("fetch.max.bytes", "1000000"))),
            ),
            (
                "one unset",
                keys(&[("fetch.max.bytes", "500000")]).rdkafka(),
                None,
            ),
        ],
    );
    run(
        "FT002",
        vec![
            (
                "too small",
                keys(&[
                    ("receive.message.max.bytes", "1000000"),
                    ("fetch.max.bytes", "1000000"),
                ])
                .steady(),
                fire(
                    E,
                    "receive.message.max.bytes",
                    Some(("receive.message.max.bytes", "1000512")),
                ),
            ),
            (
                "receive unset",
                keys(&[("fetch.max.bytes", "1000000")]).rdkafka(),
                None,
            ),
        ],
    );
    run(
        "FT004",
        vec![
            (
                "above the queue",
                keys(&[("fetch.max.bytes", "100000000")]).rdkafka(),
                fire(I, "fetch.max.bytes", Some(("fetch.max.bytes", "67108864"))),
            ),
            (
                "unset",
                keys(&[("queued.max.messages.kbytes", "1024")]).rdkafka(),
                None,
            ),
            (
                "java",
                keys(&[("fetch.max.bytes", "100000000")]).java_any(),
                None,
            ),
        ],
    );
}

#[test]
fn java_fetch_rules() {
    let max = |t: T| t.facts(|f| f.message_max_bytes = Some(2_000_000));
    run(
        "FT003",
        vec![
            (
                "0.10.0",
                max(keys(&[]).java("0.10.0")),
                fire(
                    E,
                    "max.partition.fetch.bytes",
                    Some(("max.partition.fetch.bytes", "2000000")),
                ),
            ),
            ("0.10.1", max(keys(&[]).java("0.10.1")), None),
            ("broker max unknown", keys(&[]).java("0.10.0"), None),
        ],
    );
    run(
        "FT005",
        vec![
            (
                "100 partitions",
                keys(&[]).java_any().partitions(100),
                fire(
                    I,
                    "max.partition.fetch.bytes",
                    Some(("max.partition.fetch.bytes", "524288")),
                ),
            ),
            ("10 partitions", keys(&[]).java_any().partitions(10), None),
            ("partitions unknown", keys(&[]).java_any(), None),
        ],
    );
}

#[test]
fn group_rules() {
    let g = || keys(&[("group.id", "orders")]);
    run(
        "GR001",
        vec![
            (
                "2.3",
                g().java_any().broker("2.3"),
                fire(I, "group.instance.id", None),
            ),
            (
                "broker unknown",
                g().rdkafka(),
                fire(I, "group.instance.id", None),
            ),
            ("2.2", g().java_any().broker("2.2"), None),
            (
                "static already",
                keys(&[("group.id", "o"), ("group.instance.id", "pod-1")]).java_any(),
                None,
            ),
            ("no group", keys(&[]).java_any(), None),
            ("old client", g().java("2.0"), None),
        ],
    );
    run(
        "GR002",
        vec![
            (
                "shared id",
                keys(&[]).members(Some(4), &[Some("a"), Some("a"), Some("b")]),
                fire(E, "group.instance.id", None),
            ),
            (
                "unique",
                keys(&[]).members(Some(4), &[Some("a"), Some("b"), None, None]),
                None,
            ),
            ("no group facts", keys(&[]), None),
        ],
    );
    let rd_rec = Some(("partition.assignment.strategy", "cooperative-sticky"));
    run(
        "GR003",
        vec![
            (
                "librdkafka default",
                keys(&[]).rdkafka(),
                fire(W, "partition.assignment.strategy", rd_rec),
            ),
            (
                "java 2.8 default",
                keys(&[]).java("2.8"),
                fire(
                    W,
                    "partition.assignment.strategy",
                    Some((
                        "partition.assignment.strategy",
                        "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
                    )),
                ),
            ),
            ("java 3.0 default", keys(&[]).java("3.0"), None),
            ("java 2.3 cannot", keys(&[]).java("2.3"), None),
            (
                "cooperative",
                keys(&[("partition.assignment.strategy", "cooperative-sticky")]).rdkafka(),
                None,
            ),
            (
                "custom",
                keys(&[("partition.assignment.strategy", "com.example.Mine")]).java_any(),
                None,
            ),
            (
                "consumer protocol",
                keys(&[("group.protocol", "consumer")]).rdkafka(),
                None,
            ),
        ],
    );
    run(
        "GR004",
        vec![
            (
                "mixed",
                keys(&[("partition.assignment.strategy", "range,cooperative-sticky")]).rdkafka(),
                fire(E, "partition.assignment.strategy", rd_rec),
            ),
            (
                "java allows it",
                keys(&[("partition.assignment.strategy", "range,cooperative-sticky")]).java_any(),
                None,
            ),
            ("one kind", keys(&[]).rdkafka(), None),
        ],
    );
    run(
        "GR005",
        vec![
            (
                "session under consumer",
                keys(&[
                    ("group.protocol", "consumer"),
                    ("session.timeout.ms", "45000"),
                ])
                .java_any(),
                fire(E, "session.timeout.ms", None),
            ),
            (
                "protocol type under consumer",
                keys(&[
                    ("group.protocol", "Consumer"),
                    ("group.protocol.type", "consumer"),
                ])
                .rdkafka(),
                fire(E, "group.protocol.type", None),
            ),
            (
                "remote assignor under classic",
                keys(&[("group.remote.assignor", "uniform")]).java_any(),
                fire(E, "group.remote.assignor", None),
            ),
            (
                "consumer alone",
                keys(&[
                    ("group.protocol", "consumer"),
                    ("group.remote.assignor", "uniform"),
                ])
                .java_any(),
                None,
            ),
        ],
    );
    run(
        "GR006",
        vec![
            (
                "4.0",
                keys(&[]).rdkafka().broker("4.0"),
                fire(I, "group.protocol", Some(("group.protocol", "consumer"))),
            ),
            (
                "probed",
                keys(&[]).steady().facts(|f| f.kip848 = Some(true)),
                fire(I, "group.protocol", Some(("group.protocol", "consumer"))),
            ),
            ("3.5", keys(&[]).rdkafka().broker("3.5"), None),
            (
                "already",
                keys(&[("group.protocol", "consumer")])
                    .rdkafka()
                    .broker("4.0"),
                None,
            ),
            ("java 3.0 client", keys(&[]).java("3.0").broker("4.0"), None),
        ],
    );
    run(
        "GR007",
        vec![
            (
                "3.5",
                keys(&[("group.protocol", "consumer")])
                    .rdkafka()
                    .broker("3.5"),
                fire(E, "group.protocol", Some(("group.protocol", "classic"))),
            ),
            (
                "4.0",
                keys(&[("group.protocol", "consumer")])
                    .rdkafka()
                    .broker("4.0"),
                None,
            ),
            (
                "unknown",
                keys(&[("group.protocol", "consumer")]).rdkafka(),
                None,
            ),
        ],
    );
    run(
        "GR008",
        vec![
            (
                "idle",
                keys(&[]).members(Some(2), &[None, None, None]),
                fire(W, "group", None),
            ),
            (
                "enough partitions",
                keys(&[]).members(Some(3), &[None, None, None]),
                None,
            ),
            (
                "partitions unknown",
                keys(&[]).members(None, &[None, None, None]),
                None,
            ),
        ],
    );
}

#[test]
fn offset_rules() {
    run(
        "OF001",
        vec![
            (
                "steady asked to store",
                keys(&[("enable.auto.offset.store", "true")]).steady(),
                fire(
                    W,
                    "enable.auto.offset.store",
                    Some(("enable.auto.offset.store", "false")),
                ),
            ),
            ("steady", keys(&[]).steady(), None),
            (
                "librdkafka (hand-off unknown)",
                keys(&[("enable.auto.offset.store", "true")]).rdkafka(),
                None,
            ),
        ],
    );
    run(
        "OF002",
        vec![
            (
                "explicit, no group",
                keys(&[("enable.auto.commit", "true")]).java_any(),
                fire(E, "group.id", None),
            ),
            (
                "steady, no group",
                keys(&[]).steady(),
                fire(E, "group.id", None),
            ),
            (
                "with group",
                keys(&[("enable.auto.commit", "true"), ("group.id", "g")]).java_any(),
                None,
            ),
            ("java default", keys(&[]).java_any(), None),
        ],
    );
    run(
        "OF003",
        vec![
            (
                "100 ms",
                keys(&[("auto.commit.interval.ms", "100")]).java_any(),
                fire(
                    W,
                    "auto.commit.interval.ms",
                    Some(("auto.commit.interval.ms", "5000")),
                ),
            ),
            (
                "librdkafka 0 disables",
                keys(&[("auto.commit.interval.ms", "0")]).rdkafka(),
                None,
            ),
            (
                "auto-commit off",
                keys(&[
                    ("auto.commit.interval.ms", "100"),
                    ("enable.auto.commit", "false"),
                ])
                .java_any(),
                None,
            ),
        ],
    );
    run(
        "OF004",
        vec![
            (
                "java default",
                keys(&[]).java_any(),
                fire(I, "auto.offset.reset", None),
            ),
            (
                "librdkafka largest",
                keys(&[]).rdkafka(),
                fire(I, "auto.offset.reset", None),
            ),
            (
                "earliest",
                keys(&[("auto.offset.reset", "earliest")]).java_any(),
                None,
            ),
        ],
    );
    run(
        "VR002",
        vec![
            (
                "2.0 on 4.0",
                keys(&[]).java("2.0").broker("4.0"),
                fire(E, "client", None),
            ),
            ("2.1", keys(&[]).java("2.1").broker("4.0"), None),
            ("3.9 broker", keys(&[]).java("2.0").broker("3.9"), None),
            ("client unknown", keys(&[]).java_any().broker("4.0"), None),
        ],
    );
    run(
        "VR003",
        vec![
            ("nothing known", keys(&[]), fire(I, "broker", None)),
            (
                "empty facts",
                keys(&[]).facts(|_| {}),
                fire(I, "broker", None),
            ),
            ("version known", keys(&[]).broker("2.0"), None),
        ],
    );
}

#[test]
fn dialect_is_guessed_from_keys() {
    use super::context::guess_dialect;
    let guess =
        |pairs: &[(&str, &str)]| guess_dialect(&Settings::from_pairs(pairs.iter().copied()));
    assert_eq!(guess(&[("session.timeout.ms", "1")]), Dialect::Java);
    assert_eq!(guess(&[("fetch.wait.max.ms", "1")]), Dialect::Librdkafka);
    assert_eq!(
        guess(&[
            ("fetch.wait.max.ms", "1"),
            ("steady.stall.policy", "report")
        ]),
        Dialect::Steady
    );
    // A guessed librdkafka dialect makes max.poll.records an error.
    let t = keys(&[("max.poll.records", "5"), ("queued.min.messages", "10")]);
    assert!(check(&t.0).has("RK001"));
}

#[test]
fn validate_reports_only_settings_rules() {
    let settings = Settings::from_pairs([
        ("steady.buffer.max.records", "abc"),
        ("sesion.timeout.ms", "1"),
        ("group.id", "g"),
    ]);
    let findings = validate(&settings, Dialect::Steady);
    let ids: Vec<&str> = findings.iter().map(|f| f.rule).collect();
    assert_eq!(findings.len(), 2, "{ids:?}");
    assert!(findings.iter().all(|f| f.severity == E));
    assert!(findings
        .iter()
        .any(|f| f.rule == "CF001" && f.message.contains("did you mean session.timeout.ms")));
    assert!(findings
        .iter()
        .any(|f| f.rule == "CF002" && f.message.contains("an integer")));
}

#[test]
fn report_is_sorted_counted_and_serialised() {
    let report = check(&seed_input().0);
    let order: Vec<(Severity, &str)> = report
        .findings
        .iter()
        .map(|f| (f.severity, f.rule))
        .collect();
    let mut sorted = order.clone();
    sorted.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    assert_eq!(order, sorted);
    let s = report.summary();
    assert_eq!((s.errors, s.warnings, s.info), (4, 1, 1));
    assert_eq!(report.errors().count(), 4);
    assert_eq!(report.warnings().count(), 1);

    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    let text = report.to_json();
    assert!(text.starts_with("{\"findings\":[{\"rule\":"), "{text}");
    assert_eq!(
        json["summary"],
        serde_json::json!({"errors": 4, "warnings": 1, "info": 1})
    );
    assert_eq!(
        json["broker"],
        serde_json::json!({"version": "0.10.0", "kip62": false, "static_membership": false, "kip848": false})
    );
    let st006 = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "ST006")
        .unwrap();
    assert_eq!(st006["severity"], "warning");
    assert_eq!(st006["key"], "session.timeout.ms");
    assert_eq!(
        st006["recommendation"],
        serde_json::json!({"key": "session.timeout.ms", "value": "25000"})
    );
    let vr001 = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "VR001")
        .unwrap();
    assert!(vr001["recommendation"].is_null());

    let clean = Report::default();
    assert_eq!(clean.worst(), None);
    let json: serde_json::Value = serde_json::from_str(&clean.to_json()).unwrap();
    assert!(json["broker"].is_null());
}

#[test]
fn text_groups_by_severity_and_hides_secrets() {
    let t = keys(&[
        ("sasl.pasword", "hunter2"),
        ("sasl.password", "hunter3"),
        ("max.poll.records", "5"),
    ])
    .rdkafka();
    let report = check(&t.0);
    let text = report.to_text();
    assert!(
        !text.contains("hunter2") && !text.contains("hunter3"),
        "{text}"
    );
    assert!(!report.to_json().contains("hunter"));
    let errors = text.find("Errors (").unwrap();
    let warnings = text.find("Warnings (").unwrap();
    let info = text.find("Info (").unwrap();
    assert!(errors < warnings && warnings < info);
    assert!(text.contains("fix: sasl.password=[redacted]"), "{text}");
}

#[test]
fn names_parse_and_name_the_allowed_words() {
    assert_eq!("alibaba".parse::<Profile>(), Ok(Profile::Alibaba));
    assert_eq!(
        "Azure-Event-Hubs".parse::<Profile>(),
        Ok(Profile::AzureEventHubs)
    );
    assert_eq!(Profile::AzureEventHubs.to_string(), "azure-event-hubs");
    let err = "aws".parse::<Profile>().unwrap_err().to_string();
    assert_eq!(
        err,
        "invalid profile 'aws': expected one of apache, alibaba, azure-event-hubs"
    );
    assert_eq!("coupled".parse::<Heartbeat>(), Ok(Heartbeat::Coupled));
    assert!("sometimes"
        .parse::<Heartbeat>()
        .unwrap_err()
        .to_string()
        .contains("coupled, decoupled"));
    assert_eq!("WARNING".parse::<Severity>(), Ok(W));
    assert_eq!(E.to_string(), "error");
    assert!("fatal"
        .parse::<Severity>()
        .unwrap_err()
        .to_string()
        .contains("info, warning, error"));
}

#[test]
fn broker_versions_compare_as_ranges() {
    let v = |s: &str| s.parse::<crate::version::Version>().unwrap();
    let exact = BrokerVersion::parse("0.10.0.1").unwrap();
    assert_eq!(exact, BrokerVersion::exact(v("0.10.0.1")));
    assert_eq!(exact.is_below(v("0.10.1")), Some(true));
    assert_eq!(exact.is_at_least(v("0.10.0")), Some(true));
    let range = BrokerVersion::parse("0.11-1.1").unwrap();
    assert_eq!(range.label, "0.11–1.1");
    assert_eq!(range.is_below(v("2.0")), Some(true));
    assert_eq!(range.is_below(v("1.0")), None);
    let open = BrokerVersion::parse("3.2+").unwrap();
    assert_eq!(open.max, None);
    assert_eq!(open.is_at_least(v("3.0")), Some(true));
    assert_eq!(open.is_below(v("4.0")), None);
    assert!(BrokerVersion::parse("1.1-0.11").is_err());
    assert!(BrokerVersion::parse("new").is_err());
}

#[test]
fn broker_facts_from_version() {
    let facts = |s: &str| BrokerFacts::from_version(BrokerVersion::parse(s).unwrap());
    let old = facts("0.10.0");
    assert_eq!(
        (old.kip62, old.static_membership, old.kip848),
        (Some(false), Some(false), Some(false))
    );
    assert_eq!(
        (
            old.group_min_session_timeout_ms,
            old.group_max_session_timeout_ms
        ),
        (Some(6000), Some(300_000))
    );
    let v23 = facts("2.3");
    assert_eq!(
        (v23.kip62, v23.static_membership, v23.kip848),
        (Some(true), Some(true), Some(false))
    );
    assert_eq!(v23.group_max_session_timeout_ms, Some(1_800_000));
    assert_eq!(facts("4.0").kip848, Some(true));
    assert_eq!(facts("0.9.0").group_max_session_timeout_ms, Some(30_000));
    let straddle = facts("2.2-2.4");
    assert_eq!(
        (
            straddle.static_membership,
            straddle.group_max_session_timeout_ms
        ),
        (None, None)
    );
    // From a plain version too (exact).
    let from_version = BrokerFacts::from_version("2.0".parse::<crate::version::Version>().unwrap());
    assert_eq!(from_version.version.unwrap().label, "2.0");
}
