# The two commands: `make run` starts the platform, `make test` runs everything.
# Both create the virtualenv and install what is missing, on a machine with only
# Python >= 3.10 and Node >= 20.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
STATIC := src/openintern/api/static/index.html
WEB_SRC := $(shell find web/src web/index.html web/package.json web/vite.config.ts -type f 2>/dev/null)

.PHONY: run test install ui lint typecheck pytest webtest e2e bench client clean browser sandbox
CHROMIUM ?= $(or $(CHROMIUM_PATH),$(shell command -v chromium 2>/dev/null),/usr/bin/chromium)
BWRAP ?= $(or $(shell command -v bwrap 2>/dev/null),/usr/bin/bwrap)

run: install ui  ## start the platform (embedded database, web UI, workers)
	@$(MAKE) --no-print-directory sandbox || echo "(starting anyway: run_command is refused until it is installed)"
	$(BIN)/openintern serve

test: browser sandbox install ui lint typecheck pytest webtest  ## lint, type checks, the whole suite

# The browser specs (part of pytest) drive Debian's Chromium. Checked first, so that a
# machine without it learns at once (not after ten minutes of tests): as root with apt it
# is installed, else the one command that installs it is printed.
browser:
	@if [ -x "$(CHROMIUM)" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "make test needs Chromium for its browser tests, and $(CHROMIUM) is not there."; \
	  echo "Install it:  sudo apt-get install chromium   (Debian/Ubuntu; Fedora: sudo dnf install chromium)"; \
	  echo "or point to one:  make test CHROMIUM_PATH=/path/to/chromium"; \
	  exit 1; \
	fi

# Exec tools (run_command) run inside bubblewrap, and without it they are refused (see
# docs/security.md); the sandbox tests need it. Checked first, like Chromium: as root with
# apt it is installed, else the one command that installs it is printed.
sandbox:
	@if [ -x "$(BWRAP)" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian's bubblewrap for the sandbox"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; \
	else \
	  echo "the sandbox (run_command) needs bubblewrap, and $(BWRAP) is not there."; \
	  echo "Install it:  sudo apt-get install bubblewrap   (Debian/Ubuntu; Fedora: sudo dnf install bubblewrap)"; \
	  exit 1; \
	fi

$(STAMP):
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

$(STATIC): web/node_modules/.package-lock.json $(WEB_SRC)
	cd web && npm run build

ui: $(if $(wildcard web/package.json),$(STATIC))  ## build the web UI into the package

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: install
	$(BIN)/mypy

pytest: install
	CHROMIUM_PATH=$(CHROMIUM) $(BIN)/python -m pytest -q

webtest: install $(if $(wildcard web/package.json),web/node_modules/.package-lock.json)  ## UI: API types current, type checks, Vitest
	$(if $(wildcard web/package.json),$(BIN)/python -m openintern.api.export_openapi openapi.json)
	$(if $(wildcard web/package.json),cd web && npm run check:api && npm run typecheck && npm test)

e2e: browser install ui  ## the browser end-to-end specs against a real platform (also part of pytest)
	CHROMIUM_PATH=$(CHROMIUM) $(BIN)/python -m pytest -q -m browser tests/browser

client: install $(if $(wildcard web/package.json),web/node_modules/.package-lock.json)  ## regenerate the UI's API types from the OpenAPI document
	$(BIN)/python -m openintern.api.export_openapi openapi.json
	cd web && npm run gen:api

bench: install  ## run the benchmarks (see bench/README.md)
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python -m bench.run all

clean:
	rm -rf $(VENV) web/node_modules src/openintern/api/static
