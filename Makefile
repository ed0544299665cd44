# steady — make demo · make test · make bench · make soak · make dist · make install
SHELL := /bin/bash
export CARGO_TARGET_DIR ?= $(CURDIR)/target
CARGO ?= cargo
KAFKA := tests/kafka/kafka.sh
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
PREFIX ?= /usr/local

.PHONY: all build demo test bench bench-quick dist install test-rust test-lint test-header test-c test-go \
	test-java test-python test-dist clean soak bench-deploy

all: build

build:
	$(CARGO) build --release --workspace --exclude steady-python

demo: build
	@bootstrap=$$($(KAFKA) start | tail -n1 | sed 's/^bootstrap=//'); \
	$(CARGO_TARGET_DIR)/release/steady demo --bootstrap-servers "$$bootstrap"

# Every test in the repository. Broker tests start the local broker themselves.
test: test-lint test-rust test-header test-c test-go test-java test-python test-dist
	@echo "make test: all suites passed"

# The failover tests (failover_*) run last, on the three-broker cluster they share, which is
# stopped afterwards: idle, it still costs CPU.
test-rust:
	$(CARGO) test --release --workspace --exclude steady-python -- --test-threads=1 --skip failover_
	$(CARGO) test --release -p steady-core --test cluster_failover -- --test-threads=1
	$(KAFKA) stop --instance cluster

# Formatting, lints, the API docs and the crate as crates.io would take it.
test-lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --release --workspace --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --release --no-deps -p steady-core -p steady-ffi
	$(CARGO) package -p steady-core --allow-dirty

# Every artifact, installed somewhere that is not the checkout and used from there (the
# Python wheel: by test-python, which builds it and runs the suite on it).
test-dist: dist
	tests/dist/c.sh
	tests/dist/go.sh
	tests/dist/java.sh

# Every artifact into dist/: the Python wheel and sdist, the C/C++ install tree as a tarball,
# the Java JAR (also installed into the local Maven repository) and the Rust crate.
dist: build
	mkdir -p dist
	tests/dist/python.sh build
	rm -rf dist/steady-$(VERSION)-linux-x86_64
	packaging/install.sh --no-build --relocatable $(CURDIR)/dist/steady-$(VERSION)-linux-x86_64
	tar -C dist -czf dist/steady-$(VERSION)-linux-x86_64.tar.gz steady-$(VERSION)-linux-x86_64
	cd java && JAVA_HOME=$${STEADY_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64} \
		mvn -B -ntp -q install -DskipTests -Dsteady.native=$(CARGO_TARGET_DIR)/release/libsteady.so
	cp java/target/steady-$(VERSION).jar java/target/steady-$(VERSION)-sources.jar dist/
	$(CARGO) package -p steady-core --allow-dirty --no-verify
	cp $(CARGO_TARGET_DIR)/package/steady-core-$(VERSION).crate dist/

# libsteady for C, C++ and cgo: the libraries, the header, steady.pc and the CMake package.
# RPATH=1 makes programs linked through steady.pc find the library without LD_LIBRARY_PATH
# (for a prefix outside the loader's search path); DESTDIR and LIBDIR are honoured.
install:
	packaging/install.sh $(if $(RPATH),--rpath) "$(PREFIX)"

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

# Twenty minutes (SOAK_MINUTES) of slow handlers, member churn and broker restarts on the
# three-broker cluster (docs/failover.md); the RSS curve goes to bench/results/soak.json.
SOAK_MINUTES ?= 20
soak: build
	STEADY_SOAK_MINUTES=$(SOAK_MINUTES) $(CARGO) test --release -p steady-core --test soak -- \
		--ignored --exact soak --nocapture
	$(KAFKA) stop --instance cluster

# The rolling deploy of twelve members on the three-broker cluster, static and dynamic
# membership under cooperative-sticky and KIP-848, steady and a plain loop (bench/README.md):
# about 20 minutes, results in bench/results/deploy.json.
bench-deploy: build
	$(CARGO) test --release -p steady-core --test rolling_deploy -- --ignored --exact \
		rolling_deploy --nocapture
	$(KAFKA) stop --instance cluster

# steady against each language's usual client (bench/README.md): about 30-40 minutes;
# bench-quick is a first look (fewer rounds, one configuration), results in bench/results/quick.
bench: build
	bench/run.sh

bench-quick: build
	bench/run.sh --quick

clean:
	$(CARGO) clean
	-$(KAFKA) stop
