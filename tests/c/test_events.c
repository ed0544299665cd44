/* Events through the C ABI against the real broker: rebalance events, commit results, pause,
 * resume, seek, position and committed (the event scenario of the spec), plus their misuse. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

#define PARTITIONS 4
#define MAX_EVENTS 256
#define MAX_RECORDS 4096

/* Ends the running test (after releasing what it holds, at `out`) when `cond` is false. */
#define REQUIRE(cond)                                                                 \
    do {                                                                              \
        if (!(cond)) {                                                                \
            test_fail(__FILE__, __LINE__, "%s", #cond);                               \
            goto out;                                                                 \
        }                                                                             \
    } while (0)

/* REQUIRE for a call that must return `expected`; prints the error's message. */
#define REQUIRE_RESULT(call, expected, err)                                           \
    do {                                                                              \
        steady_result got_ = (call);                                                  \
        if (got_ != (expected)) {                                                     \
            test_fail(__FILE__, __LINE__, "%s returned %u (%s): %s", #call,           \
                      (unsigned)got_, steady_result_str(got_),                        \
                      (err) ? steady_error_message(err) : "(no detail)");             \
            steady_error_free(err);                                                   \
            err = NULL;                                                               \
            goto out;                                                                 \
        }                                                                             \
    } while (0)

/* One event as an event reader saw it. */
struct seen_event {
    steady_event_kind_t kind;
    steady_commit_reason reason;
    int has_error;
    int topics_ok; /* every partition names the expected topic */
    size_t count;
    int32_t partition[PARTITIONS];
    int64_t offset[PARTITIONS];
    int64_t received_ms;
    int64_t done_ms; /* just before steady_event_free: when its "handler" returned */
};

/* A thread reading one consumer's events until CLOSED (or another failure). */
struct reader {
    steady_consumer *consumer;
    const char *topic;
    pthread_t thread;
    int running;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct seen_event events[MAX_EVENTS];
    size_t count;
    int ended;
    steady_result end; /* what ended the loop */
    int accessors_ok;  /* out-of-range and reason/error accessors behaved on every event */
};

/* Whether the accessors of `e` beyond its partitions and for its kind answer as documented. */
static int accessors_behave(const steady_event *e) {
    size_t n = steady_event_partition_count(e);
    int ok = steady_event_topic(e, n) == NULL && steady_event_partition(e, n) == -1 &&
             steady_event_offset(e, n) == STEADY_OFFSET_NONE;
    const char *name = steady_event_kind_name(e);
    static const char *const NAMES[] = {"", "assigned", "revoked", "lost", "committed"};
    steady_event_kind_t kind = steady_event_kind(e);
    ok = ok && kind >= STEADY_EVENT_ASSIGNED && kind <= STEADY_EVENT_COMMITTED && name != NULL &&
         strcmp(name, NAMES[kind]) == 0;
    if (kind == STEADY_EVENT_COMMITTED) {
        static const char *const REASONS[] = {"", "background", "explicit", "revoke", "close"};
        steady_commit_reason r = steady_event_commit_reason(e);
        const char *rn = steady_event_commit_reason_name(e);
        ok = ok && r >= STEADY_COMMIT_REASON_BACKGROUND && r <= STEADY_COMMIT_REASON_CLOSE &&
             rn != NULL && strcmp(rn, REASONS[r]) == 0;
        const steady_error *err = steady_event_error(e);
        ok = ok && (err == NULL || (steady_error_code(err) == STEADY_RESULT_KAFKA &&
                                    steady_error_message(err) != NULL));
    } else {
        ok = ok && steady_event_commit_reason(e) == STEADY_COMMIT_REASON_NONE &&
             steady_event_commit_reason_name(e) == NULL && steady_event_error(e) == NULL;
        for (size_t i = 0; i < n; i++) {
            ok = ok && (kind == STEADY_EVENT_ASSIGNED ||
                        steady_event_offset(e, i) == STEADY_OFFSET_NONE);
        }
    }
    return ok;
}

static void *read_events(void *arg) {
    struct reader *r = arg;
    for (;;) {
        steady_event *e = NULL;
        steady_result res = steady_consumer_next_event(r->consumer, -1, &e, NULL);
        if (res != STEADY_RESULT_OK) {
            pthread_mutex_lock(&r->lock);
            r->ended = 1;
            r->end = res;
            pthread_cond_broadcast(&r->changed);
            pthread_mutex_unlock(&r->lock);
            return NULL;
        }
        struct seen_event s;
        memset(&s, 0, sizeof s);
        s.received_ms = now_ms();
        s.kind = steady_event_kind(e);
        s.reason = steady_event_commit_reason(e);
        s.has_error = steady_event_error(e) != NULL;
        s.count = steady_event_partition_count(e);
        s.topics_ok = s.count <= PARTITIONS;
        for (size_t i = 0; i < s.count && i < PARTITIONS; i++) {
            const char *topic = steady_event_topic(e, i);
            s.topics_ok = s.topics_ok && topic != NULL && strcmp(topic, r->topic) == 0;
            s.partition[i] = steady_event_partition(e, i);
            s.offset[i] = steady_event_offset(e, i);
        }
        int ok = accessors_behave(e);
        /* The handler: it acks nothing, and notes when it returns. */
        s.done_ms = now_ms();
        pthread_mutex_lock(&r->lock);
        if (r->count < MAX_EVENTS) {
            r->events[r->count++] = s;
        }
        r->accessors_ok = r->accessors_ok && ok;
        pthread_cond_broadcast(&r->changed);
        pthread_mutex_unlock(&r->lock);
        steady_event_free(e);
    }
}

/* Prints the events `r` saw, one line: "kind(reason)[partition@offset …]". */
static void reader_print(struct reader *r, const char *name) {
    static const char *const KINDS[] = {"?", "assigned", "revoked", "lost", "committed"};
    static const char *const REASONS[] = {"", "(background)", "(explicit)", "(revoke)", "(close)"};
    pthread_mutex_lock(&r->lock);
    fprintf(stderr, "  %s's events:", name);
    for (size_t i = 0; i < r->count; i++) {
        const struct seen_event *e = &r->events[i];
        fprintf(stderr, " %s%s%s[", KINDS[e->kind <= 4 ? e->kind : 0],
                REASONS[e->reason <= 4 ? e->reason : 0], e->has_error ? "!" : "");
        for (size_t j = 0; j < e->count && j < PARTITIONS; j++) {
            fprintf(stderr, "%s%d@%lld", j ? " " : "", (int)e->partition[j],
                    (long long)e->offset[j]);
        }
        fprintf(stderr, "]");
    }
    fprintf(stderr, "\n");
    pthread_mutex_unlock(&r->lock);
}

static int reader_start(struct reader *r, steady_consumer *consumer, const char *topic) {
    memset(r, 0, sizeof *r);
    r->consumer = consumer;
    r->topic = topic;
    r->accessors_ok = 1;
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->changed, NULL);
    r->running = pthread_create(&r->thread, NULL, read_events, r) == 0;
    return r->running;
}

