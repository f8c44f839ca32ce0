# Hearth: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
DEBIAN_PACKAGES := libwebsockets-dev libwebsockets-evlib-ev libsqlite3-dev pkg-config
# The browser tests drive Debian's Chromium with Selenium; the web client's unit tests run on Node.
TEST_PACKAGES := chromium chromium-driver tmux openssl
PYTHON ?= python3
PYTHON_TEST_PACKAGES := selenium pytest axe-playwright-python kosoku
# The benchmark's load generator (hearth-load) waits on libuv's epoll loop, and the throughput run also compares
# the libuv plugin (see docs/PERFORMANCE.md).
BENCH_PACKAGES := libwebsockets-evlib-uv
HOST ?= 127.0.0.1
PORT ?= 8080
DB ?= ./data/hearth.db

.PHONY: run test test-swift test-web test-browser deps test-deps bench-deps install-packages build build-tests bench clean

## Install the Debian packages Hearth builds against (apt-get as root; otherwise print the command and stop).
deps:
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(DEBIAN_PACKAGES)"

## What `make test` needs besides the build: Chromium and its driver, Node (unless one is installed), and
## Selenium, pytest, axe-core (inside the axe-playwright-python wheel) and kosoku (the Autobahn cases) from PyPI.
test-deps: deps
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(TEST_PACKAGES) $$(command -v node >/dev/null || echo nodejs)"
	@$(PYTHON) -c "import selenium, pytest, axe_playwright_python, kosoku" 2>/dev/null || \
	  $(PYTHON) -m pip install --quiet --disable-pip-version-check $(PYTHON_TEST_PACKAGES)

bench-deps:
	@$(MAKE) --no-print-directory install-packages PACKAGES="$(DEBIAN_PACKAGES) $(BENCH_PACKAGES)"

install-packages:
	@missing=""; \
	for package in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "Installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  else \
	    echo "Hearth needs these Debian packages:$$missing"; \
	    echo "Install them with:  sudo apt-get update && sudo apt-get install -y$$missing"; \
	    exit 1; \
	  fi; \
	fi

## Build the server and the counselors' terminal client in release mode.
build: deps
	swift build -c release --product hearthd
	swift build -c release --product hearth

## Build, then serve the demo clinic on http://$(HOST):$(PORT) with the database at $(DB).
run: build
	@mkdir -p -m 700 "$(dir $(DB))"
	.build/release/hearthd serve --demo --host $(HOST) --port $(PORT) --db $(DB) --web ./Web

build-tests: deps
	swift build --build-tests

## Every test suite: core, store and the server over real WebSockets (Swift Testing), the web client's state
## rules (node --test), and the web client in a real browser against a real server (pytest + Selenium).
test: build-tests test-deps
	swift test --skip-build
	$(PYTHON) Tests/Conformance/run_autobahn.py
	node --test Tests/Web/
	$(PYTHON) -m pytest Tests/Browser -q

test-swift: build-tests
	swift test --skip-build

test-web:
	node --test Tests/Web/

test-browser: build-tests test-deps
	$(PYTHON) -m pytest Tests/Browser -q

## The release-build benchmark (docs/PERFORMANCE.md): connect, hello latency, 5,000 joined, reconnect storm and
## light load, driven by the C load generator (a few minutes, each phase bounded); then hearthd next to the
## bare-libwebsockets reference server (hearth-reference) on a saturating and a paced workload (issue 14).
## BENCH_THROUGHPUT=1 adds the older fan-out run (50 rooms x 12 members, one Swift client thread) on each server
## event loop.
bench: bench-deps
	swift build -c release --product hearthd
	swift build -c release --product hearth-bench
	swift build -c release --product hearth-load
	swift build -c release --product hearth-reference
	.build/release/hearth-bench scenarios --server .build/release/hearthd --load .build/release/hearth-load
	.build/release/hearth-bench compare --server .build/release/hearthd --reference .build/release/hearth-reference \
	  --load .build/release/hearth-load
	@if [ -n "$(BENCH_THROUGHPUT)" ]; then for loop in poll libev libuv; do \
	  echo "== server event loop: $$loop"; \
	  .build/release/hearth-bench throughput --server .build/release/hearthd --server-env HEARTH_EVENT_LOOP=$$loop || exit 1; \
	done; fi

clean:
	swift package clean
