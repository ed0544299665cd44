/* The harness: runs the tests named on the command line (default: all) and prints a summary. */
#define _GNU_SOURCE
#include "harness.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int current_failed;

void test_fail(const char *file, int line, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    fprintf(stderr, "  FAILED at %s:%d: ", file, line);
    vfprintf(stderr, fmt, args);
    fprintf(stderr, "\n");
    va_end(args);
    current_failed = 1;
}

int test_expect(int ok, const char *file, int line, const char *text) {
    if (!ok) {
        test_fail(file, line, "%s", text);
    }
    return ok;
}

const char *test_env(const char *name) {
    const char *value = getenv(name);
    if (value == NULL || *value == '\0') {
        fprintf(stderr, "%s is not set (run tests/run-c.sh)\n", name);
        exit(2);
    }
    return value;
}

const char *test_bootstrap(void) { return test_env("STEADY_BOOTSTRAP"); }

const char *test_group(const char *what) {
    static char names[16][96];
    static int next;
    char *name = names[next % 16];
    snprintf(name, sizeof names[0], "steady-c-%s-%ld-%ld-%d", what, (long)getpid(),
             (long)time(NULL), next);
    next++;
    return name;
}

steady_settings *test_settings(const char *const *pairs) {
    return test_settings_at(test_bootstrap(), pairs);
}

steady_settings *test_settings_at(const char *bootstrap, const char *const *pairs) {
    steady_settings *settings = NULL;
    if (steady_settings_new(&settings) != STEADY_RESULT_OK ||
        steady_settings_set(settings, "bootstrap.servers", bootstrap, NULL) !=
            STEADY_RESULT_OK) {
        fprintf(stderr, "cannot build settings\n");
        exit(2);
    }
    for (; pairs != NULL && pairs[0] != NULL; pairs += 2) {
        steady_error *err = NULL;
        if (steady_settings_set(settings, pairs[0], pairs[1], &err) != STEADY_RESULT_OK) {
            fprintf(stderr, "cannot set %s: %s\n", pairs[0], steady_error_message(err));
            exit(2);
        }
    }
    return settings;
}

uint64_t json_u64(const char *json, const char *key) {
    char pattern[128];
    snprintf(pattern, sizeof pattern, "\"%s\":", key);
    const char *at = strstr(json, pattern);
    if (at == NULL) {
        return UINT64_MAX;
    }
    return strtoull(at + strlen(pattern), NULL, 10);
}

int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sleep_ms(int64_t ms) {
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

steady_result test_first_record(steady_consumer *consumer, steady_message **out) {
    steady_result r = STEADY_RESULT_TIMEOUT;
    for (int64_t deadline = now_ms() + 60000; r == STEADY_RESULT_TIMEOUT && now_ms() < deadline;) {
        r = steady_consumer_poll(consumer, 1000, out, NULL);
    }
    return r;
}

struct test {
    const char *name;
    void (*run)(void);
};

static const struct test TESTS[] = {
    {"doctor_seed_example", test_doctor_seed_example},
    {"doctor_probe", test_doctor_probe},
    {"misuse", test_misuse},
    {"error_accessors", test_error_accessors},
    {"misuse_consumer", test_misuse_consumer},
    {"close_wakes_poll", test_close_wakes_poll},
    {"semantics", test_semantics},
    {"bulk", test_bulk},
    {"retries", test_retries},
    {"events_misuse", test_events_misuse},
    {"close_wakes_next_event", test_close_wakes_next_event},
    {"events_scenario", test_events_scenario},
    {"logging_misuse", test_logging_misuse},
    {"logging_callback", test_logging_callback},
    {"logging_no_stderr", test_logging_no_stderr},
    {"slow_handler_no_rebalance", test_slow_handler_no_rebalance},
    {"fenced_static_member", test_fenced_static_member},
    {"unsupported_assignor", test_unsupported_assignor},
    {"security_tls", test_security_tls},
    {"security_scram", test_security_scram},
    {"security_wrong_password", test_security_wrong_password},
};

static int selected(const char *name, int argc, char **argv) {
    if (argc < 2) {
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], name) == 0) {
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv) {
    int passed = 0;
    int failed = 0;
    for (size_t i = 0; i < sizeof TESTS / sizeof TESTS[0]; i++) {
        if (!selected(TESTS[i].name, argc, argv)) {
            continue;
        }
        fprintf(stderr, "test %s ...\n", TESTS[i].name);
        current_failed = 0;
        int64_t start = now_ms();
        TESTS[i].run();
        fprintf(stderr, "test %s: %s (%lld ms)\n", TESTS[i].name,
                current_failed ? "FAILED" : "ok", (long long)(now_ms() - start));
        if (current_failed) {
            failed++;
        } else {
            passed++;
        }
    }
    printf("c: %d passed, %d failed\n", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}