/* Joins the reader (its consumer must be closed); 0 when it did not end within a minute. */
static int reader_join(struct reader *r) {
    if (!r->running) {
        return 1;
    }
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 60;
    if (pthread_timedjoin_np(r->thread, NULL, &deadline) != 0) {
        return 0;
    }
    r->running = 0;
    return 1;
}

/* Waits up to `timeout_ms` for an event of `kind` (and `reason` for commits, 0: any) at index
 * `from` or later; its index, or -1. */
static int reader_wait(struct reader *r, size_t from, steady_event_kind_t kind,
                       steady_commit_reason reason, int64_t timeout_ms) {
    int64_t deadline = now_ms() + timeout_ms;
    int found = -1;
    pthread_mutex_lock(&r->lock);
    for (;;) {
        for (size_t i = from; i < r->count && found < 0; i++) {
            if (r->events[i].kind == kind && (reason == 0 || r->events[i].reason == reason)) {
                found = (int)i;
            }
        }
        if (found >= 0 || r->ended || now_ms() >= deadline) {
            break;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&r->changed, &r->lock, &ts);
    }
    pthread_mutex_unlock(&r->lock);
    return found;
}

/* A copy of the event at `index` (taken under the reader's lock). */
static struct seen_event reader_get(struct reader *r, int index) {
    pthread_mutex_lock(&r->lock);
    struct seen_event s = r->events[index];
    pthread_mutex_unlock(&r->lock);
    return s;
}

