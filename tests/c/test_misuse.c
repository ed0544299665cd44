/* Misuse of the C ABI: NULLs, bad UTF-8, out-of-range values, bad topic names, use after
 * close. Every one is an error code (with a message naming the culprit), never a crash. */
#include <string.h>

#include "harness.h"

static const char BAD_UTF8[] = {'a', (char)0xff, 'b', '\0'};

/* Calls without a broker. */
void test_misuse(void) {
    steady_error *err = NULL;
    steady_settings *settings = NULL;
    CHECK(steady_settings_new(NULL) == STEADY_RESULT_NULL_PARAMETER);
    CHECK_OK(steady_settings_new(&settings));

    CHECK_RESULT(steady_settings_set(NULL, "k", "v", &err), STEADY_RESULT_NULL_PARAMETER, err);
    CHECK(strcmp(steady_error_message(err), "settings is NULL") == 0);
    steady_error_free(err);
    err = NULL;
    CHECK_RESULT(steady_settings_set(settings, "k", NULL, &err), STEADY_RESULT_NULL_PARAMETER, err);
    CHECK(strcmp(steady_error_message(err), "value is NULL") == 0);
    steady_error_free(err);
    err = NULL;
    CHECK_RESULT(steady_settings_set(settings, BAD_UTF8, "v", &err), STEADY_RESULT_INVALID_UTF8,
                 err);
    CHECK(strstr(steady_error_message(err), "key") != NULL);
    steady_error_free(err);
    err = NULL;
    CHECK(steady_settings_set(settings, " ", "v", NULL) == STEADY_RESULT_CONFIG_SYNTAX);
    CHECK_RESULT(steady_settings_load_file(settings, "/nonexistent/consumer.properties", &err),
                 STEADY_RESULT_CONFIG_IO, err);
    CHECK(strstr(steady_error_message(err), "/nonexistent/consumer.properties") != NULL);
    steady_error_free(err);
    err = NULL;

    steady_check_options *options = NULL;
    CHECK_OK(steady_check_options_new(&options));
    CHECK_RESULT(steady_check_options_set_dialect(options, "cobol", &err),
                 STEADY_RESULT_INVALID_ARGUMENT, err);
    CHECK(strstr(steady_error_message(err), "cobol") != NULL);
    steady_error_free(err);
    err = NULL;
    CHECK(steady_check_options_set_profile(options, "nope", NULL) == STEADY_RESULT_INVALID_ARGUMENT);
    CHECK(steady_check_options_set_heartbeat(options, BAD_UTF8, NULL) == STEADY_RESULT_INVALID_UTF8);
    CHECK(steady_check_options_set_client_version(options, "x.y", NULL) ==
          STEADY_RESULT_INVALID_ARGUMENT);
    CHECK(steady_check_options_set_broker_version(options, NULL, NULL) ==
          STEADY_RESULT_NULL_PARAMETER);
    CHECK(steady_check_options_set_workload(options, -1.0, 2, NULL) ==
          STEADY_RESULT_INVALID_ARGUMENT);
    CHECK(steady_check_options_set_workload(options, 10.0, 0, NULL) ==
          STEADY_RESULT_INVALID_ARGUMENT);
    CHECK(steady_check_options_set_record_ms(options, 50.0, 5.0, NULL) ==
          STEADY_RESULT_INVALID_ARGUMENT);

    steady_report *report = NULL;
    CHECK(steady_check(NULL, options, &report, NULL) == STEADY_RESULT_NULL_PARAMETER);
    CHECK(steady_check(settings, options, NULL, NULL) == STEADY_RESULT_NULL_PARAMETER);
    CHECK(report == NULL);
    CHECK_OK(steady_check(settings, NULL, &report, NULL));
    CHECK(steady_report_finding(report, steady_report_count(report)) == NULL);
    CHECK(steady_report_to_json(report, NULL, NULL) == STEADY_RESULT_NULL_PARAMETER);
    steady_report_free(report);
    steady_check_options_free(options);

    /* Getters on NULL return their documented defaults. */
    CHECK(steady_report_count(NULL) == 0);
    CHECK(steady_report_finding(NULL, 0) == NULL);
    CHECK(steady_finding_rule(NULL) == NULL);
    CHECK(steady_finding_recommended_key(NULL) == NULL);
    CHECK(steady_message_topic(NULL) == NULL);
    CHECK(steady_message_partition(NULL) == -1);
    CHECK(steady_message_offset(NULL) == -1);
    CHECK(steady_message_timestamp(NULL) == -1);
    CHECK(steady_message_header_count(NULL) == 0);
    CHECK(steady_message_ack(NULL, NULL) == STEADY_RESULT_NULL_PARAMETER);
    CHECK(steady_error_code(NULL) == STEADY_RESULT_NULL_PARAMETER);
    CHECK(steady_error_message(NULL) == NULL);
    CHECK(strcmp(steady_result_str(STEADY_RESULT_CLOSED), "consumer is closed") == 0);
    CHECK(strcmp(steady_result_str(77777), "unknown result") == 0);
    CHECK(strcmp(steady_version(), STEADY_VERSION) == 0);

    /* Releasing NULL is fine. */
    steady_settings_free(NULL);
    steady_check_options_free(NULL);
    steady_report_free(NULL);
    steady_message_free(NULL);
    steady_consumer_free(NULL);
    steady_error_free(NULL);
    steady_string_free(NULL);
    steady_settings_free(settings);
}

