// Checks consumer settings, then consumes a topic with a handler that may be slow.
// Usage: example -bootstrap HOST:PORT -topic TOPIC -group GROUP -count N
package main

import (
	"flag"
	"fmt"
	"log"
	"time"

	"steady.dev/steady"
)

func main() {
	bootstrap := flag.String("bootstrap", "127.0.0.1:9092", "bootstrap servers")
	topic := flag.String("topic", "events", "topic to consume")
	group := flag.String("group", "example", "consumer group")
	count := flag.Int("count", 3, "records to consume")
	flag.Parse()

	settings := map[string]string{
		"bootstrap.servers": *bootstrap,
		"group.id":          *group,
		"auto.offset.reset": "earliest",
	}

	// The doctor: what in these settings would make the group rebalance?
	report, err := steady.Check(settings, steady.CheckOptions{})
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range report.Findings {
		fmt.Printf("%s %s %s: %s\n", f.Rule, f.Severity, f.Key, f.Message)
	}

	// The consumer: heartbeats run on steady's thread, so the handler may take its time.
	consumer, err := steady.NewConsumer(settings, []string{*topic})
	if err != nil {
		log.Fatal(err)
	}
	defer consumer.Close()
	for seen := 0; seen < *count; {
		m, err := consumer.Poll(time.Second)
		if err != nil {
			log.Fatal(err)
		}
		if m == nil {
			continue // nothing yet
		}
		fmt.Printf("%s/%d@%d: %s\n", m.Topic, m.Partition, m.Offset, m.Value)
		if err := m.Ack(); err != nil {
			log.Fatal(err)
		}
		seen++
	}
}
