/* The bulk calls against the real broker: steady_messages_fields reads what the accessors read
 * (one topic pointer for every message of the topic), steady_messages_ack acks a batch in one
 * call (nothing when an element is NULL), steady_messages_free releases it, and after close the
 * batch ack returns CLOSED. */
#include <string.h>

#include "harness.h"

#define BULK_RECORDS 5

/* True when `f` holds what the accessors of `m` return. */
static int fields_match(const steady_message *m, const steady_message_fields_t *f) {
    const uint8_t *key = NULL;
    const uint8_t *payload = NULL;
    size_t key_len = 0;
    size_t payload_len = 0;
    steady_message_key(m, &key, &key_len);
    steady_message_payload(m, &payload, &payload_len);
    const char *topic = steady_message_topic(m);
    return f->topic == topic && f->topic_len == strlen(topic) && f->key == key &&
           f->key_len == key_len && f->payload == payload && f->payload_len == payload_len &&
           f->header_count == steady_message_header_count(m) &&
           f->offset == steady_message_offset(m) && f->partition == steady_message_partition(m) &&
           f->timestamp == steady_message_timestamp(m);
}

/* Polls until `want` records are in `ms` (60 s at most); returns how many came. */
static size_t poll_all(steady_consumer *consumer, steady_message **ms, size_t want) {
    size_t have = 0;
    for (int64_t deadline = now_ms() + 60000; have < want && now_ms() < deadline;) {
        size_t n = 0;
        steady_result r = steady_consumer_poll_batch(consumer, 500, ms + have, want - have, &n, NULL);
        if (r == STEADY_RESULT_OK) {
            have += n;
        } else if (r != STEADY_RESULT_TIMEOUT) {
            break;
        }
    }
    return have;
}

/* STEADY_TOPIC_BULK holds BULK_RECORDS records "b:<i> k<i> v<i>" on one partition. */
void test_bulk(void) {
    const char *topic = test_env("STEADY_TOPIC_BULK");
    const char *const pairs[] = {"group.id", test_group("bulk"), "auto.offset.reset", "earliest",
                                 "enable.auto.commit", "false", "steady.revoke.drain.ms", "500",
                                 NULL};
    steady_settings *settings = test_settings(pairs);
    steady_consumer *consumer = NULL;
    steady_error *err = NULL;
    steady_result r = steady_consumer_new(settings, &topic, 1, &consumer, &err);
    steady_settings_free(settings);
    CHECK_RESULT(r, STEADY_RESULT_OK, err);

    steady_message *ms[BULK_RECORDS] = {NULL};
    size_t n = poll_all(consumer, ms, BULK_RECORDS);
    EXPECT(n == BULK_RECORDS);

    steady_message_fields_t fields[BULK_RECORDS];
    memset(fields, 0, sizeof fields);
    const steady_message *const *cms = (const steady_message *const *)ms;
    if (EXPECT(steady_messages_fields(cms, n, fields) == STEADY_RESULT_OK)) {
        for (size_t i = 0; i < n; i++) {
            EXPECT(fields_match(ms[i], &fields[i]));
            EXPECT(fields[i].topic == fields[0].topic); /* one C string per topic */
            EXPECT(strcmp(fields[i].topic, topic) == 0);
            EXPECT(fields[i].offset == (int64_t)i && fields[i].header_count == 1);
            EXPECT(fields[i].key_len == 2 && memcmp(fields[i].key, "k", 1) == 0);
            EXPECT(fields[i].payload_len == 2 && fields[i].payload[0] == 'v');
        }
    }
    steady_message_fields_t one;
    if (n > 0 && EXPECT(steady_message_fields(ms[0], &one) == STEADY_RESULT_OK)) {
        EXPECT(fields_match(ms[0], &one));
    }
    EXPECT(steady_message_fields(NULL, &one) == STEADY_RESULT_NULL_PARAMETER);
    EXPECT(steady_message_fields(ms[0], NULL) == STEADY_RESULT_NULL_PARAMETER);

    /* A NULL element: NULL_PARAMETER naming it; nothing written, nothing acked. */
    const steady_message *holed[2] = {ms[0], NULL};
    steady_message_fields_t untouched[2];
    memset(untouched, 0x5a, sizeof untouched);
    EXPECT(steady_messages_fields(holed, 2, untouched) == STEADY_RESULT_NULL_PARAMETER);
    EXPECT(((const unsigned char *)untouched)[0] == 0x5a);
    r = steady_messages_ack(holed, 2, &err);
    if (EXPECT(r == STEADY_RESULT_NULL_PARAMETER)) {
        EXPECT(strstr(steady_error_message(err), "messages[1]") != NULL);
    }
    steady_error_free(err);
    err = NULL;
    EXPECT(steady_messages_ack(NULL, 0, NULL) == STEADY_RESULT_NULL_PARAMETER);
    EXPECT(steady_messages_ack(cms, 0, NULL) == STEADY_RESULT_OK);
    char *json = NULL;
    if (EXPECT(steady_consumer_stats_json(consumer, &json, NULL) == STEADY_RESULT_OK)) {
        EXPECT(json_u64(json, "acked") == 0);
    }
    steady_string_free(json);

    /* All but the last acked in one call (a second batch ack of them is harmless); the commit
     * covers them. */
    if (n == BULK_RECORDS) {
        CHECK_RESULT(steady_messages_ack(cms, n - 1, &err), STEADY_RESULT_OK, err);
        EXPECT(steady_messages_ack(cms, n - 1, NULL) == STEADY_RESULT_OK);
        EXPECT(steady_consumer_commit(consumer, NULL) == STEADY_RESULT_OK);
        int64_t committed = -1;
        EXPECT(steady_consumer_committed(consumer, topic, 0, &committed, NULL) == STEADY_RESULT_OK);
        EXPECT(committed == BULK_RECORDS - 1);
        json = NULL;
        if (EXPECT(steady_consumer_stats_json(consumer, &json, NULL) == STEADY_RESULT_OK)) {
            EXPECT(json_u64(json, "acked") == BULK_RECORDS - 1);
        }
        steady_string_free(json);
    }

    /* After close the batch ack returns CLOSED; the messages still read the same. */
    EXPECT(steady_consumer_close(consumer, NULL) == STEADY_RESULT_OK);
    if (n == BULK_RECORDS) {
        r = steady_messages_ack(cms + n - 1, 1, &err);
        EXPECT(r == STEADY_RESULT_CLOSED);
        EXPECT(err != NULL && steady_error_code(err) == STEADY_RESULT_CLOSED);
        steady_error_free(err);
        err = NULL;
    }
    steady_consumer_free(consumer);
    for (size_t i = 0; i < n; i++) {
        EXPECT(fields_match(ms[i], &fields[i]));
    }
    steady_messages_free(ms, n);
    steady_messages_free(NULL, 3);
    steady_message *nulls[2] = {NULL, NULL};
    steady_messages_free(nulls, 2);
}