/* What the test saw of the records. */
struct records {
    int total;                      /* records in the topic, sequence numbers 0..total-1 */
    int partition_of[MAX_RECORDS];  /* -1: not seen yet */
    int64_t next[2][PARTITIONS];    /* per member (A, B): offset after the last record acked */
    int64_t first_ms[2][PARTITIONS]; /* per member: when its first record of a partition came */
    int seen;                       /* distinct sequence numbers seen */
    int inconsistent;               /* a sequence number came from two partitions */
};

/* One record delivered by `member`'s consumer: checked, noted, acked and freed. Returns the
 * partition (its offset in *offset_out), -1 on a timeout, -2 on another failure. */
static int take(steady_consumer *c, int member, struct records *rs, int timeout_ms,
                int64_t *offset_out) {
    steady_message *m = NULL;
    steady_result r = steady_consumer_poll(c, timeout_ms, &m, NULL);
    if (r == STEADY_RESULT_TIMEOUT) {
        return -1;
    }
    if (r != STEADY_RESULT_OK) {
        return -2;
    }
    int p = steady_message_partition(m);
    int64_t offset = steady_message_offset(m);
    const uint8_t *payload = NULL;
    size_t len = 0;
    char text[32] = "";
    if (steady_message_payload(m, &payload, &len) == STEADY_RESULT_OK && payload != NULL &&
        len < sizeof text) {
        memcpy(text, payload, len);
    }
    int seq = atoi(text);
    if (p < 0 || p >= PARTITIONS || seq < 0 || seq >= rs->total ||
        steady_message_ack(m, NULL) != STEADY_RESULT_OK) {
        steady_message_free(m);
        return -2;
    }
    steady_message_free(m);
    if (rs->partition_of[seq] < 0) {
        rs->partition_of[seq] = p;
        rs->seen++;
    } else if (rs->partition_of[seq] != p) {
        rs->inconsistent = 1;
    }
    if (rs->first_ms[member][p] == 0) {
        rs->first_ms[member][p] = now_ms();
    }
    rs->next[member][p] = offset + 1;
    if (offset_out != NULL) {
        *offset_out = offset;
    }
    return p;
}

/* The offset `ev` gives partition `p`, or -2 when `ev` does not name it. */
static int64_t offset_of(const struct seen_event *ev, int p) {
    for (size_t i = 0; i < ev->count && i < PARTITIONS; i++) {
        if (ev->partition[i] == p) {
            return ev->offset[i];
        }
    }
    return -2;
}

static steady_consumer *member(const char *topic, const char *group) {
    const char *const pairs[] = {"group.id", group, "auto.offset.reset", "earliest",
                                 "steady.events.enable", "true", "auto.commit.interval.ms", "600000",
                                 "partition.assignment.strategy", "cooperative-sticky",
                                 "session.timeout.ms", "30000", "steady.revoke.drain.ms", "20000",
                                 NULL};
    steady_settings *settings = test_settings(pairs);
    steady_consumer *consumer = NULL;
    steady_error *err = NULL;
    steady_result r = steady_consumer_new(settings, &topic, 1, &consumer, &err);
    steady_settings_free(settings);
    if (r != STEADY_RESULT_OK) {
        fprintf(stderr, "  consumer: %s\n", steady_error_message(err));
        steady_error_free(err);
        return NULL;
    }
    return consumer;
}

