/* bench-c: steady's C ABI against a plain librdkafka consumer loop (rd_kafka_consumer_poll).
 *
 *   bench-c throughput steady|steady-batch|steady-batch-all|peer BOOTSTRAP TOPIC RECORDS [KEY=VALUE ...]
 *   bench-c latency    steady|peer              BOOTSTRAP TOPIC SECONDS [KEY=VALUE ...]
 *   bench-c goodput    steady|peer              BOOTSTRAP TOPIC SECONDS [KEY=VALUE ...]
 *   bench-c fill       BOOTSTRAP TOPIC RECORDS SIZE PARTITIONS   (produce, keys "0", "1", ...)
 *   bench-c produce    BOOTSTRAP TOPIC SECONDS RATE              (paced; payload starts with
 *                                                                 the send time, int64 LE µs)
 *
 * KEY=VALUE pairs are consumer settings, except bench.* ones (bench/README.md). Every reader
 * reads key, payload, headers and timestamp of every record. The result is one line on
 * stdout: "RESULT {json}".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "rdkafka.h"
#include "steady.h"

typedef struct {
    const char *k, *v;
} pair;

static const char *g_bootstrap, *g_topic;
static pair g_set[64];
static int g_nset;

static void die(const char *what, const char *detail) {
    fprintf(stderr, "bench-c: %s: %s\n", what, detail ? detail : "");
    exit(1);
}

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static int64_t wall_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static double cpu_s(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec +
           u.ru_stime.tv_usec / 1e6;
}

static const char *bench_opt(const char *key, const char *def) {
    for (int i = 0; i < g_nset; i++)
        if (!strcmp(g_set[i].k, key)) return g_set[i].v;
    return def;
}

static char g_group[128];

static void new_group(const char *kind) {
    snprintf(g_group, sizeof g_group, "bench-c-%s-%d-%" PRId64, kind, (int)getpid(), wall_us());
}

/* ------------------------------------------------------------------ what a reader sees */

typedef struct {
    uint64_t records, payload_bytes, key_bytes, headers, timestamps;
} seen_t;

/* ------------------------------------------------------------------ plain librdkafka */

static _Atomic long g_assigns;

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque) {
    (void)opaque;
    bool coop = !strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE");
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        atomic_fetch_add(&g_assigns, 1);
        if (coop) rd_kafka_error_destroy(rd_kafka_incremental_assign(rk, parts));
        else rd_kafka_assign(rk, parts);
    } else {
        if (coop) rd_kafka_error_destroy(rd_kafka_incremental_unassign(rk, parts));
        else rd_kafka_assign(rk, NULL);
    }
}

static rd_kafka_t *plain_new(const pair *extra, int nextra) {
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    const pair base[] = {{"bootstrap.servers", g_bootstrap},
                         {"group.id", g_group},
                         {"auto.offset.reset", "earliest"}};
    for (size_t i = 0; i < sizeof base / sizeof *base; i++)
        if (rd_kafka_conf_set(conf, base[i].k, base[i].v, err, sizeof err)) die(base[i].k, err);
    for (int i = 0; i < nextra; i++)
        if (rd_kafka_conf_set(conf, extra[i].k, extra[i].v, err, sizeof err)) die(extra[i].k, err);
    for (int i = 0; i < g_nset; i++) {
        if (!strncmp(g_set[i].k, "bench.", 6)) continue;
        if (rd_kafka_conf_set(conf, g_set[i].k, g_set[i].v, err, sizeof err)) die(g_set[i].k, err);
    }
    rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) die("rd_kafka_new", err);
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *t = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(t, g_topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(rk, t);
    rd_kafka_topic_partition_list_destroy(t);
    if (e) die("subscribe", rd_kafka_err2str(e));
    return rk;
}

static inline void plain_note(rd_kafka_message_t *m, seen_t *s) {
    s->records++;
    s->payload_bytes += m->payload ? m->len : 0;
    s->key_bytes += m->key ? m->key_len : 0;
    rd_kafka_headers_t *h = NULL;
    if (!rd_kafka_message_headers(m, &h)) s->headers += rd_kafka_header_cnt(h);
    rd_kafka_timestamp_type_t tt;
    if (rd_kafka_message_timestamp(m, &tt) >= 0) s->timestamps++;
}

/* ------------------------------------------------------------------ steady */

