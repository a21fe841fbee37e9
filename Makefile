# One Makefile: the README and .ci/run use these targets and nothing else.
# Everything a target needs (npm packages, a Python venv with maturin and pytest) it installs itself.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export CARGO_TARGET_DIR := $(CURDIR)/target

VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
PYTHON ?= python3
VENV := $(CURDIR)/.venv
VPY := $(VENV)/bin/python

.PHONY: help test demo dist bench fmt lint test-rust test-readme readme bench-rust check-version test-cross demo-handoff

help:
	@echo "make demo   - build and run the quickstart in Node and Python"
	@echo "make test   - build and run every suite (Rust, Node, Python, cross-language)"
	@echo "make dist   - write dist/sessionkeeper-$(VERSION).tgz and the abi3 wheel"
	@echo "make bench  - the ratio table of DESIGN.md section 4"
	@echo "make fmt / make lint"

include js/node.mk
include python/python.mk

test: check-version test-readme test-rust test-node test-python test-cross

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

bench: bench-rust bench-node bench-python

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

lint:
	cargo fmt --all -- --check
	cargo clippy -p sessionkeeper-core --all-targets -- -D warnings
	# The bindings' test builds drop napi/pyo3 registration, so their exports would read as dead code.
	cargo clippy --workspace -- -D warnings

# The one version number lives in Cargo.toml; the host packages must carry the same.
check-version:
	@grep -q '"version": "$(VERSION)"' js/package.json || { echo "js/package.json version differs from Cargo.toml $(VERSION)"; exit 1; }
	@grep -q '^version = "$(VERSION)"' python/pyproject.toml || { echo "python/pyproject.toml version differs from Cargo.toml $(VERSION)"; exit 1; }
