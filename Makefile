# steady — make demo · make test · make bench
SHELL := /bin/bash
export CARGO_TARGET_DIR ?= $(CURDIR)/target
CARGO ?= cargo
KAFKA := tests/kafka/kafka.sh

.PHONY: all build demo test bench test-rust test-header test-c test-go test-java test-python clean

all: build

build:
	$(CARGO) build --release --workspace --exclude steady-python

demo: build
	@bootstrap=$$($(KAFKA) start | tail -n1 | sed 's/^bootstrap=//'); \
	$(CARGO_TARGET_DIR)/release/steady demo --bootstrap-servers "$$bootstrap"

# Every test in the repository. Broker tests start the local broker themselves.
test: test-rust test-header test-c test-go test-java test-python
	@echo "make test: all suites passed"

test-rust:
	$(CARGO) test --release --workspace --exclude steady-python -- --test-threads=1

test-header:
	tests/check-header.sh

test-c: build
	tests/run-c.sh

test-go: build
	tests/run-go.sh

test-java: build
	tests/run-java.sh

test-python:
	tests/run-python.sh

bench: build
	@bootstrap=$$($(KAFKA) start | tail -n1 | sed 's/^bootstrap=//'); \
	$(CARGO_TARGET_DIR)/release/steady bench --bootstrap-servers "$$bootstrap" --out bench/results/throughput.json && \
	$(CARGO_TARGET_DIR)/release/steady bench --bootstrap-servers "$$bootstrap" --set fetch.queue.backoff.ms=10 \
		--out bench/results/throughput-same-settings.json && \
	$(CARGO_TARGET_DIR)/release/steady bench --bootstrap-servers "$$bootstrap" --set fetch.queue.backoff.ms=1000 \
		--out bench/results/throughput-librdkafka-backoff.json

clean:
	$(CARGO) clean
	-$(KAFKA) stop