static steady_consumer *steady_new(const pair *extra, int nextra) {
    steady_error *err = NULL;
    steady_settings *st = NULL;
    steady_settings_new(&st);
    const pair base[] = {{"bootstrap.servers", g_bootstrap},
                         {"group.id", g_group},
                         {"auto.offset.reset", "earliest"}};
    for (size_t i = 0; i < sizeof base / sizeof *base; i++)
        if (steady_settings_set(st, base[i].k, base[i].v, &err))
            die(base[i].k, steady_error_message(err));
    for (int i = 0; i < nextra; i++)
        if (steady_settings_set(st, extra[i].k, extra[i].v, &err))
            die(extra[i].k, steady_error_message(err));
    for (int i = 0; i < g_nset; i++) {
        if (!strncmp(g_set[i].k, "bench.", 6)) continue;
        if (steady_settings_set(st, g_set[i].k, g_set[i].v, &err))
            die(g_set[i].k, steady_error_message(err));
    }
    steady_consumer *c = NULL;
    if (steady_consumer_new(st, &g_topic, 1, &c, &err)) die("steady_consumer_new", steady_error_message(err));
    steady_settings_free(st);
    return c;
}

static inline void steady_note(const steady_message *m, seen_t *s) {
    const uint8_t *p;
    size_t n;
    s->records++;
    steady_message_payload(m, &p, &n);
    s->payload_bytes += n;
    steady_message_key(m, &p, &n);
    s->key_bytes += n;
    size_t hc = steady_message_header_count(m);
    for (size_t i = 0; i < hc; i++) {
        const char *name;
        steady_message_header(m, i, &name, &p, &n);
    }
    s->headers += hc;
    if (steady_message_timestamp(m) >= 0) s->timestamps++;
}

/* The same from the fields of one steady_messages_fields call. */
static inline void steady_note_fields(const steady_message *m, const steady_message_fields_t *f,
                                      seen_t *s) {
    s->records++;
    s->payload_bytes += f->payload_len;
    s->key_bytes += f->key_len;
    for (size_t i = 0; i < f->header_count; i++) {
        const char *name;
        const uint8_t *p;
        size_t n;
        steady_message_header(m, i, &name, &p, &n);
    }
    s->headers += f->header_count;
    if (f->timestamp >= 0) s->timestamps++;
}

/* Sums an integer field of the stats JSON (a crude reader: "key": N). */
static long stats_field(steady_consumer *c, const char *key) {
    char *json = NULL;
    if (steady_consumer_stats_json(c, &json, NULL)) return -1;
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *at = strstr(json, pat);
    long v = at ? strtol(at + strlen(pat), NULL, 10) : -1;
    steady_string_free(json);
    return v;
}

/* ------------------------------------------------------------------ throughput */

static int throughput(const char *impl, uint64_t total) {
    new_group("tp");
    seen_t s = {0};
    double cpu0 = cpu_s(), t0 = now_s(), first = 0, end;
    double deadline = t0 + 600;
    if (!strcmp(impl, "peer")) {
        rd_kafka_t *rk = plain_new(NULL, 0);
        while (s.records < total && now_s() < deadline) {
            rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
            if (!m) continue;
            if (!m->err) {
                if (!s.records) first = now_s();
                plain_note(m, &s);
            }
            rd_kafka_message_destroy(m);
        }
        end = now_s();
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
    } else {
        /* steady-batch-all: one call each for the batch's fields, acks and frees. */
        bool all = !strcmp(impl, "steady-batch-all");
        bool batch = all || !strcmp(impl, "steady-batch");
        size_t max = (size_t)atoi(bench_opt("bench.batch", "512"));
        steady_consumer *c = steady_new(NULL, 0);
        steady_message **ms = calloc(max, sizeof *ms);
        steady_message_fields_t *fs = calloc(max, sizeof *fs);
        steady_error *err = NULL;
        while (s.records < total && now_s() < deadline) {
            size_t n = 0;
            steady_result r;
            if (batch) r = steady_consumer_poll_batch(c, 100, ms, max, &n, &err);
            else {
                r = steady_consumer_poll(c, 100, &ms[0], &err);
                n = r == STEADY_RESULT_OK;
            }
            if (r == STEADY_RESULT_TIMEOUT) {
                steady_error_free(err);
                err = NULL;
                continue;
            }
            if (r) die("poll", steady_error_message(err));
            if (!s.records && n) first = now_s();
            if (all) {
                const steady_message *const *cms = (const steady_message *const *)ms;
                if (steady_messages_fields(cms, n, fs)) die("fields", "");
                for (size_t i = 0; i < n; i++) steady_note_fields(ms[i], &fs[i], &s);
                if (steady_messages_ack(cms, n, &err)) die("ack", steady_error_message(err));
                steady_messages_free(ms, n);
                continue;
            }
            for (size_t i = 0; i < n; i++) {
                steady_note(ms[i], &s);
                if (steady_message_ack(ms[i], &err)) die("ack", steady_error_message(err));
                steady_message_free(ms[i]);
            }
        }
        end = now_s();
        free(ms);
        free(fs);
        steady_consumer_close(c, NULL);
        steady_consumer_free(c);
    }
    double cpu = cpu_s() - cpu0;
    if (s.records < total) die("throughput", "did not read every record in 600 s");
    if (!s.key_bytes || s.timestamps != s.records) die("throughput", "keys or timestamps missing");
    printf("RESULT {\"records\": %" PRIu64 ", \"rate\": %.1f, \"cpu_us\": %.4f, \"total_s\": %.3f, "
           "\"payload_bytes\": %" PRIu64 ", \"headers\": %" PRIu64 "}\n",
           s.records, s.records / (end - first), cpu * 1e6 / s.records, end - t0, s.payload_bytes,
           s.headers);
    return 0;
}

