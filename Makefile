# Timonel: `make up` brings up a cluster on this machine, `make test` runs every test tier.
DATA_DIR ?= /var/lib/timonel
NODE ?= node

.PHONY: deps build test test-unit test-integration test-e2e bench up down purge clean

deps:
	./hack/install-deps.sh

build: deps
	npx tsc -p tsconfig.json

test: build
	$(NODE) --test --test-concurrency=4 dist/test/unit
	$(NODE) --test --test-concurrency=2 dist/test/integration
	$(NODE) --test --test-concurrency=1 dist/test/e2e

test-unit: build
	$(NODE) --test dist/test/unit

test-e2e: build
	$(NODE) --test --test-concurrency=1 dist/test/e2e

test-integration: build
	$(NODE) --test --test-concurrency=2 dist/test/integration
	$(NODE) --test --test-concurrency=1 dist/test/e2e

bench: build
	$(NODE) dist/test/bench/run.js
	$(NODE) dist/test/bench/node-bench.js

up: build
	$(NODE) dist/cmd/timonel/main.js up --data-dir $(DATA_DIR)

down:
	$(NODE) dist/cmd/timonel/main.js down --data-dir $(DATA_DIR)

purge:
	$(NODE) dist/cmd/timonel/main.js down --data-dir $(DATA_DIR) --purge

clean:
	rm -rf dist
