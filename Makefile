# Timonel: `make up` brings up a cluster on this machine, `make test` runs every test tier.
DATA_DIR ?= /var/lib/timonel
NODE ?= node

.PHONY: deps web build build-tests test test-unit test-integration test-e2e bench up down purge clean

deps:
	./hack/install-deps.sh

# The web view's page (web/dashboard): type-checked, then bundled by Vite into dist/web/dashboard
# (README "The web view"), which the dashboard server serves and its image carries.
web: deps
	npx tsc -p web/dashboard/tsconfig.json
	npx vite build web/dashboard

build: deps web
	npx tsc -p tsconfig.json

# Tests run under jest from the compiled dist/test (README "Tests"); each target runs exactly its
# tier(s) and ends with one "N passed, N failed, N skipped" line. dist/test is built afresh so a
# test whose source is gone does not run from an old build.
# The tree's formatting is checked first (npx prettier --write . fixes it); the tests run either way,
# so the summary line stays the last one, and a formatting failure fails the target too.
test: build-tests
	@fmt=0; npx prettier --check --log-level warn . || { fmt=1; echo 'formatting: run npx prettier --write .'; }; \
	$(NODE) dist/test/run.js unit integration e2e && exit $$fmt

test-unit: build-tests
	$(NODE) dist/test/run.js unit

test-integration: build-tests
	$(NODE) dist/test/run.js integration

test-e2e: build-tests
	$(NODE) dist/test/run.js e2e

build-tests: deps web
	rm -rf dist/test
	npx tsc -p tsconfig.json

bench: build
	$(NODE) dist/test/bench/run.js
	$(NODE) dist/test/bench/node-bench.js
	# The apiserver fuzz test for 10 minutes instead of make test's 60 s; it prints how many inputs it tried.
	FUZZ_MS=600000 FUZZ_SEED=$$(date +%s) $(NODE) --experimental-vm-modules --disable-warning=ExperimentalWarning node_modules/jest/bin/jest.js \
	  --selectProjects integration --runTestsByPath dist/test/integration/apiserver-fuzz.test.js

up: build
	$(NODE) dist/cmd/timonel/main.js up --data-dir $(DATA_DIR)

down:
	$(NODE) dist/cmd/timonel/main.js down --data-dir $(DATA_DIR)

purge:
	$(NODE) dist/cmd/timonel/main.js down --data-dir $(DATA_DIR) --purge

clean:
	rm -rf dist