/* ------------------------------------------------------------------ latency */

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int64_t payload_ts(const uint8_t *p, size_t n) {
    int64_t v = 0;
    if (n >= 8) memcpy(&v, p, 8);
    return v;
}

/* Reads until SECONDS after the first record, or 5 s without one after the first; records
 * whose send time is within bench.warmup.s of the first one's are left out. */
static int latency(const char *impl, double seconds) {
    new_group("lat");
    const pair latest[] = {{"auto.offset.reset", "latest"}};
    double warm = atof(bench_opt("bench.warmup.s", "3"));
    size_t cap = 1 << 22, n = 0;
    int64_t *lat = malloc(cap * sizeof *lat);
    int64_t first_sent = 0;
    double start = 0, last = 0, t0 = now_s();
    rd_kafka_t *rk = NULL;
    steady_consumer *c = NULL;
    if (!strcmp(impl, "peer")) rk = plain_new(latest, 1);
    else c = steady_new(latest, 1);
    uint64_t seen = 0;
    for (;;) {
        double t = now_s();
        if (start && (t - start > seconds || t - last > 5)) break;
        if (!start && t - t0 > 120) die("latency", "no record in 120 s");
        int64_t sent = 0, at = 0;
        if (rk) {
            rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
            if (!m) continue;
            at = wall_us();
            if (!m->err) {
                seen_t s = {0};
                plain_note(m, &s);
                sent = payload_ts(m->payload, m->len);
            }
            rd_kafka_message_destroy(m);
        } else {
            steady_message *m = NULL;
            steady_error *err = NULL;
            steady_result r = steady_consumer_poll(c, 100, &m, &err);
            if (r == STEADY_RESULT_TIMEOUT) {
                steady_error_free(err);
                continue;
            }
            if (r) die("poll", steady_error_message(err));
            at = wall_us();
            seen_t s = {0};
            steady_note(m, &s);
            const uint8_t *p;
            size_t len;
            steady_message_payload(m, &p, &len);
            sent = payload_ts(p, len);
            steady_message_ack(m, NULL);
            steady_message_free(m);
        }
        if (!sent) continue;
        last = now_s();
        if (!start) {
            start = last;
            first_sent = sent;
        }
        seen++;
        if (sent - first_sent < (int64_t)(warm * 1e6)) continue;
        if (n < cap) lat[n++] = at - sent;
    }
    if (rk) {
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
    } else {
        steady_consumer_close(c, NULL);
        steady_consumer_free(c);
    }
    if (!n) die("latency", "no record after the warm-up");
    qsort(lat, n, sizeof *lat, cmp_i64);
    printf("RESULT {\"records\": %zu, \"p50_us\": %" PRId64 ", \"p90_us\": %" PRId64
           ", \"p99_us\": %" PRId64 ", \"p999_us\": %" PRId64 ", \"max_us\": %" PRId64 "}\n",
           n, lat[n / 2], lat[n * 9 / 10], lat[n * 99 / 100], lat[n * 999 / 1000], lat[n - 1]);
    free(lat);
    return 0;
}

/* ------------------------------------------------------------------ goodput */

/* Members of one process share these. Offsets are below 1<<22 per partition, partitions
 * below 64: one byte per record counts how often it was processed. */
#define GP_PARTS 64
#define GP_OFFS (1 << 20)
static _Atomic uint8_t *g_done;
static _Atomic bool g_stop;
static long g_slow_ms, g_normal_ms, g_every;
static _Atomic long g_steady_rebalances, g_errors, g_reported;

static void handle(int32_t partition, int64_t offset) {
    long ms = offset % g_every == g_every - 1 ? g_slow_ms : g_normal_ms;
    struct timespec d = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&d, &d) && errno == EINTR) {}
    if (partition >= 0 && partition < GP_PARTS && offset >= 0 && offset < GP_OFFS)
        atomic_fetch_add(&g_done[(size_t)partition * GP_OFFS + offset], 1);
}

