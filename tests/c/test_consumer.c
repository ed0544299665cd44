/* The consumer through the C ABI against the real broker: a handler slower than
 * max.poll.interval.ms without a rebalance, and close waking a blocked poll. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

/* The consumer's stats counter `key`. */
static uint64_t stat(steady_consumer *consumer, const char *key) {
    char *json = NULL;
    if (steady_consumer_stats_json(consumer, &json, NULL) != STEADY_RESULT_OK) {
        return UINT64_MAX;
    }
    uint64_t value = json_u64(json, key);
    steady_string_free(json);
    return value;
}

/* STEADY_TOPIC_SLOW holds STEADY_SLOW_RECORDS records. The handler takes longer than
 * max.poll.interval.ms (6 s) for each; the group must not rebalance and every record must be
 * processed exactly once in this run. */
void test_slow_handler_no_rebalance(void) {
    const char *topic = test_env("STEADY_TOPIC_SLOW");
    const int records = atoi(test_env("STEADY_SLOW_RECORDS"));
    const int64_t handler_ms = 7000;
    const char *const pairs[] = {"group.id", test_group("slow"), "auto.offset.reset", "earliest",
                                 "session.timeout.ms", "6000", "heartbeat.interval.ms", "2000",
                                 "max.poll.interval.ms", "6000", NULL};
    steady_settings *settings = test_settings(pairs);
    steady_consumer *consumer = NULL;
    steady_error *err = NULL;
    CHECK_RESULT(steady_consumer_new(settings, &topic, 1, &consumer, &err), STEADY_RESULT_OK, err);
    steady_settings_free(settings);

    steady_message *message = NULL;
    CHECK_OK(test_first_record(consumer, &message));
    const uint64_t rebalances = stat(consumer, "rebalances");
    CHECK(rebalances != UINT64_MAX && rebalances >= 1);

    int processed = 0;
    while (message != NULL) {
        CHECK(strcmp(steady_message_topic(message), topic) == 0);
        CHECK(steady_message_offset(message) == processed);
        const uint8_t *payload = NULL;
        size_t len = 0;
        CHECK_OK(steady_message_payload(message, &payload, &len));
        CHECK(len > 0 && payload != NULL);
        sleep_ms(handler_ms); /* the slow handler */
        CHECK_RESULT(steady_message_ack(message, &err), STEADY_RESULT_OK, err);
        steady_message_free(message);
        message = NULL;
        processed++;
        if (processed < records) {
            CHECK_RESULT(steady_consumer_poll(consumer, 30000, &message, &err), STEADY_RESULT_OK,
                         err);
        }
    }
    CHECK(processed == records);
    /* Nothing is delivered twice: no rebalance handed the records out again. */
    CHECK(steady_consumer_poll(consumer, 2000, &message, NULL) == STEADY_RESULT_TIMEOUT);
    CHECK(stat(consumer, "rebalances") == rebalances);
    CHECK(stat(consumer, "acked") == (uint64_t)records);
    CHECK_RESULT(steady_consumer_commit(consumer, &err), STEADY_RESULT_OK, err);
    CHECK_RESULT(steady_consumer_close(consumer, &err), STEADY_RESULT_OK, err);
    steady_consumer_free(consumer);
}

struct poller {
    steady_consumer *consumer;
    volatile int started;
    steady_result result;
};

static void *poll_forever(void *arg) {
    struct poller *p = arg;
    steady_message *message = NULL;
    __atomic_store_n(&p->started, 1, __ATOMIC_SEQ_CST);
    p->result = steady_consumer_poll(p->consumer, -1, &message, NULL);
    steady_message_free(message);
    return NULL;
}

/* A poll without a time limit on an empty topic returns CLOSED once another thread closes the
 * consumer; polls and commits after that return CLOSED too, a second close OK. */
void test_close_wakes_poll(void) {
    const char *topic = test_env("STEADY_TOPIC_EMPTY");
    const char *const pairs[] = {"group.id", test_group("close"), NULL};
    steady_settings *settings = test_settings(pairs);
    struct poller p = {NULL, 0, STEADY_RESULT_OK};
    steady_error *err = NULL;
    CHECK_RESULT(steady_consumer_new(settings, &topic, 1, &p.consumer, &err), STEADY_RESULT_OK,
                 err);
    steady_settings_free(settings);

    pthread_t thread;
    CHECK(pthread_create(&thread, NULL, poll_forever, &p) == 0);
    while (!__atomic_load_n(&p.started, __ATOMIC_SEQ_CST)) {
        sleep_ms(10);
    }
    sleep_ms(1000); /* let it block inside the poll; the outcome is the same if it has not yet */
    CHECK_RESULT(steady_consumer_close(p.consumer, &err), STEADY_RESULT_OK, err);

    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 60;
    CHECK(pthread_timedjoin_np(thread, NULL, &deadline) == 0);
    CHECK(p.result == STEADY_RESULT_CLOSED);

    steady_message *message = NULL;
    CHECK(steady_consumer_poll(p.consumer, 0, &message, NULL) == STEADY_RESULT_CLOSED);
    CHECK(message == NULL);
    CHECK(steady_consumer_commit(p.consumer, NULL) == STEADY_RESULT_CLOSED);
    CHECK_RESULT(steady_consumer_close(p.consumer, &err), STEADY_RESULT_OK, err);
    steady_consumer_free(p.consumer);
}
