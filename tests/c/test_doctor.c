/* The rule checks through the C ABI: the seed's example and a check against the probed broker. */
#include <string.h>

#include "harness.h"

/* The finding with rule id `rule`, or NULL. */
static const steady_finding *find_rule(const steady_report *report, const char *rule) {
    for (size_t i = 0; i < steady_report_count(report); i++) {
        const steady_finding *f = steady_report_finding(report, i);
        if (strcmp(steady_finding_rule(f), rule) == 0) {
            return f;
        }
    }
    return NULL;
}

/* Whether `f` recommends `key` = `value`. */
static int recommends(const steady_finding *f, const char *key, const char *value) {
    const char *k = steady_finding_recommended_key(f);
    const char *v = steady_finding_recommended_value(f);
    return k != NULL && v != NULL && strcmp(k, key) == 0 && strcmp(v, value) == 0;
}

/* The founding FAQ's case: a Java 0.10.0 client with a 40 s session and 2000-record polls, 2
 * threads at 10 records/s each, against a 0.10.0 broker. L = 10 × 2 × 40 = 800 records. */
void test_doctor_seed_example(void) {
    static const char *const pairs[] = {"session.timeout.ms", "40000", "max.poll.records", "2000",
                                        NULL};
    steady_settings *settings = test_settings(pairs);
    steady_check_options *options = NULL;
    steady_error *err = NULL;
    CHECK_OK(steady_check_options_new(&options));
    CHECK_RESULT(steady_check_options_set_dialect(options, "java", &err), STEADY_RESULT_OK, err);
    CHECK_RESULT(steady_check_options_set_client_version(options, "0.10.0", &err),
                 STEADY_RESULT_OK, err);
    CHECK_RESULT(steady_check_options_set_broker_version(options, "0.10.0", &err),
                 STEADY_RESULT_OK, err);
    CHECK_RESULT(steady_check_options_set_workload(options, 10.0, 2, &err), STEADY_RESULT_OK,
                 err);

    steady_report *report = NULL;
    CHECK_RESULT(steady_check(settings, options, &report, &err), STEADY_RESULT_OK, err);
    steady_check_options_free(options);
    steady_settings_free(settings);

    const steady_finding *vr001 = find_rule(report, "VR001");
    const steady_finding *st006 = find_rule(report, "ST006");
    const steady_finding *pl002 = find_rule(report, "PL002");
    const steady_finding *pl003 = find_rule(report, "PL003");
    CHECK(vr001 != NULL && st006 != NULL && pl002 != NULL && pl003 != NULL);
    CHECK(strcmp(steady_finding_severity(vr001), "error") == 0);
    CHECK(strcmp(steady_finding_severity(st006), "warning") == 0);
    CHECK(strcmp(steady_finding_severity(pl002), "error") == 0);
    CHECK(strcmp(steady_finding_severity(pl003), "error") == 0);
    CHECK(recommends(st006, "session.timeout.ms", "25000"));
    CHECK(recommends(pl002, "max.poll.records", "80"));
    CHECK(strcmp(steady_finding_key(pl002), "max.poll.records") == 0);
    CHECK(strlen(steady_finding_message(vr001)) > 0 && strlen(steady_finding_source(vr001)) > 0);
    CHECK(strcmp(steady_finding_severity(steady_report_finding(report, 0)), "error") == 0);

    char *json = NULL;
    CHECK_OK(steady_report_to_json(report, &json, NULL));
    CHECK(strstr(json, "\"rule\":\"PL002\"") != NULL);
    CHECK(strstr(json, "\"summary\"") != NULL);
    steady_string_free(json);
    steady_report_free(report);
}

/* Probes the test broker (Apache Kafka 4.x) and checks against the probed facts: the 0.10-era
 * findings disappear. */
void test_doctor_probe(void) {
    static const char *const pairs[] = {"session.timeout.ms", "40000", NULL};
    steady_settings *settings = test_settings(pairs);
    steady_error *err = NULL;
    char *facts = NULL;
    CHECK_RESULT(steady_probe(test_bootstrap(), settings, NULL, 30000, &facts, &err),
                 STEADY_RESULT_OK, err);
    CHECK(strstr(facts, "\"kip62\":true") != NULL);
    steady_string_free(facts);

    steady_check_options *options = NULL;
    CHECK_OK(steady_check_options_new(&options));
    CHECK_RESULT(steady_check_options_probe(options, test_bootstrap(), settings, NULL, 30000, &err),
                 STEADY_RESULT_OK, err);
    steady_report *report = NULL;
    CHECK_RESULT(steady_check(settings, options, &report, &err), STEADY_RESULT_OK, err);
    CHECK(find_rule(report, "VR001") == NULL);
    CHECK(find_rule(report, "VR003") == NULL);
    steady_report_free(report);
    steady_check_options_free(options);

    /* Nothing listens on port 1: unreachable within the timeout. */
    CHECK_RESULT(steady_probe("127.0.0.1:1", settings, NULL, 2000, &facts, &err),
                 STEADY_RESULT_BROKER_UNREACHABLE, err);
    CHECK(strstr(steady_error_message(err), "127.0.0.1:1") != NULL);
    steady_error_free(err);
    steady_settings_free(settings);
}