static void *member_plain(void *arg) {
    (void)arg;
    /* At least once: the offset is stored after the handler (auto commit of stored offsets). */
    const pair extra[] = {{"enable.auto.offset.store", "false"}};
    rd_kafka_t *rk = plain_new(extra, 1);
    while (!atomic_load(&g_stop)) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m) continue;
        if (m->err) {
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) atomic_fetch_add(&g_errors, 1);
        } else {
            seen_t s = {0};
            plain_note(m, &s);
            handle(m->partition, m->offset);
            rd_kafka_error_t *se = rd_kafka_offset_store_message(m);
            if (se) rd_kafka_error_destroy(se);
        }
        rd_kafka_message_destroy(m);
    }
    atomic_fetch_add(&g_reported, 1);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return NULL;
}

static void *member_steady(void *arg) {
    (void)arg;
    steady_consumer *c = steady_new(NULL, 0);
    while (!atomic_load(&g_stop)) {
        steady_message *m = NULL;
        steady_error *err = NULL;
        steady_result r = steady_consumer_poll(c, 100, &m, &err);
        if (r == STEADY_RESULT_TIMEOUT) {
            steady_error_free(err);
            continue;
        }
        if (r) {
            atomic_fetch_add(&g_errors, 1);
            steady_error_free(err);
            continue;
        }
        seen_t s = {0};
        steady_note(m, &s);
        handle(steady_message_partition(m), steady_message_offset(m));
        steady_message_ack(m, NULL);
        steady_message_free(m);
    }
    atomic_fetch_add(&g_steady_rebalances, stats_field(c, "rebalances"));
    atomic_fetch_add(&g_reported, 1);
    steady_consumer_close(c, NULL);
    steady_consumer_free(c);
    return NULL;
}

static int goodput(const char *impl, double seconds) {
    new_group("gp");
    g_slow_ms = atol(bench_opt("bench.slow.ms", "12000"));
    g_normal_ms = atol(bench_opt("bench.normal.ms", "10"));
    g_every = atol(bench_opt("bench.slow.every", "50"));
    int members = atoi(bench_opt("bench.members", "3"));
    g_done = calloc((size_t)GP_PARTS * GP_OFFS, 1);
    bool peer = !strcmp(impl, "peer");
    pthread_t th[16];
    for (int i = 0; i < members; i++)
        pthread_create(&th[i], NULL, peer ? member_plain : member_steady, NULL);
    struct timespec d = {(time_t)seconds, 0};
    nanosleep(&d, NULL);
    atomic_store(&g_stop, true);
    /* Counted at the stop: what handlers finish while the members leave is not. */
    uint64_t processed = 0, unique = 0;
    for (size_t i = 0; i < (size_t)GP_PARTS * GP_OFFS; i++) {
        uint8_t v = atomic_load(&g_done[i]);
        processed += v;
        unique += v > 0;
    }
    /* Each member finishes the record in hand and reports (within a slow handler's time). */
    for (int i = 0; i < 300 && atomic_load(&g_reported) < members; i++) usleep(100000);
    long rebalances = peer ? atomic_load(&g_assigns) : atomic_load(&g_steady_rebalances);
    printf("RESULT {\"processed\": %" PRIu64 ", \"unique\": %" PRIu64 ", \"duplicates\": %" PRIu64
           ", \"rebalances\": %ld, \"errors\": %ld, \"seconds\": %.0f, \"members\": %d}\n",
           processed, unique, processed - unique, rebalances, atomic_load(&g_errors), seconds,
           members);
    fflush(stdout);
    alarm(60); /* a member that cannot leave the group in time ends with the process */
    for (int i = 0; i < members; i++) pthread_join(th[i], NULL);
    return 0;
}

/* ------------------------------------------------------------------ producers */

/* The paced producer's send → acknowledged by the broker, per record (µs). */
static int64_t *g_dr;
static size_t g_ndr, g_capdr;

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    (void)opaque;
    if (m->err) die("delivery", rd_kafka_err2str(m->err));
    if (g_dr && g_ndr < g_capdr && m->len >= 8) {
        int64_t ts;
        memcpy(&ts, m->payload, 8);
        g_dr[g_ndr++] = wall_us() - ts;
    }
}

static int cmp_i64(const void *a, const void *b);

static rd_kafka_t *producer(const char *linger) {
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", g_bootstrap, err, sizeof err);
    rd_kafka_conf_set(conf, "linger.ms", linger, err, sizeof err);
    rd_kafka_conf_set(conf, "queue.buffering.max.messages", "1000000", err, sizeof err);
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) die("producer", err);
    return rk;
}

