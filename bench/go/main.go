// bench-go: steady's Go binding against a plain confluent-kafka-go v2 consumer loop.
//
//	bench-go throughput steady|steady-batch|steady-batch-all|peer BOOTSTRAP TOPIC RECORDS [KEY=VALUE ...]
//	bench-go latency    steady|peer              BOOTSTRAP TOPIC SECONDS [KEY=VALUE ...]
//	bench-go goodput    steady|peer              BOOTSTRAP TOPIC SECONDS [KEY=VALUE ...]
//
// KEY=VALUE pairs are consumer settings for both, except bench.* (bench/README.md). Every
// reader reads key, value, headers and timestamp of every record. The result is one line
// on stdout: "RESULT {json}".
package main

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/confluentinc/confluent-kafka-go/v2/kafka"
	"steady.dev/steady"
)

var (
	bootstrap, topic string
	settings         = map[string]string{}
	benchOpts        = map[string]string{}
)

func die(what string, err any) {
	fmt.Fprintf(os.Stderr, "bench-go: %s: %v\n", what, err)
	os.Exit(1)
}

func opt(key, def string) string {
	if v, ok := benchOpts[key]; ok {
		return v
	}
	return def
}

func cpuSeconds() float64 {
	var u syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &u)
	return float64(u.Utime.Sec+u.Stime.Sec) + float64(u.Utime.Usec+u.Stime.Usec)/1e6
}

func result(v map[string]any) {
	b, _ := json.Marshal(v)
	fmt.Printf("RESULT %s\n", b)
}

func group(kind string) string {
	return fmt.Sprintf("bench-go-%s-%d-%d", kind, os.Getpid(), time.Now().UnixNano())
}

type seen struct{ records, payload, key, headers, timestamps int }

func (s *seen) note(key, value []byte, headers int, ts time.Time) {
	s.records++
	s.payload += len(value)
	s.key += len(key)
	s.headers += headers
	if !ts.IsZero() {
		s.timestamps++
	}
}

// ---------------------------------------------------------------- consumers

func peerConsumer(g string, extra map[string]string) *kafka.Consumer {
	cm := kafka.ConfigMap{"bootstrap.servers": bootstrap, "group.id": g, "auto.offset.reset": "earliest"}
	for k, v := range extra {
		cm[k] = v
	}
	for k, v := range settings {
		cm[k] = v
	}
	c, err := kafka.NewConsumer(&cm)
	if err != nil {
		die("kafka.NewConsumer", err)
	}
	return c
}

func steadyConsumer(g string, extra map[string]string) *steady.Consumer {
	m := map[string]string{"bootstrap.servers": bootstrap, "group.id": g, "auto.offset.reset": "earliest"}
	for k, v := range extra {
		m[k] = v
	}
	for k, v := range settings {
		m[k] = v
	}
	c, err := steady.NewConsumer(m, []string{topic})
	if err != nil {
		die("steady.NewConsumer", err)
	}
	return c
}

func noteSteady(m *steady.Message, s *seen) {
	s.note(m.Key, m.Value, len(m.Headers), m.Timestamp)
}

func notePeer(m *kafka.Message, s *seen) {
	s.note(m.Key, m.Value, len(m.Headers), m.Timestamp)
}

// ---------------------------------------------------------------- throughput

