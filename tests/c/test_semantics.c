/* The semantics table against the real broker: a second ack is OK; a close during a close
 * returns OK once the first close's final commit is done; ack, poll and commit after close
 * return CLOSED; a message reads the same after its ack, after close and after
 * steady_consumer_free. */
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "harness.h"

/* The message's data as one line: "partition@offset key value name=value… ts=timestamp". */
static void describe(const steady_message *m, char *out, size_t size) {
    const uint8_t *key = NULL;
    const uint8_t *payload = NULL;
    size_t key_len = 0;
    size_t payload_len = 0;
    steady_message_key(m, &key, &key_len);
    steady_message_payload(m, &payload, &payload_len);
    size_t pos = (size_t)snprintf(out, size, "%d@%lld %.*s %.*s", (int)steady_message_partition(m),
                                  (long long)steady_message_offset(m), (int)key_len,
                                  key ? (const char *)key : "", (int)payload_len,
                                  payload ? (const char *)payload : "");
    for (size_t i = 0; i < steady_message_header_count(m) && pos < size; i++) {
        const char *name = NULL;
        const uint8_t *value = NULL;
        size_t value_len = 0;
        steady_message_header(m, i, &name, &value, &value_len);
        pos += (size_t)snprintf(out + pos, size - pos, " %s=%.*s", name, (int)value_len,
                                value ? (const char *)value : "");
    }
    if (pos < size) {
        snprintf(out + pos, size - pos, " ts=%lld", (long long)steady_message_timestamp(m));
    }
}

/* True when `m` still reads as `want` and names `topic`. */
static int reads_as(const steady_message *m, const char *topic, const char *want) {
    char got[256];
    describe(m, got, sizeof got);
    return strcmp(got, want) == 0 && strcmp(steady_message_topic(m), topic) == 0;
}

struct closer {
    steady_consumer *consumer;
    steady_result result;
};

static void *close_consumer(void *arg) {
    struct closer *c = arg;
    c->result = steady_consumer_close(c->consumer, NULL);
    return NULL;
}

/* STEADY_TOPIC_SEMANTICS holds two records ("h:1 k1 v1", "h:2 k2 v2"). Background commits are
 * off, so the final commit of close is the only one; it waits up to steady.revoke.drain.ms
 * (5 s) for the second record, which stays unacked. */
void test_semantics(void) {
    const char *topic = test_env("STEADY_TOPIC_SEMANTICS");
    const char *const pairs[] = {"group.id", test_group("semantics"), "auto.offset.reset",
                                 "earliest", "enable.auto.commit", "false",
                                 "steady.revoke.drain.ms", "5000", NULL};
    steady_settings *settings = test_settings(pairs);
    steady_consumer *consumer = NULL;
    steady_error *err = NULL;
    CHECK_RESULT(steady_consumer_new(settings, &topic, 1, &consumer, &err), STEADY_RESULT_OK, err);

    steady_message *m1 = NULL;
    steady_message *m2 = NULL;
    char want1[256] = "";
    char want2[256] = "";
    if (EXPECT(test_first_record(consumer, &m1) == STEADY_RESULT_OK)) {
        describe(m1, want1, sizeof want1);
        EXPECT(strncmp(want1, "0@0 k1 v1 h=1 ts=", 17) == 0);
        EXPECT(steady_message_ack(m1, NULL) == STEADY_RESULT_OK);
        EXPECT(steady_message_ack(m1, NULL) == STEADY_RESULT_OK); /* a second ack: no effect */
        EXPECT(reads_as(m1, topic, want1));
    }
    if (EXPECT(steady_consumer_poll(consumer, 30000, &m2, NULL) == STEADY_RESULT_OK)) {
        describe(m2, want2, sizeof want2);
        EXPECT(strncmp(want2, "0@1 k2 v2 h=2 ts=", 17) == 0);
    }

    /* The first close waits for m2; a close meanwhile must return only once it is done, so
     * an ack of m2 after it is too late. Polls return CLOSED from the start of the first. */
    struct closer first = {consumer, STEADY_RESULT_PANIC};
    pthread_t thread;
    CHECK(pthread_create(&thread, NULL, close_consumer, &first) == 0);
    steady_result r = STEADY_RESULT_TIMEOUT;
    for (int64_t deadline = now_ms() + 30000; r == STEADY_RESULT_TIMEOUT && now_ms() < deadline;) {
        steady_message *none = NULL;
        r = steady_consumer_poll(consumer, 50, &none, NULL);
        steady_message_free(none);
    }
    EXPECT(r == STEADY_RESULT_CLOSED);
    r = steady_consumer_close(consumer, &err);
    if (!EXPECT(r == STEADY_RESULT_OK)) {
        fprintf(stderr, "  close during close: %u %s\n", (unsigned)r, steady_error_message(err));
    }
    steady_error_free(err);
    err = NULL;
    if (m2 != NULL) {
        EXPECT(steady_message_ack(m2, NULL) == STEADY_RESULT_CLOSED);
    }
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 60;
    if (!EXPECT(pthread_timedjoin_np(thread, NULL, &deadline) == 0)) {
        return; /* the closer still uses the consumer: leave it */
    }
    EXPECT(first.result == STEADY_RESULT_OK);

    /* After close: close OK again; ack (also of an acked message), poll, commit CLOSED. */
    EXPECT(steady_consumer_close(consumer, NULL) == STEADY_RESULT_OK);
    if (m1 != NULL) {
        EXPECT(steady_message_ack(m1, NULL) == STEADY_RESULT_CLOSED);
    }
    steady_message *none = NULL;
    steady_message *batch[2] = {NULL, NULL};
    size_t count = 0;
    EXPECT(steady_consumer_poll(consumer, 0, &none, NULL) == STEADY_RESULT_CLOSED);
    EXPECT(steady_consumer_poll_batch(consumer, 0, batch, 2, &count, NULL) ==
           STEADY_RESULT_CLOSED);
    EXPECT(steady_consumer_commit(consumer, NULL) == STEADY_RESULT_CLOSED);
    EXPECT(none == NULL && batch[0] == NULL);

    /* Messages read the same after close, and after the consumer is freed. */
    EXPECT(m1 == NULL || reads_as(m1, topic, want1));
    EXPECT(m2 == NULL || reads_as(m2, topic, want2));
    steady_consumer_free(consumer);
    EXPECT(m1 == NULL || reads_as(m1, topic, want1));
    EXPECT(m2 == NULL || reads_as(m2, topic, want2));
    EXPECT(m2 == NULL || steady_message_ack(m2, NULL) == STEADY_RESULT_CLOSED);
    steady_message_free(m1);
    steady_message_free(m2);

    /* The final commit covered m1 only: the group resumes at offset 1. */
    steady_consumer *again = NULL;
    r = steady_consumer_new(settings, &topic, 1, &again, &err);
    steady_settings_free(settings);
    CHECK_RESULT(r, STEADY_RESULT_OK, err);
    steady_message *next = NULL;
    if (EXPECT(test_first_record(again, &next) == STEADY_RESULT_OK)) {
        EXPECT(steady_message_offset(next) == 1);
    }
    steady_message_free(next);
    EXPECT(steady_consumer_close(again, NULL) == STEADY_RESULT_OK);
    steady_consumer_free(again);
}