static void produce_one(rd_kafka_t *rk, int32_t part, const void *key, size_t klen,
                        const void *val, size_t vlen) {
    for (;;) {
        rd_kafka_resp_err_t e = rd_kafka_producev(
            rk, RD_KAFKA_V_TOPIC(g_topic), RD_KAFKA_V_PARTITION(part),
            RD_KAFKA_V_KEY(key, klen), RD_KAFKA_V_VALUE((void *)val, vlen),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (!e) return;
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) die("produce", rd_kafka_err2str(e));
        rd_kafka_poll(rk, 10);
    }
}

static int fill(uint64_t count, size_t size, int partitions) {
    rd_kafka_t *rk = producer("20");
    char *val = malloc(size), key[32];
    memset(val, 'x', size);
    for (uint64_t i = 0; i < count; i++) {
        int n = snprintf(key, sizeof key, "%" PRIu64, i);
        produce_one(rk, (int32_t)(i % partitions), key, (size_t)n, val, size);
        if (i % 10000 == 0) rd_kafka_poll(rk, 0);
    }
    if (rd_kafka_flush(rk, 300000)) die("flush", "timed out");
    rd_kafka_destroy(rk);
    return 0;
}

static int produce(double seconds, double rate, size_t size) {
    g_capdr = (size_t)(seconds * rate) + 16;
    g_dr = malloc(g_capdr * sizeof *g_dr);
    rd_kafka_t *rk = producer("1");
    uint8_t *val = calloc(1, size < 8 ? 8 : size);
    char key[32];
    double t0 = now_s();
    uint64_t i = 0;
    for (;; i++) {
        double due = t0 + i / rate, t = now_s();
        if (due - t0 > seconds) break;
        if (due > t) {
            struct timespec d = {(time_t)(due - t), (long)((due - t - (time_t)(due - t)) * 1e9)};
            nanosleep(&d, NULL);
        }
        int64_t ts = wall_us();
        memcpy(val, &ts, 8);
        int n = snprintf(key, sizeof key, "%" PRIu64, i);
        produce_one(rk, RD_KAFKA_PARTITION_UA, key, (size_t)n, val, size < 8 ? 8 : size);
        rd_kafka_poll(rk, 0);
    }
    rd_kafka_flush(rk, 30000);
    rd_kafka_destroy(rk);
    size_t n = g_ndr ? g_ndr : 1;
    if (!g_ndr) g_dr[0] = -1;
    qsort(g_dr, n, sizeof *g_dr, cmp_i64);
    printf("RESULT {\"produced\": %" PRIu64 ", \"seconds\": %.1f, \"send_to_ack_p50_us\": %" PRId64
           ", \"send_to_ack_p99_us\": %" PRId64 ", \"send_to_ack_max_us\": %" PRId64 "}\n",
           i, now_s() - t0, g_dr[n / 2], g_dr[n * 99 / 100], g_dr[n - 1]);
    return 0;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) die("usage", "see bench/c/bench.c");
    const char *kind = argv[1];
    if (!strcmp(kind, "fill") && argc == 7) {
        g_bootstrap = argv[2], g_topic = argv[3];
        return fill(strtoull(argv[4], NULL, 10), (size_t)atoi(argv[5]), atoi(argv[6]));
    }
    if (!strcmp(kind, "produce") && argc >= 6) {
        g_bootstrap = argv[2], g_topic = argv[3];
        return produce(atof(argv[4]), atof(argv[5]), argc > 6 ? (size_t)atoi(argv[6]) : 100);
    }
    if (argc < 6) die("usage", "KIND IMPL BOOTSTRAP TOPIC N [KEY=VALUE ...]");
    const char *impl = argv[2];
    g_bootstrap = argv[3], g_topic = argv[4];
    for (int i = 6; i < argc && g_nset < 64; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq) die("not KEY=VALUE", argv[i]);
        *eq = 0;
        g_set[g_nset++] = (pair){argv[i], eq + 1};
    }
    if (!strcmp(kind, "version")) {
        printf("RESULT {\"steady\": \"%s\", \"librdkafka\": \"%s\"}\n", steady_version(),
               rd_kafka_version_str());
        return 0;
    }
    if (!strcmp(kind, "throughput")) return throughput(impl, strtoull(argv[5], NULL, 10));
    if (!strcmp(kind, "latency")) return latency(impl, atof(argv[5]));
    if (!strcmp(kind, "goodput")) return goodput(impl, atof(argv[5]));
    die("unknown kind", kind);
}
