# The register's two entry points: `make site` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: site test lint typecheck serve bench clean schemas

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[site,vault,test]'
	touch $(STAMP)

# axe-core for the browser tests' accessibility checks, pinned by package-lock.json.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

site: $(STAMP)
	$(BIN)/mcr check
	$(BIN)/mcr build

test: $(STAMP) $(NODE_STAMP) lint typecheck
	$(BIN)/pytest -n auto

lint: $(STAMP)
	$(BIN)/ruff check tooling tests benchmarks
	$(BIN)/ruff format --check tooling tests benchmarks
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy

schemas: $(STAMP)
	$(BIN)/mcr schema --write

serve: $(STAMP)
	$(BIN)/mcr serve

bench: $(STAMP)
	$(BIN)/python benchmarks/check_speed.py
	$(BIN)/python benchmarks/change_check.py
	$(BIN)/python benchmarks/site_build.py
	$(BIN)/python benchmarks/sar_speed.py

clean:
	rm -rf $(VENV) public node_modules test-artifacts .pytest_cache .mypy_cache .ruff_cache
