/* A small test harness for the C tests: checks, counters and broker helpers. */
#ifndef STEADY_TEST_HARNESS_H
#define STEADY_TEST_HARNESS_H

#include <stdint.h>
#include <stdio.h>

#include "steady.h"

/* Records a failed check of the running test (with file and line) and returns from it. */
#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            test_fail(__FILE__, __LINE__, "%s", #cond);                               \
            return;                                                                   \
        }                                                                             \
    } while (0)

/* Like CHECK, for a steady_result that must equal `expected`; prints the error's message. */
#define CHECK_RESULT(call, expected, err)                                             \
    do {                                                                              \
        steady_result got_ = (call);                                                  \
        if (got_ != (expected)) {                                                     \
            test_fail(__FILE__, __LINE__, "%s returned %u (%s), expected %u: %s", #call, \
                      (unsigned)got_, steady_result_str(got_), (unsigned)(expected),  \
                      (err) ? steady_error_message(err) : "(no detail)");             \
            return;                                                                   \
        }                                                                             \
    } while (0)

/* CHECK_RESULT for STEADY_RESULT_OK without error detail. */
#define CHECK_OK(call) CHECK_RESULT(call, STEADY_RESULT_OK, (steady_error *)NULL)

/* Like CHECK, but the test goes on (to release what it holds); evaluates to the condition. */
#define EXPECT(cond) test_expect((cond) != 0, __FILE__, __LINE__, #cond)

/* Marks the running test failed. */
void test_fail(const char *file, int line, const char *fmt, ...);

/* Marks the running test failed when `ok` is 0, naming `text`; returns `ok`. */
int test_expect(int ok, const char *file, int line, const char *text);

/* The broker's bootstrap servers (STEADY_BOOTSTRAP), or exits. */
const char *test_bootstrap(void);

/* The environment variable `name`, or exits when it is unset. */
const char *test_env(const char *name);

/* A group id unique to this process and call: "steady-c-<what>-<pid>-<n>". */
const char *test_group(const char *what);

/* Settings with `pairs` (key, value, key, value, …, NULL) plus bootstrap.servers. */
steady_settings *test_settings(const char *const *pairs);

/* Settings with `pairs` plus bootstrap.servers=`bootstrap`. */
steady_settings *test_settings_at(const char *bootstrap, const char *const *pairs);

/* The unsigned number after "key": in a JSON text, or UINT64_MAX when absent. */
uint64_t json_u64(const char *json, const char *key);

/* Milliseconds of a monotonic clock. */
int64_t now_ms(void);

/* Sleeps `ms` milliseconds. */
void sleep_ms(int64_t ms);

/* Polls up to 60 s for the first record of a new subscription (one poll's result otherwise). */
steady_result test_first_record(steady_consumer *consumer, steady_message **out);

/* The tests (each in its own file). */
void test_doctor_seed_example(void);
void test_doctor_probe(void);
void test_slow_handler_no_rebalance(void);
void test_close_wakes_poll(void);
void test_misuse(void);
void test_misuse_consumer(void);
void test_error_accessors(void);
void test_semantics(void);
void test_bulk(void);
void test_retries(void);
void test_fenced_static_member(void);
void test_unsupported_assignor(void);
void test_events_misuse(void);
void test_close_wakes_next_event(void);
void test_events_scenario(void);
void test_logging_misuse(void);
void test_logging_callback(void);
void test_logging_no_stderr(void);
void test_security_tls(void);
void test_security_scram(void);
void test_security_wrong_password(void);

#endif