/* The scenario: STEADY_TOPIC_EVENTS has 4 partitions and STEADY_EVENTS_RECORDS records whose
 * payload is their sequence number. Members A and B of one group; background commits come every
 * 10 minutes, so every commit result is one the test caused. */
void test_events_scenario(void) {
    const char *topic = test_env("STEADY_TOPIC_EVENTS");
    const char *group = test_group("events");
    static struct records rs;
    static struct reader ra, rb;
    memset(&rs, 0, sizeof rs);
    rs.total = atoi(test_env("STEADY_EVENTS_RECORDS"));
    CHECK(rs.total > 0 && rs.total <= MAX_RECORDS);
    for (int i = 0; i < rs.total; i++) {
        rs.partition_of[i] = -1;
    }
    steady_consumer *a = member(topic, group);
    steady_consumer *b = NULL;
    steady_error *err = NULL;
    CHECK(a != NULL);
    memset(&rb, 0, sizeof rb);
    if (!reader_start(&ra, a, topic)) {
        test_fail(__FILE__, __LINE__, "cannot start A's event reader");
        steady_consumer_free(a);
        return;
    }

    /* 1. A's first event: assigned, the 4 partitions, nothing committed. */
    REQUIRE(reader_wait(&ra, 0, STEADY_EVENT_ASSIGNED, 0, 90000) == 0);
    struct seen_event first = reader_get(&ra, 0);
    REQUIRE(first.count == PARTITIONS && first.topics_ok);
    for (int p = 0; p < PARTITIONS; p++) {
        EXPECT(offset_of(&first, p) == STEADY_OFFSET_NONE);
    }

    /* 2. A acks 200 records, commits: a committed event (explicit, no error, offsets acked). */
    int taken = 0;
    for (int64_t deadline = now_ms() + 90000; taken < rs.total / 2 && now_ms() < deadline;) {
        int got = take(a, 0, &rs, 1000, NULL);
        REQUIRE(got != -2);
        taken += got >= 0;
    }
    REQUIRE(taken == rs.total / 2);
    int64_t committed_a[PARTITIONS];
    memcpy(committed_a, rs.next[0], sizeof committed_a);
    REQUIRE_RESULT(steady_consumer_commit(a, &err), STEADY_RESULT_OK, err);
    int explicit_at = reader_wait(&ra, 1, STEADY_EVENT_COMMITTED, STEADY_COMMIT_REASON_EXPLICIT,
                                  30000);
    REQUIRE(explicit_at > 0);
    struct seen_event explicit_commit = reader_get(&ra, explicit_at);
    EXPECT(!explicit_commit.has_error && explicit_commit.topics_ok);
    /* What the group has committed now: the acked prefix; a partition nothing was acked of is
     * left out or committed at its start (0: the group had nothing committed). */
    int64_t group_committed[PARTITIONS];
    for (int p = 0; p < PARTITIONS; p++) {
        int64_t got = offset_of(&explicit_commit, p);
        group_committed[p] = got == -2 ? STEADY_OFFSET_NONE : got;
        int ok = committed_a[p] > 0 ? got == committed_a[p] : (got == -2 || got == 0);
        if (!EXPECT(ok)) {
            fprintf(stderr, "  partition %d: committed %lld, acked up to %lld\n", p,
                    (long long)got, (long long)committed_a[p]);
        }
    }

    /* 3. B joins: A has a strict subset revoked, B gets them at A's committed offsets. */
    b = member(topic, group);
    REQUIRE(b != NULL);
    REQUIRE(reader_start(&rb, b, topic));
    int revoked_at = reader_wait(&ra, (size_t)explicit_at + 1, STEADY_EVENT_REVOKED, 0, 90000);
    REQUIRE(revoked_at > 0);
    struct seen_event revoked = reader_get(&ra, revoked_at);
    REQUIRE(revoked.count > 0 && revoked.count < PARTITIONS && revoked.topics_ok);
    REQUIRE(reader_wait(&rb, 0, STEADY_EVENT_ASSIGNED, 0, 90000) == 0);
    struct seen_event assigned_b = reader_get(&rb, 0);
    REQUIRE(assigned_b.count == revoked.count && assigned_b.topics_ok);
    /* A commit on revoke (of a partition left out before) also counts; it came before B's
     * assignment. A acked nothing since the explicit commit. */
    for (size_t i = (size_t)explicit_at + 1;; i++) {
        pthread_mutex_lock(&ra.lock);
        int more = i < ra.count;
        struct seen_event c = more ? ra.events[i] : explicit_commit;
        pthread_mutex_unlock(&ra.lock);
        if (!more) {
            break;
        }
        if (c.kind != STEADY_EVENT_COMMITTED) {
            continue;
        }
        EXPECT(c.reason == STEADY_COMMIT_REASON_REVOKE && !c.has_error);
        EXPECT(c.received_ms <= assigned_b.received_ms);
        for (size_t j = 0; j < c.count; j++) {
            int p = c.partition[j];
            EXPECT(p >= 0 && p < PARTITIONS &&
                   c.offset[j] == (committed_a[p] > 0 ? committed_a[p] : 0));
            if (p >= 0 && p < PARTITIONS) {
                group_committed[p] = c.offset[j];
            }
        }
    }
    int moved[PARTITIONS] = {0};
    for (size_t i = 0; i < revoked.count; i++) {
        int p = revoked.partition[i];
        REQUIRE(p >= 0 && p < PARTITIONS);
        moved[p] = 1;
        int64_t want = group_committed[p];
        if (!EXPECT(offset_of(&assigned_b, p) == want)) {
            fprintf(stderr, "  B's partition %d starts at %lld, A committed %lld\n", p,
                    (long long)offset_of(&assigned_b, p), (long long)want);
        }
    }
    EXPECT(revoked.done_ms <= assigned_b.received_ms);
    EXPECT(explicit_commit.received_ms <= assigned_b.received_ms);

    /* B takes a record of every moved partition that has records left; each comes after A's
     * revoke handler returned. A's partitions are those not moved. */
    int kept = -1;
    for (int p = 0; p < PARTITIONS; p++) {
        if (!moved[p] && kept < 0) {
            kept = p;
        }
    }
    REQUIRE(kept >= 0);

    /* 4. Pause A's partition `kept`, then seek it back to its start (position reports the
     * target before delivery): for 2 s nothing of it comes from A, though it now has records
     * to give, while the rest flows. committed reports the broker's value. */
    REQUIRE_RESULT(steady_consumer_pause(a, topic, kept, &err), STEADY_RESULT_OK, err);
    REQUIRE_RESULT(steady_consumer_seek(a, topic, kept, 0, &err), STEADY_RESULT_OK, err);
    int64_t position = -2;
    REQUIRE_RESULT(steady_consumer_position(a, topic, kept, &position, &err), STEADY_RESULT_OK,
                   err);
    EXPECT(position == 0);
    for (int64_t until = now_ms() + 2000; now_ms() < until;) {
        int got = take(a, 0, &rs, 100, NULL);
        REQUIRE(got != -2);
        if (!EXPECT(got != kept)) {
            break;
        }
        REQUIRE(take(b, 1, &rs, 0, NULL) != -2);
    }
    int64_t committed_kept = STEADY_OFFSET_NONE - 1;
    REQUIRE_RESULT(steady_consumer_committed(a, topic, kept, &committed_kept, &err),
                   STEADY_RESULT_OK, err);
    EXPECT(committed_kept == group_committed[kept]);
    /* Resume: records of it flow again, from the seek's target. */
    REQUIRE_RESULT(steady_consumer_resume(a, topic, kept, &err), STEADY_RESULT_OK, err);
    int64_t replayed = -1;
    for (int64_t deadline = now_ms() + 60000; now_ms() < deadline;) {
        int64_t offset = -1;
        int got = take(a, 0, &rs, 200, &offset);
        REQUIRE(got != -2);
        if (got == kept) {
            replayed = offset;
            break;
        }
        take(b, 1, &rs, 0, NULL);
    }
    EXPECT(replayed == 0);

    /* 5. Every record seen at least once across A and B. */
    for (int64_t deadline = now_ms() + 90000; rs.seen < rs.total && now_ms() < deadline;) {
        REQUIRE(take(a, 0, &rs, 50, NULL) != -2);
        REQUIRE(take(b, 1, &rs, 50, NULL) != -2);
    }
    if (!EXPECT(rs.seen == rs.total)) {
        fprintf(stderr, "  %d of %d records seen\n", rs.seen, rs.total);
    }
    EXPECT(!rs.inconsistent);
    for (int p = 0; p < PARTITIONS; p++) {
        if (moved[p] && rs.first_ms[1][p] != 0) {
            EXPECT(rs.first_ms[1][p] >= revoked.done_ms);
        }
    }

    /* 6. Close A: a revoked event for what it kept, a committed(close), then CLOSED. */
    size_t before_close;
    pthread_mutex_lock(&ra.lock);
    before_close = ra.count;
    pthread_mutex_unlock(&ra.lock);
    REQUIRE_RESULT(steady_consumer_close(a, &err), STEADY_RESULT_OK, err);
    REQUIRE(reader_join(&ra));
    EXPECT(ra.end == STEADY_RESULT_CLOSED);
    EXPECT(ra.accessors_ok);
    REQUIRE(ra.count >= before_close + 1 && ra.count >= 2);
    struct seen_event last_revoke = ra.events[ra.count - 2];
    struct seen_event last = ra.events[ra.count - 1];
    /* A acked records past its explicit commit in the partitions it kept: close commits them. */
    int acked_since = 0;
    for (int p = 0; p < PARTITIONS; p++) {
        acked_since = acked_since || (!moved[p] && rs.next[0][p] > committed_a[p]);
    }
    int close_commit = last.kind == STEADY_EVENT_COMMITTED &&
                       last.reason == STEADY_COMMIT_REASON_CLOSE;
    EXPECT(close_commit || !acked_since);
    struct seen_event closing = close_commit ? last_revoke : last;
    EXPECT(closing.kind == STEADY_EVENT_REVOKED && closing.count == PARTITIONS - revoked.count);
    if (close_commit) {
        EXPECT(!last.has_error && last.count > 0);
        for (size_t i = 0; i < last.count; i++) {
            int p = last.partition[i];
            EXPECT(p >= 0 && p < PARTITIONS && !moved[p] && last.offset[i] == rs.next[0][p]);
        }
    }
    steady_event *none = NULL;
    EXPECT(steady_consumer_next_event(a, 0, &none, NULL) == STEADY_RESULT_CLOSED);
    EXPECT(steady_consumer_pause(a, topic, kept, NULL) == STEADY_RESULT_CLOSED);
    EXPECT(none == NULL);

out:
    if (a != NULL) {
        steady_consumer_close(a, NULL);
    }
    if (b != NULL) {
        steady_consumer_close(b, NULL);
    }
    if (ra.running || ra.count > 0) {
        reader_print(&ra, "A");
    }
    if (rb.running || rb.count > 0) {
        reader_print(&rb, "B");
    }
    if (!reader_join(&ra) || !reader_join(&rb)) {
        test_fail(__FILE__, __LINE__, "an event reader did not end after close");
        return; /* it still uses its consumer: leave both */
    }
    EXPECT(rb.accessors_ok);
    steady_consumer_free(a);
    steady_consumer_free(b);
}