/* Consumer calls: bad arguments and topic names, refused settings, second close (OK), use after
 * close (CLOSED). */
void test_misuse_consumer(void) {
    const char *topic = test_env("STEADY_TOPIC_EMPTY");
    steady_error *err = NULL;
    steady_consumer *consumer = NULL;

    /* ST001: heartbeat.interval.ms ≥ session.timeout.ms is an error finding: refused. */
    static const char *const refused[] = {"group.id", "g", "session.timeout.ms", "10000",
                                          "heartbeat.interval.ms", "10000", NULL};
    steady_settings *settings = test_settings(refused);
    CHECK_RESULT(steady_consumer_new(settings, &topic, 1, &consumer, &err),
                 STEADY_RESULT_CONFIG_REFUSED, err);
    CHECK(strstr(steady_error_message(err), "heartbeat.interval.ms") != NULL);
    CHECK(consumer == NULL);
    steady_error_free(err);
    err = NULL;
    steady_settings_free(settings);

    /* Nothing listens on port 1: the consumer never joins, so its close sends no LeaveGroup
     * (librdkafka 2.12.1 can crash handling a LeaveGroup that failed without a coordinator,
     * a race that valgrind's slowness makes likely). */
    const char *const pairs[] = {"bootstrap.servers", "127.0.0.1:1", "group.id",
                                 test_group("misuse"), NULL};
    settings = test_settings(pairs);
    const char *bad_topics[] = {topic, BAD_UTF8};
    const char *null_topics[] = {topic, NULL};
    CHECK(steady_consumer_new(NULL, &topic, 1, &consumer, NULL) == STEADY_RESULT_NULL_PARAMETER);
    CHECK(steady_consumer_new(settings, NULL, 1, &consumer, NULL) == STEADY_RESULT_NULL_PARAMETER);
    CHECK(steady_consumer_new(settings, &topic, 0, &consumer, NULL) ==
          STEADY_RESULT_INVALID_ARGUMENT);
    CHECK_RESULT(steady_consumer_new(settings, null_topics, 2, &consumer, &err),
                 STEADY_RESULT_NULL_PARAMETER, err);
    CHECK(strcmp(steady_error_message(err), "topics[1] is NULL") == 0);
    steady_error_free(err);
    err = NULL;
    CHECK(steady_consumer_new(settings, bad_topics, 2, &consumer, NULL) ==
          STEADY_RESULT_INVALID_UTF8);
    CHECK(steady_consumer_new(settings, &topic, 1, NULL, NULL) == STEADY_RESULT_NULL_PARAMETER);
    CHECK(consumer == NULL);
    /* Names Kafka does not accept: empty, illegal characters, "..", longer than 249. */
    char too_long[251];
    memset(too_long, 'x', sizeof too_long - 1);
    too_long[sizeof too_long - 1] = '\0';
    const char *illegal[] = {"", "no spaces", "..", "a/b", too_long};
    for (size_t i = 0; i < sizeof illegal / sizeof illegal[0]; i++) {
        const char *topics[] = {topic, illegal[i]};
        steady_result r = steady_consumer_new(settings, topics, 2, &consumer, &err);
        if (r == STEADY_RESULT_OK) {
            steady_consumer_free(consumer);
            consumer = NULL;
        }
        if (!EXPECT(r == STEADY_RESULT_INVALID_ARGUMENT)) {
            fprintf(stderr, "  topic \"%.20s\": %u %s\n", illegal[i], (unsigned)r,
                    err ? steady_error_message(err) : "");
        }
        steady_error_free(err);
        err = NULL;
    }
    const char *spaced = illegal[1];
    CHECK_RESULT(steady_consumer_new(settings, &spaced, 1, &consumer, &err),
                 STEADY_RESULT_INVALID_ARGUMENT, err);
    CHECK(strstr(steady_error_message(err), "no spaces") != NULL);
    steady_error_free(err);
    err = NULL;
    CHECK(consumer == NULL);
    CHECK_RESULT(steady_consumer_new(settings, &topic, 1, &consumer, &err), STEADY_RESULT_OK, err);
    steady_settings_free(settings);

    steady_message *message = NULL;
    steady_message *batch[4] = {NULL};
    size_t count = 99;
    CHECK(steady_consumer_poll(NULL, 0, &message, NULL) == STEADY_RESULT_NULL_PARAMETER);
    CHECK(steady_consumer_poll(consumer, 0, NULL, NULL) == STEADY_RESULT_NULL_PARAMETER);
    CHECK_RESULT(steady_consumer_poll(consumer, -5, &message, &err),
                 STEADY_RESULT_INVALID_ARGUMENT, err);
    CHECK(strstr(steady_error_message(err), "timeout_ms -5") != NULL);
    steady_error_free(err);
    err = NULL;
    CHECK(steady_consumer_poll_batch(consumer, 0, batch, 0, &count, NULL) ==
          STEADY_RESULT_INVALID_ARGUMENT);
    CHECK(steady_consumer_poll_batch(consumer, 0, batch, 4, NULL, NULL) ==
          STEADY_RESULT_NULL_PARAMETER);
    CHECK(steady_consumer_poll_batch(consumer, 200, batch, 4, &count, NULL) ==
          STEADY_RESULT_TIMEOUT);
    CHECK(count == 99 && batch[0] == NULL);
    CHECK(steady_consumer_stats_json(consumer, NULL, NULL) == STEADY_RESULT_NULL_PARAMETER);

    steady_report *warnings = NULL;
    CHECK_OK(steady_consumer_warnings(consumer, &warnings, NULL));
    steady_report_free(warnings);

    CHECK_RESULT(steady_consumer_close(consumer, &err), STEADY_RESULT_OK, err);
    CHECK_RESULT(steady_consumer_close(consumer, &err), STEADY_RESULT_OK, err); /* no effect */
    CHECK_RESULT(steady_consumer_poll(consumer, 100, &message, &err), STEADY_RESULT_CLOSED, err);
    CHECK(steady_error_code(err) == STEADY_RESULT_CLOSED && !steady_error_is_fatal(err));
    CHECK(strstr(steady_error_message(err), "closed") != NULL);
    steady_error_free(err);
    err = NULL;
    CHECK(steady_consumer_poll_batch(consumer, 100, batch, 4, &count, NULL) ==
          STEADY_RESULT_CLOSED);
    CHECK(steady_consumer_commit(consumer, NULL) == STEADY_RESULT_CLOSED);
    steady_report *report = NULL;
    CHECK(steady_consumer_check(consumer, &report, NULL) == STEADY_RESULT_CLOSED);
    CHECK(report == NULL && message == NULL);
    char *json = NULL;
    CHECK_OK(steady_consumer_stats_json(consumer, &json, NULL));
    CHECK(json_u64(json, "delivered") == 0);
    steady_string_free(json);
    CHECK(steady_consumer_close(NULL, NULL) == STEADY_RESULT_NULL_PARAMETER);
    steady_consumer_free(consumer);
}

