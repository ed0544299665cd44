module steady.dev/bench

go 1.24

require (
	github.com/confluentinc/confluent-kafka-go/v2 v2.11.1
	steady.dev/steady v0.0.0
)

// bench/go/build.sh points this at the snapshot of go/ it builds against.
replace steady.dev/steady => ../../go
