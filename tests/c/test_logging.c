/* Logging and metrics through the C ABI against the real broker: the log callback receives
 * steady's start-up warning, librdkafka's debug lines and the rebalance, on the consumer's
 * steady-log thread, one at a time and never after close; with a callback set nothing reaches
 * stderr; steady_consumer_metrics_text after records were consumed. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

/* What one consumer's log callback saw (its user_data). */
struct log_seen {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    pthread_t main_thread;
    size_t calls;
    int inside;            /* a call is running */
    int concurrent;        /* a call started while another ran */
    int bad_thread;        /* a call on a thread other than "steady-log" (or on the main one) */
    int bad_record;        /* NULL strings, an unknown level or logger */
    int st005_warning;     /* (a) warn, "steady", "config", ST005 */
    int librdkafka_debug;  /* (b) debug, "steady.librdkafka", facility CGRP* */
    int assigned;          /* (c) info, "steady", "rebalance", "assigned …" */
    char first_assigned[160];
};

static void seen_init(struct log_seen *s) {
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->changed, NULL);
    s->main_thread = pthread_self();
}

static void seen_destroy(struct log_seen *s) {
    pthread_cond_destroy(&s->changed);
    pthread_mutex_destroy(&s->lock);
}

static int starts_with(const char *s, const char *prefix) {
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void record_log(void *user_data, steady_log_level_t level, const char *logger,
                       const char *facility, const char *message) {
    struct log_seen *s = user_data;
    pthread_mutex_lock(&s->lock);
    s->concurrent |= s->inside;
    s->inside = 1;
    pthread_mutex_unlock(&s->lock);

    char name[32] = "";
    int on_log_thread = pthread_getname_np(pthread_self(), name, sizeof name) == 0 &&
                        strcmp(name, "steady-log") == 0 &&
                        !pthread_equal(pthread_self(), s->main_thread);
    int ok = logger != NULL && facility != NULL && message != NULL &&
             (level == STEADY_LOG_ERROR || level == STEADY_LOG_WARN || level == STEADY_LOG_INFO ||
              level == STEADY_LOG_DEBUG) &&
             (strcmp(logger, "steady") == 0 || strcmp(logger, "steady.librdkafka") == 0);

    pthread_mutex_lock(&s->lock);
    s->calls++;
    s->bad_thread |= !on_log_thread;
    s->bad_record |= !ok;
    if (ok) {
        int ours = strcmp(logger, "steady") == 0;
        if (ours && level == STEADY_LOG_WARN && strcmp(facility, "config") == 0 &&
            strstr(message, "ST005") != NULL) {
            s->st005_warning = 1;
        }
        if (!ours && level == STEADY_LOG_DEBUG && starts_with(facility, "CGRP")) {
            s->librdkafka_debug = 1;
        }
        if (ours && level == STEADY_LOG_INFO && strcmp(facility, "rebalance") == 0 &&
            starts_with(message, "assigned") && !s->assigned) {
            s->assigned = 1;
            snprintf(s->first_assigned, sizeof s->first_assigned, "%s", message);
        }
    }
    s->inside = 0;
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
}

/* Waits up to `ms` for (a), (b) and (c) (or only (c) when `all` is 0); whether they came. */
static int wait_for_records(struct log_seen *s, int all, int64_t ms) {
    int64_t deadline = now_ms() + ms;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        int done = s->assigned && (!all || (s->st005_warning && s->librdkafka_debug));
        int64_t left = deadline - now_ms();
        if (done || left <= 0) {
            pthread_mutex_unlock(&s->lock);
            return done;
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        int64_t step = left < 500 ? left : 500;
        until.tv_sec += (time_t)(step / 1000);
        until.tv_nsec += (long)(step % 1000) * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&s->changed, &s->lock, &until);
    }
}

static size_t calls(struct log_seen *s) {
    pthread_mutex_lock(&s->lock);
    size_t n = s->calls;
    pthread_mutex_unlock(&s->lock);
    return n;
}

/* The value of the first sample of `family` in a Prometheus text (-1 when there is none). */
static double sample_value(const char *text, const char *family) {
    size_t len = strlen(family);
    for (const char *line = text; line != NULL && *line != '\0';) {
        const char *end = strchr(line, '\n');
        size_t n = end ? (size_t)(end - line) : strlen(line);
        if (n > len && strncmp(line, family, len) == 0 && (line[len] == '{' || line[len] == ' ')) {
            const char *space = NULL;
            for (const char *p = line; p < line + n; p++) {
                if (*p == ' ') {
                    space = p;
                }
            }
            return space ? strtod(space + 1, NULL) : -1;
        }
        line = end ? end + 1 : NULL;
    }
    return -1;
}

/* The spec's scenario: debug=cgrp and session.timeout.ms=6000 (rule ST005 warns). The callback
 * gets the warning, librdkafka's CGRP debug lines and the assignment; after records were
 * consumed the metrics text counts them; after close no call comes. */
