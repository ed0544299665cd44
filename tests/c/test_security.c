/* TLS and SASL_SSL (SCRAM-SHA-512) through the C ABI against the secure broker of tests/kafka
 * (kafka.sh start --instance secure --secure), shared with the other languages' suites: the
 * consumer reads over both listeners with librdkafka's keys; a wrong password is a visible
 * authentication error in the stats and from steady_probe, and the password is in no stat, log
 * record or error message. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define WRONG_PASSWORD "not-the-password-a83c"
#define WAIT_MS 120000

/* Reads every record of STEADY_SECURE_TOPIC (STEADY_SECURE_RECORDS of them) at `listener`
 * with `pairs` (key, value, …, NULL) added. */
static void read_all(const char *listener, const char *const *pairs) {
    const char *topic = test_env("STEADY_SECURE_TOPIC");
    long records = strtol(test_env("STEADY_SECURE_RECORDS"), NULL, 10);
    steady_settings *settings = test_settings_at(listener, pairs);
    steady_consumer *consumer = NULL;
    steady_error *err = NULL;
    CHECK_OK(steady_settings_set(settings, "group.id", test_group("secure"), NULL));
    CHECK_OK(steady_settings_set(settings, "auto.offset.reset", "earliest", NULL));
    steady_result r = steady_consumer_new(settings, &topic, 1, &consumer, &err);
    steady_settings_free(settings);
    CHECK_RESULT(r, STEADY_RESULT_OK, err);
    long got = 0;
    for (int64_t deadline = now_ms() + WAIT_MS; got < records && now_ms() < deadline;) {
        steady_message *message = NULL;
        r = steady_consumer_poll(consumer, 500, &message, NULL);
        if (r == STEADY_RESULT_OK) {
            EXPECT(steady_message_ack(message, NULL) == STEADY_RESULT_OK);
            steady_message_free(message);
            got++;
        } else if (!EXPECT(r == STEADY_RESULT_TIMEOUT)) {
            break;
        }
    }
    if (!EXPECT(got == records)) {
        fprintf(stderr, "  %ld of %ld records over %s\n", got, records, listener);
    }
    EXPECT(steady_consumer_close(consumer, NULL) == STEADY_RESULT_OK);
    steady_consumer_free(consumer);
}

void test_security_tls(void) {
    const char *const pairs[] = {"security.protocol", "SSL", "ssl.ca.location",
                                 test_env("STEADY_SECURE_CA"), NULL};
    read_all(test_env("STEADY_SECURE_SSL"), pairs);
}

void test_security_scram(void) {
    const char *const pairs[] = {"security.protocol", "SASL_SSL",
                                 "ssl.ca.location", test_env("STEADY_SECURE_CA"),
                                 "sasl.mechanism", "SCRAM-SHA-512",
                                 "sasl.username", test_env("STEADY_SECURE_USER"),
                                 "sasl.password", test_env("STEADY_SECURE_PASSWORD"),
                                 NULL};
    read_all(test_env("STEADY_SECURE_SASL_SSL"), pairs);
}

/* What the log callback saw: how many records, and whether one held the password. */
struct secret_seen {
    pthread_mutex_t lock;
    size_t records;
    int leaked;
};

static void watch_log(void *user_data, steady_log_level_t level, const char *logger,
                      const char *facility, const char *message) {
    (void)level;
    struct secret_seen *s = user_data;
    pthread_mutex_lock(&s->lock);
    s->records++;
    s->leaked |= strstr(logger, WRONG_PASSWORD) != NULL ||
                 strstr(facility, WRONG_PASSWORD) != NULL ||
                 strstr(message, WRONG_PASSWORD) != NULL;
    pthread_mutex_unlock(&s->lock);
}

void test_security_wrong_password(void) {
    const char *topic = test_env("STEADY_SECURE_TOPIC");
    const char *const pairs[] = {"security.protocol", "SASL_SSL",
                                 "ssl.ca.location", test_env("STEADY_SECURE_CA"),
                                 "sasl.mechanism", "SCRAM-SHA-512",
                                 "sasl.username", test_env("STEADY_SECURE_USER"),
                                 "sasl.password", WRONG_PASSWORD,
                                 "group.id", test_group("secure-wrong"),
                                 NULL};
    const char *listener = test_env("STEADY_SECURE_SASL_SSL");
    struct secret_seen seen = {PTHREAD_MUTEX_INITIALIZER, 0, 0};
    steady_settings *settings = test_settings_at(listener, pairs);
    steady_consumer *consumer = NULL;
    steady_error *err = NULL;
    CHECK_OK(steady_settings_set_log_callback(settings, watch_log, &seen));
    steady_result r = steady_consumer_new(settings, &topic, 1, &consumer, &err);
    CHECK_RESULT(r, STEADY_RESULT_OK, err);

    char *stats = NULL;
    int visible = 0;
    for (int64_t deadline = now_ms() + WAIT_MS; !visible && now_ms() < deadline;) {
        steady_message *message = NULL;
        EXPECT(steady_consumer_poll(consumer, 100, &message, NULL) == STEADY_RESULT_TIMEOUT);
        steady_string_free(stats);
        stats = NULL;
        if (!EXPECT(steady_consumer_stats_json(consumer, &stats, NULL) == STEADY_RESULT_OK)) {
            break;
        }
        visible = strstr(stats, "Authentication") != NULL;
    }
    if (!EXPECT(visible)) {
        fprintf(stderr, "  no authentication error in the stats: %s\n", stats ? stats : "-");
    }
    EXPECT(stats == NULL || strstr(stats, WRONG_PASSWORD) == NULL);
    steady_string_free(stats);
    EXPECT(steady_consumer_close(consumer, NULL) == STEADY_RESULT_OK);
    steady_consumer_free(consumer);
    pthread_mutex_lock(&seen.lock);
    EXPECT(seen.records > 0);
    EXPECT(!seen.leaked);
    pthread_mutex_unlock(&seen.lock);

    /* The probe: BROKER_PROTOCOL, naming the authentication failure, not the password. */
    char *facts = NULL;
    r = steady_probe(listener, settings, NULL, 20000, &facts, &err);
    steady_settings_free(settings);
    if (EXPECT(r == STEADY_RESULT_BROKER_PROTOCOL)) {
        const char *message = steady_error_message(err);
        EXPECT(strstr(message, "authentication") != NULL);
        EXPECT(strstr(message, WRONG_PASSWORD) == NULL);
    } else {
        fprintf(stderr, "  steady_probe returned %s: %s\n", steady_result_str(r),
                err ? steady_error_message(err) : (facts ? facts : "-"));
    }
    steady_string_free(facts);
    steady_error_free(err);
}
