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
# The one platform package this machine builds (the release workflow builds the others).
NODE_PLATFORM := linux-x64-gnu
NODE_PLATFORM_TGZ := dist/sessionkeeper-$(NODE_PLATFORM)-$(VERSION).tgz

.PHONY: build-node test-node demo-node dist-node bench-node

# `npm install` honours the committed lock; `npm ci` rejects it here because this machine's npm
# config (omit-lockfile-registry-resolved) leaves other platforms' optional packages out of it.
# package.json's overrides: @napi-rs/cross-toolchain 1.0.0 because 1.0.5 (what the cli's peer
# range picks) fetches a toolchain package version that was never published; @napi-rs/lzma 1.4.5
# (the toolchain's unpacker) because 1.5 declares Node >= 22.20 and npm then skips its binary.
$(NODE_DEPS): js/package.json js/package-lock.json
	cd js && npm install --no-audit --no-fund --loglevel=error
	@touch $@

# One release build per run, linked against glibc 2.17 with the gcc and sysroot of
# @napi-rs/cross-toolchain (pinned in package.json, unpacked once into ~/.napi-rs), so the addon
# loads on every glibc >= 2.17 and the suites test that very file.
$(NODE_NATIVE): $(NODE_RUST) $(if $(NODE_ADDON),,FORCE) | $(NODE_DEPS)
	cd js && npx napi build --platform --release --use-napi-cross --manifest-path ../bindings/node/Cargo.toml \
		--output-dir . --js native.js --dts native.d.ts
	@touch $@

build-node: $(NODE_NATIVE)

# The main package carries no binary: it names one optional package per platform and napi's
# loader requires the one npm installed (lib/binding.js says which was missing).
$(NODE_TGZ): $(NODE_NATIVE) $(NODE_JS)
	@mkdir -p dist
	cd js && npm pack --silent --pack-destination ../dist >/dev/null
	@echo "wrote $@"

# `napi create-npm-dirs` writes js/npm/<platform>/package.json from package.json (name, version,
# os/cpu/libc), so the platform packages are generated, never committed, and cannot drift.
$(NODE_PLATFORM_TGZ): $(NODE_NATIVE) js/package.json
	@mkdir -p dist
	rm -rf js/npm
	cd js && npx napi create-npm-dirs >/dev/null
	cp js/sessionkeeper.$(NODE_PLATFORM).node js/npm/$(NODE_PLATFORM)/
	cd js/npm/$(NODE_PLATFORM) && npm pack --silent --pack-destination ../../../dist >/dev/null
	@echo "wrote $@"

dist-node: $(NODE_TGZ) $(NODE_PLATFORM_TGZ)

# The install test needs both tarballs; CI=true makes Redis and PostgreSQL mandatory (REDIS_URL,
# DATABASE_URL; see js/test/servers.js). The adapter tests start a throwaway Redis Cluster on
# SK_CLUSTER_PORT and the next two ports (Python's suite uses 7201, so both can run at once).
test-node: $(NODE_NATIVE) $(NODE_TGZ) $(NODE_PLATFORM_TGZ)
	cd js && SK_CLUSTER_PORT=$${SK_CLUSTER_PORT:-7101} SESSIONKEEPER_TGZ=$(CURDIR)/$(NODE_TGZ) \
		SESSIONKEEPER_PLATFORM_TGZ=$(CURDIR)/$(NODE_PLATFORM_TGZ) node --test --test-concurrency=2 --test-reporter=spec test/

demo-node: $(NODE_NATIVE)
	cd js && node examples/quickstart.js && node examples/quickstart.mjs && node examples/manager.js

bench-node: $(NODE_NATIVE)
	cd js && node bench/run.js