/* Whether `err` has `code` and its message holds `text`; frees it. */
static int error_is(steady_error *err, steady_result code, const char *text) {
    int ok = err != NULL && steady_error_code(err) == code &&
             strstr(steady_error_message(err), text) != NULL;
    if (!ok) {
        fprintf(stderr, "  got %s\n", err ? steady_error_message(err) : "(no error)");
    }
    steady_error_free(err);
    return ok;
}

/* Misuse: NULL parameters, events off, a partition not assigned, calls after close. */
void test_events_misuse(void) {
    const char *topic = test_env("STEADY_TOPIC_EMPTY");
    steady_error *err = NULL;
    steady_event *e = NULL;
    int64_t offset = 42;

    /* Accessors of a NULL event answer their documented defaults. */
    EXPECT(steady_event_kind(NULL) == 0);
    EXPECT(steady_event_kind_name(NULL) == NULL);
    EXPECT(steady_event_partition_count(NULL) == 0);
    EXPECT(steady_event_topic(NULL, 0) == NULL);
    EXPECT(steady_event_partition(NULL, 0) == -1);
    EXPECT(steady_event_offset(NULL, 0) == STEADY_OFFSET_NONE);
    EXPECT(steady_event_commit_reason(NULL) == STEADY_COMMIT_REASON_NONE);
    EXPECT(steady_event_commit_reason_name(NULL) == NULL);
    EXPECT(steady_event_error(NULL) == NULL);
    steady_event_free(NULL);

    EXPECT(steady_consumer_next_event(NULL, 0, &e, &err) == STEADY_RESULT_NULL_PARAMETER);
    EXPECT(error_is(err, STEADY_RESULT_NULL_PARAMETER, "consumer"));
    err = NULL;
    EXPECT(steady_consumer_pause(NULL, topic, 0, NULL) == STEADY_RESULT_NULL_PARAMETER);
    EXPECT(steady_consumer_resume(NULL, topic, 0, NULL) == STEADY_RESULT_NULL_PARAMETER);
    EXPECT(steady_consumer_seek(NULL, topic, 0, 0, NULL) == STEADY_RESULT_NULL_PARAMETER);
    EXPECT(steady_consumer_position(NULL, topic, 0, &offset, NULL) ==
           STEADY_RESULT_NULL_PARAMETER);
    EXPECT(steady_consumer_committed(NULL, topic, 0, &offset, NULL) ==
           STEADY_RESULT_NULL_PARAMETER);

    /* Events off (the default). */
    const char *const off[] = {"group.id", test_group("events-off"), NULL};
    steady_settings *settings = test_settings(off);
    steady_consumer *c = NULL;
    steady_result r = steady_consumer_new(settings, &topic, 1, &c, &err);
    steady_settings_free(settings);
    CHECK_RESULT(r, STEADY_RESULT_OK, err);
    EXPECT(steady_consumer_next_event(c, 0, NULL, &err) == STEADY_RESULT_NULL_PARAMETER);
    EXPECT(error_is(err, STEADY_RESULT_NULL_PARAMETER, "event_out"));
    err = NULL;
    EXPECT(steady_consumer_next_event(c, 100, &e, &err) == STEADY_RESULT_INVALID_ARGUMENT);
    EXPECT(error_is(err, STEADY_RESULT_INVALID_ARGUMENT, "steady.events.enable"));
    err = NULL;
    EXPECT(steady_consumer_next_event(c, -2, &e, &err) == STEADY_RESULT_INVALID_ARGUMENT);
    EXPECT(error_is(err, STEADY_RESULT_INVALID_ARGUMENT, "timeout_ms"));
    err = NULL;
    /* Partition 99 of the topic is nobody's; partition control names it. */
    EXPECT(steady_consumer_pause(c, topic, 99, &err) == STEADY_RESULT_INVALID_ARGUMENT);
    EXPECT(error_is(err, STEADY_RESULT_INVALID_ARGUMENT, "is not assigned to this consumer"));
    err = NULL;
    EXPECT(steady_consumer_resume(c, topic, 99, NULL) == STEADY_RESULT_INVALID_ARGUMENT);
    EXPECT(steady_consumer_seek(c, topic, 99, 5, NULL) == STEADY_RESULT_INVALID_ARGUMENT);
    EXPECT(steady_consumer_position(c, topic, 99, &offset, NULL) ==
           STEADY_RESULT_INVALID_ARGUMENT);
    EXPECT(steady_consumer_committed(c, topic, 99, &offset, NULL) ==
           STEADY_RESULT_INVALID_ARGUMENT);
    EXPECT(steady_consumer_seek(c, topic, 0, -3, &err) == STEADY_RESULT_INVALID_ARGUMENT);
    EXPECT(error_is(err, STEADY_RESULT_INVALID_ARGUMENT, "offset -3"));
    err = NULL;
    EXPECT(steady_consumer_pause(c, NULL, 0, &err) == STEADY_RESULT_NULL_PARAMETER);
    EXPECT(error_is(err, STEADY_RESULT_NULL_PARAMETER, "topic"));
    err = NULL;
    EXPECT(steady_consumer_position(c, "\xff", 0, &offset, &err) == STEADY_RESULT_INVALID_UTF8);
    EXPECT(error_is(err, STEADY_RESULT_INVALID_UTF8, "topic"));
    err = NULL;
    EXPECT(steady_consumer_committed(c, topic, 0, NULL, &err) == STEADY_RESULT_NULL_PARAMETER);
    EXPECT(error_is(err, STEADY_RESULT_NULL_PARAMETER, "offset_out"));
    err = NULL;
    EXPECT(offset == 42); /* outputs are written only on success */
    EXPECT(e == NULL);

    /* After close: CLOSED for partition control and for next_event, events on or off. */
    EXPECT(steady_consumer_close(c, NULL) == STEADY_RESULT_OK);
    EXPECT(steady_consumer_pause(c, topic, 0, NULL) == STEADY_RESULT_CLOSED);
    EXPECT(steady_consumer_resume(c, topic, 0, NULL) == STEADY_RESULT_CLOSED);
    EXPECT(steady_consumer_seek(c, topic, 0, 0, NULL) == STEADY_RESULT_CLOSED);
    EXPECT(steady_consumer_position(c, topic, 0, &offset, NULL) == STEADY_RESULT_CLOSED);
    EXPECT(steady_consumer_committed(c, topic, 0, &offset, NULL) == STEADY_RESULT_CLOSED);
    EXPECT(steady_consumer_next_event(c, 0, &e, &err) == STEADY_RESULT_CLOSED);
    steady_error_free(err);
    err = NULL;
    steady_consumer_free(c);
}

