/* Nack, reject and dead letters against the real broker: a record nacked twice then acked is
 * delivered again with attempt 2, then 3, and committed only after the ack; a rejected record
 * goes to steady.dlq.topic with its source headers, counts as acked once there, and a
 * STEADY_EVENT_DEAD_LETTERED event names it. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* The next record within 30 s, or NULL. */
static steady_message *next_record(steady_consumer *consumer) {
    steady_message *m = NULL;
    for (int64_t deadline = now_ms() + 30000; m == NULL && now_ms() < deadline;) {
        steady_result r = steady_consumer_poll(consumer, 500, &m, NULL);
        if (r != STEADY_RESULT_OK && r != STEADY_RESULT_TIMEOUT) {
            return NULL;
        }
    }
    return m;
}

/* The value of header `name` of `m` as a string in `out`; 0 when it has none. */
static int header_text(const steady_message *m, const char *name, char *out, size_t size) {
    for (size_t i = 0; i < steady_message_header_count(m); i++) {
        const char *n = NULL;
        const uint8_t *v = NULL;
        size_t len = 0;
        if (steady_message_header(m, i, &n, &v, &len) == STEADY_RESULT_OK && strcmp(n, name) == 0) {
            snprintf(out, size, "%.*s", (int)len, v ? (const char *)v : "");
            return 1;
        }
    }
    return 0;
}

/* The group's committed offset (the next to read) of partition 0 after an explicit commit. */
static int64_t commit_and_read(steady_consumer *consumer, const char *topic) {
    int64_t offset = -2;
    steady_error *err = NULL;
    steady_result r = steady_consumer_commit(consumer, &err);
    if (r != STEADY_RESULT_OK) {
        fprintf(stderr, "  commit: %u %s\n", (unsigned)r, steady_error_message(err));
    }
    steady_error_free(err);
    if (steady_consumer_committed(consumer, topic, 0, &offset, NULL) != STEADY_RESULT_OK) {
        return -4;
    }
    return offset;
}

/* STEADY_TOPIC_RETRIES holds "r:1 k1 retry-me" and "r:2 k2 reject-me"; STEADY_TOPIC_DLQ is
 * empty. */