void test_logging_callback(void) {
    const char *topic = test_env("STEADY_TOPIC_LOGGING");
    struct log_seen seen;
    seen_init(&seen);
    const char *const pairs[] = {"group.id", test_group("logging"), "auto.offset.reset",
                                 "earliest", "debug", "cgrp", "session.timeout.ms", "6000",
                                 NULL};
    steady_settings *settings = test_settings(pairs);
    steady_consumer *consumer = NULL;
    steady_message *message = NULL;
    steady_error *err = NULL;
    char *text = NULL;
    CHECK_OK(steady_settings_set_log_callback(settings, record_log, &seen));
    steady_result r = steady_consumer_new(settings, &topic, 1, &consumer, &err);
    steady_settings_free(settings);
    CHECK_RESULT(r, STEADY_RESULT_OK, err);

    if (EXPECT(test_first_record(consumer, &message) == STEADY_RESULT_OK)) {
        EXPECT(steady_message_ack(message, NULL) == STEADY_RESULT_OK);
        steady_message_free(message);
    }
    EXPECT(wait_for_records(&seen, 1, 30000));
    if (EXPECT(steady_consumer_metrics_text(consumer, &text, &err) == STEADY_RESULT_OK)) {
        EXPECT(strstr(text, "messaging_client_consumed_messages_total") != NULL);
        double consumed = sample_value(text, "messaging_client_consumed_messages_total");
        if (!EXPECT(consumed >= 1)) {
            fprintf(stderr, "  messaging_client_consumed_messages_total: %g in\n%s\n", consumed,
                    text);
        }
        steady_string_free(text);
        text = NULL;
    }
    steady_error_free(err);
    err = NULL;

    EXPECT(steady_consumer_close(consumer, NULL) == STEADY_RESULT_OK);
    size_t at_close = calls(&seen);
    /* Works after close too (the per-partition samples go with the assignment). */
    if (EXPECT(steady_consumer_metrics_text(consumer, &text, NULL) == STEADY_RESULT_OK)) {
        EXPECT(strstr(text, "# TYPE messaging_client_consumed_messages_total counter") != NULL);
        steady_string_free(text);
    }
    steady_consumer_free(consumer);
    EXPECT(calls(&seen) == at_close);

    pthread_mutex_lock(&seen.lock);
    EXPECT(seen.st005_warning);
    EXPECT(seen.librdkafka_debug);
    EXPECT(seen.assigned && strstr(seen.first_assigned, topic) != NULL);
    EXPECT(!seen.concurrent);
    EXPECT(!seen.bad_thread);
    EXPECT(!seen.bad_record);
    pthread_mutex_unlock(&seen.lock);
    seen_destroy(&seen);
}

/* Runs one consumer with fd 2 sent to a file: until it is assigned (with a callback) or only
 * until close (without: close hands the queued warning over first). Returns what fd 2 got
 * (malloc'd) or NULL when the run failed. */
static char *stderr_of_consumer(int with_callback) {
    const char *topic = test_env("STEADY_TOPIC_LOGGING");
    struct log_seen seen;
    seen_init(&seen);
    const char *const pairs[] = {"group.id", test_group("stderr"), "auto.offset.reset",
                                 "earliest", "debug", "cgrp", "session.timeout.ms", "6000",
                                 NULL};
    steady_settings *settings = test_settings(pairs);
    if (with_callback) {
        steady_settings_set_log_callback(settings, record_log, &seen);
    }
    char path[] = "/tmp/steady-c-stderr-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) {
        steady_settings_free(settings);
        seen_destroy(&seen);
        return NULL;
    }
    unlink(path);
    fflush(stderr);
    int saved = dup(2);
    dup2(fd, 2);

    steady_consumer *consumer = NULL;
    int ok = steady_consumer_new(settings, &topic, 1, &consumer, NULL) == STEADY_RESULT_OK;
    steady_settings_free(settings);
    if (ok && with_callback) {
        ok = wait_for_records(&seen, 0, 60000);
    }
    steady_consumer_free(consumer);

    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    char *out = NULL;
    off_t size = lseek(fd, 0, SEEK_END);
    if (ok && size >= 0 && (out = calloc((size_t)size + 1, 1)) != NULL) {
        if (pread(fd, out, (size_t)size, 0) != (ssize_t)size) {
            free(out);
            out = NULL;
        }
    }
    close(fd);
    seen_destroy(&seen);
    return out;
}

/* With a log callback, library code writes nothing to stderr; without one, the start-up
 * warning goes there (which shows the capture works). */
void test_logging_no_stderr(void) {
    char *without = stderr_of_consumer(0);
    CHECK(without != NULL);
    int warned = strstr(without, "ST005") != NULL && strstr(without, "steady") != NULL;
    if (!EXPECT(warned)) {
        fprintf(stderr, "  stderr without a callback:\n%s\n", without);
    }
    free(without);

    char *with = stderr_of_consumer(1);
    CHECK(with != NULL);
    int quiet = strstr(with, "steady") == NULL && strstr(with, "rdkafka") == NULL &&
                strstr(with, "ST005") == NULL && with[0] != '%' && strstr(with, "\n%") == NULL;
    if (!EXPECT(quiet)) {
        fprintf(stderr, "  stderr with a callback:\n%s\n", with);
    }
    free(with);
}

/* NULL arguments of the logging and metrics calls; a NULL callback restores the default. */
void test_logging_misuse(void) {
    struct log_seen seen;
    seen_init(&seen);
    EXPECT(steady_settings_set_log_callback(NULL, record_log, &seen) ==
           STEADY_RESULT_NULL_PARAMETER);
    steady_settings *settings = test_settings(NULL);
    EXPECT(steady_settings_set_log_callback(settings, record_log, &seen) == STEADY_RESULT_OK);
    EXPECT(steady_settings_set_log_callback(settings, NULL, NULL) == STEADY_RESULT_OK);
    steady_settings_free(settings);

    char *text = (char *)&seen;
    steady_error *err = NULL;
    EXPECT(steady_consumer_metrics_text(NULL, &text, &err) == STEADY_RESULT_NULL_PARAMETER);
    EXPECT(err != NULL && strstr(steady_error_message(err), "consumer") != NULL);
    EXPECT(text == (char *)&seen);
    steady_error_free(err);
    seen_destroy(&seen);
}
