# lifeline: `make demo` runs the system, `make test` runs the tests. Both make .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
MODEL := src/lifeline/triage/triage-model.npz
CORPUS := data/triage/train.jsonl
# Browser tests: playwright-core from the npm registry (no browser download; it drives Debian's /usr/bin/chromium).
BROWSER := tests/browser
NODE_STAMP := $(BROWSER)/node_modules/.installed

.PHONY: demo test lint venv corpus model bench clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/lifeline demo

# npm ci when node_modules is missing or the lock changed; without npm the browser tests skip (and fail in CI).
$(NODE_STAMP): $(BROWSER)/package-lock.json
	@if command -v npm >/dev/null; then npm ci --prefix $(BROWSER) --no-audit --no-fund && touch $@; \
	else echo "npm not found: browser tests will be skipped (CI fails them)"; fi

test: $(STAMP) $(NODE_STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

# The training corpus: hand-written parts first, then templated volume.
corpus: $(STAMP)
	$(BIN)/python data/triage/make_templated.py
	cat data/triage/handwritten/*.jsonl data/triage/templated.jsonl > $(CORPUS)

model: $(STAMP)
	$(BIN)/lifeline triage-train --corpus $(CORPUS) --out $(MODEL)

bench: $(STAMP)
	$(BIN)/python bench/triage_bench.py
	$(BIN)/python bench/intake_bench.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
