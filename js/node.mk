# Node package targets, included by the root Makefile (which exports CARGO_TARGET_DIR and
# defines VERSION). Everything works on a fresh clone with only node/npm and cargo installed.

NODE_DEPS := js/node_modules/.package-lock.json
# The loader napi writes next to the .node file; its timestamp stands for the whole build.
NODE_NATIVE := js/native.js
# ...unless the addon itself is gone (a clean of `*.node`): then it is rebuilt whatever the loader's age.
NODE_ADDON := $(wildcard js/sessionkeeper.*.node)
NODE_RUST := $(shell find core/src bindings/node/src -name '*.rs') $(wildcard tests/vectors/*.json) \
	core/Cargo.toml bindings/node/Cargo.toml bindings/node/build.rs Cargo.toml Cargo.lock
NODE_JS := $(wildcard js/*.js js/*.mjs js/*.d.ts js/lib/*.js js/README.md) js/package.json
NODE_TGZ := dist/sessionkeeper-$(VERSION).tgz

.PHONY: build-node test-node demo-node dist-node bench-node

# `npm install` honours the committed lock; `npm ci` rejects it here because this machine's npm
# config (omit-lockfile-registry-resolved) leaves other platforms' optional packages out of it.
$(NODE_DEPS): js/package.json js/package-lock.json
	cd js && npm install --no-audit --no-fund --loglevel=error
	@touch $@

# One release build per run: shares compiled dependencies with `cargo test --release`.
$(NODE_NATIVE): $(NODE_RUST) $(if $(NODE_ADDON),,FORCE) | $(NODE_DEPS)
	cd js && npx napi build --platform --release --manifest-path ../bindings/node/Cargo.toml \
		--output-dir . --js native.js --dts native.d.ts
	@touch $@

build-node: $(NODE_NATIVE)

$(NODE_TGZ): $(NODE_NATIVE) $(NODE_JS)
	@mkdir -p dist
	cd js && npm pack --silent --pack-destination ../dist >/dev/null
	@echo "wrote $@"

dist-node: $(NODE_TGZ)

# The install test needs the tarball; CI=true makes Redis and PostgreSQL mandatory (REDIS_URL,
# DATABASE_URL; see js/test/servers.js). The adapter tests start a throwaway Redis Cluster on
# SK_CLUSTER_PORT and the next two ports (Python's suite uses 7201, so both can run at once).
test-node: $(NODE_NATIVE) $(NODE_TGZ)
	cd js && SK_CLUSTER_PORT=$${SK_CLUSTER_PORT:-7101} SESSIONKEEPER_TGZ=$(CURDIR)/$(NODE_TGZ) node --test --test-concurrency=2 --test-reporter=spec test/

demo-node: $(NODE_NATIVE)
	cd js && node examples/quickstart.js && node examples/quickstart.mjs && node examples/manager.js

bench-node: $(NODE_NATIVE)
	cd js && node bench/run.js

