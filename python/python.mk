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

# One release build per run: the wheel in dist/ is what `make dist` ships and what the tests
# import (installed into the venv), so the suite tests the very artifact users get.
$(PY_WHEEL_STAMP): $(PY_RUST) $(PY_SRC) $(if $(PY_WHEEL),,FORCE) | $(PY_TOOLS_STAMP)
	rm -f dist/sessionkeeper-$(VERSION)-*.whl
	cd python && $(VENV)/bin/maturin build --release --quiet -o ../dist
	$(VPY) -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps \
		dist/sessionkeeper-$(VERSION)-*.whl
	@touch $@

build-python: $(PY_WHEEL_STAMP)

dist-python: $(PY_WHEEL_STAMP)
	@ls dist/sessionkeeper-$(VERSION)-*.whl

# pytest runs from its venv script (not `python -m`), so python/sessionkeeper (the sources,
# without the compiled module) never shadows the installed wheel.
test-python: $(PY_WHEEL_STAMP)
	cd python && SESSIONKEEPER_DIST=$(CURDIR)/dist SESSIONKEEPER_VERSION=$(VERSION) \
		$(VENV)/bin/pytest -q

demo-python: $(PY_WHEEL_STAMP)
	cd python/examples && $(VPY) quickstart.py

bench-python: $(PY_WHEEL_STAMP)
	cd python/bench && $(VPY) run.py
