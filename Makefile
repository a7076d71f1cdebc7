# The register's two entry points: `make site` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: site test lint typecheck serve bench clean schemas mutation fuzz

$(STAMP): pyproject.toml Makefile
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[site,vault,documents,fuzz,test]'
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
	$(BIN)/ruff check tooling tests benchmarks scripts
	$(BIN)/ruff format --check tooling tests benchmarks scripts
	$(BIN)/lint-imports --no-cache

typecheck: $(STAMP)
	$(BIN)/mypy

schemas: $(STAMP)
	$(BIN)/mcr schema --write

serve: $(STAMP)
	$(BIN)/mcr serve

# Mutation testing (README "Mutation testing"): not part of `make test`. mutmut runs in
# $(MUTATION), where `src` links to tooling/ (pyproject.toml [tool.mutmut] says why). Each run
# starts afresh, so its figures are those of the code and tests as they are.
MUTATION := .mutation
MUTATION_STAMP := $(VENV)/.mutation-installed
MUTATION_LINKS := tests policy cases schemas demo-keystore pyproject.toml

$(MUTATION_STAMP): $(STAMP) pyproject.toml
	$(BIN)/pip install --quiet -e '.[mutation]'
	touch $(MUTATION_STAMP)

mutation: $(MUTATION_STAMP)
	rm -rf $(MUTATION) && mkdir -p $(MUTATION)
	ln -sfn ../tooling $(MUTATION)/src
	for name in $(MUTATION_LINKS); do ln -sfn ../$$name $(MUTATION)/$$name; done
	cd $(MUTATION) && ../$(BIN)/mutmut run
	$(BIN)/python scripts/mutation_summary.py $(MUTATION)

# Fuzzing (README "What the checks guarantee"): not part of `make test`, which runs a smoke run
# of the same harness, atheris included. FUZZ_SECONDS is the budget, shared by the loader and the
# unsealer; then the property tests run with more examples. A crash is saved in
# test-artifacts/fuzz/.
FUZZ_SECONDS ?= 600

fuzz: $(STAMP)
	$(BIN)/python scripts/fuzz_register.py --seconds $(FUZZ_SECONDS)
	MCR_PROPERTY_EXAMPLES=2000 $(BIN)/pytest -q tests/test_properties.py

bench: $(STAMP)
	$(BIN)/python benchmarks/check_speed.py
	$(BIN)/python benchmarks/change_check.py
	$(BIN)/python benchmarks/site_build.py
	$(BIN)/python benchmarks/sar_speed.py
	$(BIN)/python benchmarks/calendar_speed.py
	$(BIN)/python benchmarks/report_speed.py

clean:
	rm -rf $(VENV) $(MUTATION) public node_modules test-artifacts .pytest_cache .mypy_cache .ruff_cache