void test_retries(void) {
    const char *topic = test_env("STEADY_TOPIC_RETRIES");
    const char *dlq = test_env("STEADY_TOPIC_DLQ");
    const char *const pairs[] = {"group.id", test_group("retries"), "auto.offset.reset", "earliest",
                                 "enable.auto.commit", "false", "steady.events.enable", "true",
                                 "steady.retry.backoff.ms", "100", "steady.dlq.topic", dlq,
                                 "steady.revoke.drain.ms", "500", NULL};
    steady_settings *settings = test_settings(pairs);
    steady_consumer *consumer = NULL;
    steady_error *err = NULL;
    steady_result r = steady_consumer_new(settings, &topic, 1, &consumer, &err);
    steady_settings_free(settings);
    CHECK_RESULT(r, STEADY_RESULT_OK, err);
    EXPECT(steady_message_attempt(NULL) == 0);

    /* The partition stays paused until its assigned event is done. */
    int assigned = 0;
    for (int64_t deadline = now_ms() + 60000; !assigned && now_ms() < deadline;) {
        steady_event *ev = NULL;
        if (steady_consumer_next_event(consumer, 500, &ev, NULL) == STEADY_RESULT_OK) {
            assigned = steady_event_kind(ev) == STEADY_EVENT_ASSIGNED;
            steady_event_free(ev);
        }
    }
    EXPECT(assigned);

    /* Offset 0: attempt 1, nack (back-off); attempt 2, nack after 50 ms; attempt 3, ack. The
     * record after it (offset 1) comes in between; it is handled after. */
    steady_message *first = NULL;
    steady_message *second = NULL;
    uint32_t attempts_seen = 0;
    for (int round = 0; round < 8 && attempts_seen < 3; round++) {
        steady_message *m = next_record(consumer);
        if (!EXPECT(m != NULL)) {
            break;
        }
        if (steady_message_offset(m) == 1) {
            if (second == NULL) {
                second = m;
            } else {
                steady_message_free(m);
            }
            continue;
        }
        steady_message_fields_t f;
        EXPECT(steady_message_fields(m, &f) == STEADY_RESULT_OK);
        uint32_t attempt = steady_message_attempt(m);
        EXPECT(f.attempt == attempt && f.offset == 0);
        EXPECT(attempt == attempts_seen + 1);
        attempts_seen = attempt;
        if (attempt == 1) {
            CHECK_RESULT(steady_message_nack(m, "first failure", -1, &err), STEADY_RESULT_OK, err);
            EXPECT(steady_message_nack(m, "again", -1, NULL) == STEADY_RESULT_OK); /* ignored */
            steady_message_free(m);
        } else if (attempt == 2) {
            CHECK_RESULT(steady_message_nack(m, "second failure", 50, &err), STEADY_RESULT_OK, err);
            EXPECT(commit_and_read(consumer, topic) == 0); /* nothing past offset 0 */
            steady_message_free(m);
        } else {
            first = m;
        }
    }
    EXPECT(attempts_seen == 3);
    if (first != NULL) {
        EXPECT(commit_and_read(consumer, topic) == 0); /* not before the ack */
        CHECK_RESULT(steady_message_ack(first, &err), STEADY_RESULT_OK, err);
        EXPECT(commit_and_read(consumer, topic) == 1);
        steady_message_free(first);
    }
    EXPECT(steady_message_nack(NULL, "x", -1, NULL) == STEADY_RESULT_NULL_PARAMETER);
    EXPECT(steady_message_reject(NULL, "x", NULL) == STEADY_RESULT_NULL_PARAMETER);

    /* Offset 1: rejected → the DLQ; the event names it, without an error. */
    if (second == NULL) {
        second = next_record(consumer);
    }
    if (EXPECT(second != NULL) && EXPECT(steady_message_offset(second) == 1)) {
        EXPECT(steady_message_reject(second, NULL, NULL) == STEADY_RESULT_NULL_PARAMETER);
        CHECK_RESULT(steady_message_reject(second, "cannot parse", &err), STEADY_RESULT_OK, err);
        int seen = 0;
        for (int64_t deadline = now_ms() + 30000; !seen && now_ms() < deadline;) {
            steady_event *ev = NULL;
            if (steady_consumer_next_event(consumer, 500, &ev, NULL) != STEADY_RESULT_OK) {
                continue;
            }
            if (steady_event_kind(ev) == STEADY_EVENT_DEAD_LETTERED) {
                seen = 1;
                EXPECT(strcmp(steady_event_kind_name(ev), "dead_lettered") == 0);
                EXPECT(steady_event_partition_count(ev) == 1);
                EXPECT(strcmp(steady_event_topic(ev, 0), topic) == 0);
                EXPECT(steady_event_partition(ev, 0) == 0 && steady_event_offset(ev, 0) == 1);
                EXPECT(steady_event_error(ev) == NULL);
            }
            steady_event_free(ev);
        }
        EXPECT(seen);
        EXPECT(commit_and_read(consumer, topic) == 2); /* acked once the DLQ has it */
        char *json = NULL;
        if (EXPECT(steady_consumer_stats_json(consumer, &json, NULL) == STEADY_RESULT_OK)) {
            EXPECT(json_u64(json, "retries") == 2);
            EXPECT(json_u64(json, "dead_lettered") == 1);
            EXPECT(json_u64(json, "parked_records") == 0);
        }
        steady_string_free(json);
    }
    steady_message_free(second);
    EXPECT(steady_consumer_close(consumer, NULL) == STEADY_RESULT_OK);
    steady_consumer_free(consumer);

    /* The dead letter: the source's key and value, its header, and the steady.* headers. */
    const char *const dlq_pairs[] = {"group.id", test_group("dlq"), "auto.offset.reset", "earliest",
                                     NULL};
    settings = test_settings(dlq_pairs);
    steady_consumer *reader = NULL;
    r = steady_consumer_new(settings, &dlq, 1, &reader, &err);
    steady_settings_free(settings);
    CHECK_RESULT(r, STEADY_RESULT_OK, err);
    steady_message *letter = NULL;
    if (EXPECT(test_first_record(reader, &letter) == STEADY_RESULT_OK)) {
        steady_message_fields_t f;
        steady_message_fields(letter, &f);
        EXPECT(f.key_len == 2 && memcmp(f.key, "k2", 2) == 0);
        EXPECT(f.payload_len == 9 && memcmp(f.payload, "reject-me", 9) == 0);
        char text[256];
        EXPECT(header_text(letter, "r", text, sizeof text) && strcmp(text, "2") == 0);
        EXPECT(header_text(letter, "steady.source.topic", text, sizeof text) && strcmp(text, topic) == 0);
        EXPECT(header_text(letter, "steady.source.partition", text, sizeof text) && strcmp(text, "0") == 0);
        EXPECT(header_text(letter, "steady.source.offset", text, sizeof text) && strcmp(text, "1") == 0);
        EXPECT(header_text(letter, "steady.attempts", text, sizeof text) && strcmp(text, "1") == 0);
        EXPECT(header_text(letter, "steady.error", text, sizeof text) && strcmp(text, "cannot parse") == 0);
        steady_message_ack(letter, NULL);
    }
    steady_message_free(letter);
    EXPECT(steady_consumer_close(reader, NULL) == STEADY_RESULT_OK);
    steady_consumer_free(reader);
}