func throughput(impl string, total int) {
	var s seen
	cpu0, t0 := cpuSeconds(), time.Now()
	var first, end time.Time
	deadline := t0.Add(600 * time.Second)
	switch impl {
	case "peer":
		c := peerConsumer(group("tp"), nil)
		if err := c.SubscribeTopics([]string{topic}, nil); err != nil {
			die("subscribe", err)
		}
		for s.records < total && time.Now().Before(deadline) {
			// Poll, not ReadMessage: ReadMessage allocates a timer per call.
			switch e := c.Poll(100).(type) {
			case *kafka.Message:
				if e.TopicPartition.Error != nil {
					continue
				}
				if s.records == 0 {
					first = time.Now()
				}
				notePeer(e, &s)
			}
		}
		end = time.Now()
		c.Close()
	case "steady", "steady-batch", "steady-batch-all":
		// steady-batch-all acks each batch with one Consumer.Ack call.
		c := steadyConsumer(group("tp"), nil)
		max, _ := strconv.Atoi(opt("bench.batch", "512"))
		for s.records < total && time.Now().Before(deadline) {
			if impl == "steady" {
				m, err := c.Poll(100 * time.Millisecond)
				if err != nil {
					die("poll", err)
				}
				if m == nil {
					continue
				}
				if s.records == 0 {
					first = time.Now()
				}
				noteSteady(m, &s)
				if err := m.Ack(); err != nil {
					die("ack", err)
				}
				continue
			}
			ms, err := c.PollBatch(max, 100*time.Millisecond)
			if err != nil {
				die("poll", err)
			}
			if len(ms) > 0 && s.records == 0 {
				first = time.Now()
			}
			for _, m := range ms {
				noteSteady(m, &s)
				if impl == "steady-batch" {
					if err := m.Ack(); err != nil {
						die("ack", err)
					}
				}
			}
			if impl == "steady-batch-all" {
				if err := c.Ack(ms...); err != nil {
					die("ack", err)
				}
			}
		}
		end = time.Now()
		c.Close()
	default:
		die("impl", impl)
	}
	cpu := cpuSeconds() - cpu0
	if s.records < total {
		die("throughput", "did not read every record in 600 s")
	}
	if s.key == 0 || s.timestamps != s.records {
		die("throughput", "keys or timestamps missing")
	}
	result(map[string]any{"records": s.records, "rate": float64(s.records) / end.Sub(first).Seconds(),
		"cpu_us": cpu * 1e6 / float64(s.records), "total_s": end.Sub(t0).Seconds(),
		"payload_bytes": s.payload, "headers": s.headers})
}

// ---------------------------------------------------------------- latency

