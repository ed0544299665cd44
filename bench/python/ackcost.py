"""What one record's crossings cost, steady's ack() against confluent-kafka's store_offsets().

    target/bench/python/bin/python bench/python/ackcost.py BOOTSTRAP TOPIC

Reads 1,000,000 records with each (fetch.queue.backoff.ms=10), in batches of 1,000: first the
four fields of every record of a batch, then the ack (store_offsets) of every record, each loop
timed on its own. A diagnostic for bench/README.md, not part of make bench.
"""
import sys, time, steady, confluent_kafka
B, T = sys.argv[1], sys.argv[2]
c = steady.Consumer({"bootstrap.servers": B, "group.id": f"ackcost-{time.time_ns()}", "auto.offset.reset": "earliest"}, [T])
n = ack_t = read_t = 0
while n < 1000000:
    ms = c.consume(max_records=1000, timeout=0.1)
    t = time.perf_counter()
    for m in ms:
        m.key, m.value, m.headers, m.timestamp
    t2 = time.perf_counter()
    for m in ms:
        m.ack()
    t3 = time.perf_counter()
    read_t += t2 - t; ack_t += t3 - t2; n += len(ms)
c.close()
print(f"steady: fields {read_t/n*1e6:.3f} µs/record, ack {ack_t/n*1e6:.3f} µs/record")
p = confluent_kafka.Consumer({"bootstrap.servers": B, "group.id": f"ackcost-{time.time_ns()}", "auto.offset.reset": "earliest", "enable.auto.offset.store": "false", "fetch.queue.backoff.ms": "10"})
p.subscribe([T])
n = st = rt = 0
while n < 1000000:
    ms = p.consume(num_messages=1000, timeout=0.1)
    t = time.perf_counter()
    for m in ms:
        m.key(), m.value(), m.headers(), m.timestamp()
    t2 = time.perf_counter()
    for m in ms:
        p.store_offsets(message=m)
    t3 = time.perf_counter()
    rt += t2 - t; st += t3 - t2; n += len(ms)
p.close()
print(f"confluent-kafka: fields {rt/n*1e6:.3f} µs/record, store_offsets {st/n*1e6:.3f} µs/record")