/* A next_event without a time limit returns CLOSED once another thread closes the consumer
 * (after the events queued before, which the reader frees). */
void test_close_wakes_next_event(void) {
    const char *topic = test_env("STEADY_TOPIC_EMPTY");
    const char *const pairs[] = {"group.id", test_group("events-close"),
                                 "steady.events.enable", "true", NULL};
    steady_settings *settings = test_settings(pairs);
    steady_consumer *c = NULL;
    steady_error *err = NULL;
    steady_result r = steady_consumer_new(settings, &topic, 1, &c, &err);
    steady_settings_free(settings);
    CHECK_RESULT(r, STEADY_RESULT_OK, err);
    static struct reader rd;
    if (!EXPECT(reader_start(&rd, c, topic))) {
        steady_consumer_free(c);
        return;
    }
    /* The first assignment, so that close has something to revoke. */
    EXPECT(reader_wait(&rd, 0, STEADY_EVENT_ASSIGNED, 0, 90000) == 0);
    steady_event *e = NULL;
    EXPECT(steady_consumer_next_event(c, 0, &e, NULL) == STEADY_RESULT_TIMEOUT || e != NULL);
    steady_event_free(e);
    EXPECT(steady_consumer_close(c, NULL) == STEADY_RESULT_OK);
    if (!EXPECT(reader_join(&rd))) {
        return; /* the reader still uses the consumer: leave it */
    }
    EXPECT(rd.end == STEADY_RESULT_CLOSED);
    EXPECT(rd.accessors_ok);
    EXPECT(rd.count >= 2 && rd.events[rd.count - 1].kind == STEADY_EVENT_REVOKED);
    e = NULL;
    EXPECT(steady_consumer_next_event(c, -1, &e, NULL) == STEADY_RESULT_CLOSED);
    EXPECT(e == NULL);
    steady_consumer_free(c);
}
