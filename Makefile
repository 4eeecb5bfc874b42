# connectwell: `make run` serves the demo, `make test` runs every check and test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

LOCK := requirements/dev.lock

.PHONY: run test check lint format typecheck architecture pytest lock upgrade-deps clean

# The environment is installed from the lock file only: exact versions with hashes, so a new
# release of any dependency cannot change a clean checkout. `make lock` rewrites the lock after
# pyproject.toml's dependencies change; `make upgrade-deps` moves every pin to its newest release.
$(STAMP): $(LOCK) pyproject.toml
	$(PYTHON) -m venv --clear $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

# Resolves into a copy of the lock (uv keeps the pins it finds there unless --upgrade), which
# replaces the lock only if it differs: an unchanged lock does not reinstall .venv.
define compile_lock
	cp $(LOCK) $(LOCK).new
	$(BIN)/uv pip compile pyproject.toml requirements/build.in --extra dev --universal \
		--python-version 3.11 --generate-hashes --quiet --custom-compile-command 'make lock' \
		-o $(LOCK).new $(1) || { rm -f $(LOCK).new; false; }
	if cmp -s $(LOCK).new $(LOCK); then rm $(LOCK).new; else mv $(LOCK).new $(LOCK); fi
endef

## lock: rewrite requirements/dev.lock after a change to pyproject.toml, keeping the other pins
lock: $(STAMP)
	$(call compile_lock)

## upgrade-deps: every pin in requirements/dev.lock to its newest release (then run `make test`)
upgrade-deps: $(STAMP)
	$(call compile_lock,--upgrade)

## run: the app on http://127.0.0.1:8000 with the demo organisation (seeded once)
run: $(STAMP)
	$(BIN)/connectwell serve --demo

## test: lint, architecture, types, then the whole test suite
test: check pytest

check: lint architecture typecheck

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

architecture: $(STAMP)
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
