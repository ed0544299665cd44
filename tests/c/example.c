/* Checks consumer settings, then consumes a topic with a handler that may be slow.
 * Usage: example BOOTSTRAP TOPIC GROUP COUNT */
#include <stdio.h>
#include <stdlib.h>

#include "steady.h"

static int fail(const char *what, steady_error *err) {
    fprintf(stderr, "%s: %s\n", what, steady_error_message(err));
    steady_error_free(err);
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s BOOTSTRAP TOPIC GROUP COUNT\n", argv[0]);
        return 2;
    }
    const char *topic = argv[2];
    int wanted = atoi(argv[4]);
    steady_error *err = NULL;

    steady_settings *settings = NULL;
    steady_settings_new(&settings);
    if (steady_settings_set(settings, "bootstrap.servers", argv[1], &err) ||
        steady_settings_set(settings, "group.id", argv[3], &err) ||
        steady_settings_set(settings, "auto.offset.reset", "earliest", &err)) {
        return fail("settings", err);
    }

    /* The doctor: what in these settings would make the group rebalance? */
    steady_report *report = NULL;
    if (steady_check(settings, NULL, &report, &err)) {
        return fail("check", err);
    }
    for (size_t i = 0; i < steady_report_count(report); i++) {
        const steady_finding *f = steady_report_finding(report, i);
        printf("%s %s %s: %s\n", steady_finding_rule(f), steady_finding_severity(f),
               steady_finding_key(f), steady_finding_message(f));
    }
    steady_report_free(report);

    /* The consumer: heartbeats run on steady's thread, so the handler may take its time. */
    steady_consumer *consumer = NULL;
    if (steady_consumer_new(settings, &topic, 1, &consumer, &err)) {
        return fail("consumer", err);
    }
    steady_settings_free(settings);
    for (int seen = 0; seen < wanted;) {
        steady_message *message = NULL;
        steady_result r = steady_consumer_poll(consumer, 1000, &message, &err);
        if (r == STEADY_RESULT_TIMEOUT) {
            steady_error_free(err);
            err = NULL;
            continue;
        }
        if (r != STEADY_RESULT_OK) {
            return fail("poll", err);
        }
        const uint8_t *payload = NULL;
        size_t len = 0;
        steady_message_payload(message, &payload, &len);
        printf("%s/%d@%lld: %.*s\n", steady_message_topic(message),
               (int)steady_message_partition(message), (long long)steady_message_offset(message),
               (int)len, (const char *)payload);
        if (steady_message_ack(message, &err)) {
            return fail("ack", err);
        }
        steady_message_free(message);
        seen++;
    }
    if (steady_consumer_close(consumer, &err)) {
        return fail("close", err);
    }
    steady_consumer_free(consumer);
    return 0;
}