/* The error accessors: NULL, and errors that do not come from Kafka. */
void test_error_accessors(void) {
    CHECK(steady_error_kafka_code(NULL) == 0);
    CHECK(steady_error_kafka_name(NULL) == NULL);
    CHECK(!steady_error_is_fatal(NULL));
    CHECK(!steady_error_is_retriable(NULL));

    steady_error *err = NULL;
    CHECK_RESULT(steady_settings_set(NULL, "k", "v", &err), STEADY_RESULT_NULL_PARAMETER, err);
    CHECK(steady_error_kafka_code(err) == 0);
    CHECK(steady_error_kafka_name(err) == NULL);
    CHECK(!steady_error_is_fatal(err));
    CHECK(!steady_error_is_retriable(err));
    steady_error_free(err);
    err = NULL;

    steady_check_options *options = NULL;
    CHECK_OK(steady_check_options_new(&options));
    steady_result r = steady_check_options_set_dialect(options, "cobol", &err);
    steady_check_options_free(options);
    CHECK_RESULT(r, STEADY_RESULT_INVALID_ARGUMENT, err);
    CHECK(steady_error_kafka_code(err) == 0 && steady_error_kafka_name(err) == NULL);
    CHECK(!steady_error_is_fatal(err) && !steady_error_is_retriable(err));
    steady_error_free(err);

    /* The new codes have fixed values and descriptions of their own. */
    CHECK(STEADY_RESULT_KAFKA_FATAL == 303 && STEADY_RESULT_INTERNAL == 901);
    CHECK(strcmp(steady_result_str(STEADY_RESULT_KAFKA_FATAL), "unknown result") != 0);
    CHECK(strcmp(steady_result_str(STEADY_RESULT_INTERNAL), "unknown result") != 0);
    CHECK(strcmp(steady_result_str(STEADY_RESULT_KAFKA_FATAL),
                 steady_result_str(STEADY_RESULT_KAFKA)) != 0);
}
