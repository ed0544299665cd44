/* Fatal Kafka errors against the real broker: a fenced static member and a KIP-848 group with
 * an assignor the broker lacks. The poll returns KAFKA_FATAL with librdkafka's code and name,
 * every later poll and commit returns it again, and close still succeeds. */
#include <string.h>

#include "harness.h"

/* Polls for up to `limit_ms` until a result other than OK or TIMEOUT (records that arrive are
 * acked and freed) and returns it with its error in `*err_out`; TIMEOUT when none came. */
static steady_result poll_until_failure(steady_consumer *consumer, int64_t limit_ms,
                                        steady_error **err_out) {
    for (int64_t deadline = now_ms() + limit_ms; now_ms() < deadline;) {
        steady_message *message = NULL;
        steady_error *err = NULL;
        steady_result r = steady_consumer_poll(consumer, 1000, &message, &err);
        if (r == STEADY_RESULT_OK) {
            steady_message_ack(message, NULL);
            steady_message_free(message);
        } else if (r == STEADY_RESULT_TIMEOUT) {
            steady_error_free(err);
        } else {
            *err_out = err;
            return r;
        }
    }
    return STEADY_RESULT_TIMEOUT;
}

/* Expects the fatal Kafka error `name` (`code`) from a poll within 30 s, the same error from
 * later calls at once, then close OK and CLOSED after it. */
static void expect_fatal(steady_consumer *consumer, const char *name, int32_t code) {
    steady_error *err = NULL;
    int64_t start = now_ms();
    steady_result r = poll_until_failure(consumer, 30000, &err);
    fprintf(stderr, "  after %lld ms: %u %s\n", (long long)(now_ms() - start), (unsigned)r,
            err ? steady_error_message(err) : "(nothing)");
    EXPECT(r == STEADY_RESULT_KAFKA_FATAL);
    EXPECT(steady_error_code(err) == STEADY_RESULT_KAFKA_FATAL);
    EXPECT(steady_error_is_fatal(err));
    EXPECT(steady_error_kafka_code(err) == code);
    const char *got = steady_error_kafka_name(err);
    EXPECT(got != NULL && strcmp(got, name) == 0);
    steady_error_free(err);
    err = NULL;

    /* Later calls return it again, without waiting out their timeout. */
    start = now_ms();
    steady_message *message = NULL;
    r = steady_consumer_poll(consumer, 30000, &message, &err);
    EXPECT(r == STEADY_RESULT_KAFKA_FATAL && now_ms() - start < 10000);
    got = steady_error_kafka_name(err);
    EXPECT(got != NULL && strcmp(got, name) == 0 && steady_error_is_fatal(err));
    steady_error_free(err);
    err = NULL;
    steady_message *batch[4] = {NULL};
    size_t count = 0;
    EXPECT(steady_consumer_poll_batch(consumer, 30000, batch, 4, &count, NULL) ==
           STEADY_RESULT_KAFKA_FATAL);
    EXPECT(steady_consumer_commit(consumer, NULL) == STEADY_RESULT_KAFKA_FATAL);
    EXPECT(message == NULL && batch[0] == NULL);

    r = steady_consumer_close(consumer, &err);
    if (!EXPECT(r == STEADY_RESULT_OK)) {
        fprintf(stderr, "  close: %u %s\n", (unsigned)r, steady_error_message(err));
    }
    steady_error_free(err);
    EXPECT(steady_consumer_poll(consumer, 0, &message, NULL) == STEADY_RESULT_CLOSED);
}

/* STEADY_TOPIC_FENCED holds one record. A takes it (so it has its assignment); B joins with
 * the same group.instance.id (classic protocol) and fences A. */
void test_fenced_static_member(void) {
    const char *topic = test_env("STEADY_TOPIC_FENCED");
    const char *const pairs[] = {"group.id", test_group("fenced"), "group.instance.id",
                                 test_group("instance"), "session.timeout.ms", "6000",
                                 "auto.offset.reset", "earliest", NULL};
    steady_settings *settings = test_settings(pairs);
    steady_consumer *a = NULL;
    steady_consumer *b = NULL;
    steady_error *err = NULL;
    steady_result r = steady_consumer_new(settings, &topic, 1, &a, &err);
    if (r != STEADY_RESULT_OK) {
        steady_settings_free(settings);
    }
    CHECK_RESULT(r, STEADY_RESULT_OK, err);

    steady_message *message = NULL;
    if (EXPECT(test_first_record(a, &message) == STEADY_RESULT_OK)) {
        EXPECT(steady_message_ack(message, NULL) == STEADY_RESULT_OK);
        steady_message_free(message);
        if (EXPECT(steady_consumer_new(settings, &topic, 1, &b, &err) == STEADY_RESULT_OK)) {
            expect_fatal(a, "FENCED_INSTANCE_ID", 82);
            EXPECT(steady_consumer_close(b, NULL) == STEADY_RESULT_OK);
        } else {
            fprintf(stderr, "  second member: %s\n", steady_error_message(err));
            steady_error_free(err);
        }
    }
    steady_settings_free(settings);
    steady_consumer_free(b);
    steady_consumer_free(a);
}

/* A KIP-848 group (group.protocol=consumer) asking for an assignor the broker lacks. */
void test_unsupported_assignor(void) {
    const char *topic = test_env("STEADY_TOPIC_EMPTY");
    const char *const pairs[] = {"group.id", test_group("assignor"), "group.protocol", "consumer",
                                 "group.remote.assignor", "bogus", NULL};
    steady_settings *settings = test_settings(pairs);
    steady_consumer *consumer = NULL;
    steady_error *err = NULL;
    steady_result r = steady_consumer_new(settings, &topic, 1, &consumer, &err);
    steady_settings_free(settings);
    CHECK_RESULT(r, STEADY_RESULT_OK, err);
    expect_fatal(consumer, "UNSUPPORTED_ASSIGNOR", 112);
    steady_consumer_free(consumer);
}
