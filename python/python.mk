# Python package targets, included by the root Makefile (which exports CARGO_TARGET_DIR and
# defines VERSION, PYTHON, VENV and VPY). On a fresh clone they need only python3 and cargo:
# the venv and its pinned tools are installed here, once (stamp files keep reruns fast).

PY_TOOLS_STAMP := $(VENV)/.sessionkeeper-tools
# The stamp stands for "this wheel is built and installed": it lives in the venv it was installed
# into, and a missing wheel forces a rebuild (so `rm -rf dist` or a new venv never leaves a stamp
# that claims a wheel which is not there).
PY_WHEEL_STAMP := $(VENV)/.sessionkeeper-wheel
PY_WHEEL := $(wildcard dist/sessionkeeper-$(VERSION)-*.whl)
PY_RUST := $(shell find core/src bindings/python/src -name '*.rs') $(wildcard tests/vectors/*.json) \
	core/Cargo.toml bindings/python/Cargo.toml Cargo.toml Cargo.lock
PY_SRC := $(wildcard python/sessionkeeper/*.py python/sessionkeeper/*.pyi) \
	python/sessionkeeper/py.typed python/pyproject.toml python/README.md

.PHONY: build-python test-python demo-python dist-python bench-python

$(PY_TOOLS_STAMP): python/requirements-dev.txt
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install --quiet --disable-pip-version-check -r python/requirements-dev.txt
	@touch $@

PY_SDIST := dist/sessionkeeper-$(VERSION).tar.gz

# One release build per run: the wheel in dist/ is what `make dist` ships and what the tests
# import (installed into the venv), so the suite tests the very artifact users get. zig (the
# pinned `ziglang` wheel, which maturin finds as `python3 -m ziglang` of the venv on PATH) links
# it against glibc 2.17: a manylinux2014 wheel. Its own target dir, because cargo rebuilds every
# dependency when another linker (the Node addon's gcc) used the same one last.
$(PY_WHEEL_STAMP): $(PY_RUST) $(PY_SRC) $(if $(PY_WHEEL),,FORCE) | $(PY_TOOLS_STAMP)
	rm -f dist/sessionkeeper-$(VERSION)-*.whl
	cd python && PATH=$(VENV)/bin:$$PATH CARGO_TARGET_DIR=$(CARGO_TARGET_DIR)/zig \
		$(VENV)/bin/maturin build --release --quiet --zig --compatibility manylinux2014 -o ../dist
	$(VPY) -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps \
		dist/sessionkeeper-$(VERSION)-*.whl
	@touch $@

build-python: $(PY_WHEEL_STAMP)

# The source distribution, for every platform without a wheel: the workspace's Cargo.toml and
# lock, the core and the Python binding (maturin takes the crates' folders) and, through the
# link python/tests/vectors -> ../../tests/vectors and pyproject's sdist include, the vectors the
# core's `battery` feature compiles in, at the same path relative to the core as in the repo.
$(PY_SDIST): $(PY_RUST) $(PY_SRC) | $(PY_TOOLS_STAMP)
	@mkdir -p dist
	rm -f $@
	cd python && $(VENV)/bin/maturin sdist -o ../dist >/dev/null
	@echo "wrote $@"

dist-python: $(PY_WHEEL_STAMP) $(PY_SDIST)
	@ls dist/sessionkeeper-$(VERSION)-*.whl $(PY_SDIST)

# pytest runs from its venv script (not `python -m`), so python/sessionkeeper (the sources,
# without the compiled module) never shadows the installed wheel.
test-python: $(PY_WHEEL_STAMP) $(PY_SDIST)
	cd python && SESSIONKEEPER_DIST=$(CURDIR)/dist SESSIONKEEPER_VERSION=$(VERSION) \
		$(VENV)/bin/pytest -q

demo-python: $(PY_WHEEL_STAMP)
	cd python/examples && $(VPY) quickstart.py && $(VPY) manager.py

bench-python: $(PY_WHEEL_STAMP)
	cd python/bench && $(VPY) run.py