func latency(impl string, seconds float64) {
	warm, _ := strconv.ParseFloat(opt("bench.warmup.s", "3"), 64)
	latest := map[string]string{"auto.offset.reset": "latest"}
	var lat []int64
	var start, last time.Time
	var firstSent int64
	t0 := time.Now()
	take := func(value []byte, at int64) {
		if len(value) < 8 {
			return
		}
		sent := int64(binary.LittleEndian.Uint64(value))
		last = time.Now()
		if start.IsZero() {
			start, firstSent = last, sent
		}
		if float64(sent-firstSent) >= warm*1e6 {
			lat = append(lat, at-sent)
		}
	}
	done := func() bool {
		now := time.Now()
		if start.IsZero() {
			if now.Sub(t0) > 120*time.Second {
				die("latency", "no record in 120 s")
			}
			return false
		}
		return now.Sub(start).Seconds() > seconds || now.Sub(last) > 5*time.Second
	}
	var s seen
	if impl == "peer" {
		c := peerConsumer(group("lat"), latest)
		c.SubscribeTopics([]string{topic}, nil)
		for !done() {
			if m, ok := c.Poll(100).(*kafka.Message); ok && m.TopicPartition.Error == nil {
				at := time.Now().UnixMicro()
				notePeer(m, &s)
				take(m.Value, at)
			}
		}
		c.Close()
	} else {
		c := steadyConsumer(group("lat"), latest)
		for !done() {
			m, err := c.Poll(100 * time.Millisecond)
			if err != nil {
				die("poll", err)
			}
			if m != nil {
				at := time.Now().UnixMicro()
				noteSteady(m, &s)
				take(m.Value, at)
				m.Ack()
			}
		}
		c.Close()
	}
	if len(lat) == 0 {
		die("latency", "no record after the warm-up")
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	n := len(lat)
	result(map[string]any{"records": n, "p50_us": lat[n/2], "p90_us": lat[n*9/10], "p99_us": lat[n*99/100],
		"p999_us": lat[n*999/1000], "max_us": lat[n-1]})
}

// ---------------------------------------------------------------- goodput

type tp struct {
	p int32
	o int64
}

func goodput(impl string, seconds float64) {
	slow, _ := strconv.Atoi(opt("bench.slow.ms", "12000"))
	normal, _ := strconv.Atoi(opt("bench.normal.ms", "10"))
	every, _ := strconv.ParseInt(opt("bench.slow.every", "50"), 10, 64)
	members, _ := strconv.Atoi(opt("bench.members", "3"))
	g := group("gp")
	var mu sync.Mutex
	done := map[tp]int{}
	var stop atomic.Bool
	var rebalances, errs, reported atomic.Int64
	handle := func(p int32, o int64) {
		d := normal
		if o%every == every-1 {
			d = slow
		}
		time.Sleep(time.Duration(d) * time.Millisecond)
		mu.Lock()
		done[tp{p, o}]++
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for i := 0; i < members; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if impl == "peer" {
				// At least once: the offset is stored after the handler (auto commit of stored offsets).
				c := peerConsumer(g, map[string]string{"enable.auto.offset.store": "false"})
				c.SubscribeTopics([]string{topic}, func(c *kafka.Consumer, e kafka.Event) error {
					if _, ok := e.(kafka.AssignedPartitions); ok {
						rebalances.Add(1)
					}
					return nil
				})
				for !stop.Load() {
					switch e := c.Poll(100).(type) {
					case *kafka.Message:
						if e.TopicPartition.Error != nil {
							continue
						}
						var s seen
						notePeer(e, &s)
						handle(e.TopicPartition.Partition, int64(e.TopicPartition.Offset))
						c.StoreMessage(e)
					case kafka.Error:
						errs.Add(1)
					}
				}
				reported.Add(1)
				c.Close()
			} else {
				c := steadyConsumer(g, nil)
				for !stop.Load() {
					m, err := c.Poll(100 * time.Millisecond)
					if err != nil {
						errs.Add(1)
						continue
					}
					if m == nil {
						continue
					}
					var s seen
					noteSteady(m, &s)
					handle(m.Partition, m.Offset)
					m.Ack()
				}
				if st, err := c.Stats(); err == nil {
					rebalances.Add(int64(st.Rebalances))
				}
				reported.Add(1)
				c.Close()
			}
		}()
	}
	time.Sleep(time.Duration(seconds * float64(time.Second)))
	stop.Store(true)
	mu.Lock()
	processed, unique := 0, len(done)
	for _, n := range done {
		processed += n
	}
	mu.Unlock()
	// Each member finishes the record in hand and reports (within a slow handler's time).
	for i := 0; i < 300 && reported.Load() < int64(members); i++ {
		time.Sleep(100 * time.Millisecond)
	}
	result(map[string]any{"processed": processed, "unique": unique, "duplicates": processed - unique,
		"rebalances": rebalances.Load(), "errors": errs.Load(), "seconds": seconds, "members": members})
	// A member that cannot leave the group in time ends with the process.
	time.AfterFunc(60*time.Second, func() { os.Exit(0) })
	wg.Wait()
}

func main() {
	if len(os.Args) < 6 {
		die("usage", "KIND IMPL BOOTSTRAP TOPIC N [KEY=VALUE ...]")
	}
	kind, impl := os.Args[1], os.Args[2]
	bootstrap, topic = os.Args[3], os.Args[4]
	for _, kv := range os.Args[6:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			die("not KEY=VALUE", kv)
		}
		if strings.HasPrefix(k, "bench.") {
			benchOpts[k] = v
		} else {
			settings[k] = v
		}
	}
	n, _ := strconv.ParseFloat(os.Args[5], 64)
	switch kind {
	case "version":
		_, lib := kafka.LibraryVersion()
		ckg := "unknown"
		if info, ok := debug.ReadBuildInfo(); ok {
			for _, d := range info.Deps {
				if d.Path == "github.com/confluentinc/confluent-kafka-go/v2" {
					ckg = d.Version
				}
			}
		}
		result(map[string]any{"steady": steady.Version(), "confluent_kafka_go": ckg,
			"librdkafka_bundled": lib, "go": runtime.Version()})
	case "throughput":
		throughput(impl, int(n))
	case "latency":
		latency(impl, n)
	case "goodput":
		goodput(impl, n)
	default:
		die("kind", kind)
	}
}
