# The two commands: `make run` and `make test`. Everything else is a helper of those.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,postgres]'
	$(BIN)/pybabel compile --use-fuzzy -d app/locale -D messages --statistics 2>/dev/null || true
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/pybabel compile -d app/locale -D messages >/dev/null
	$(BIN)/samling migrate
	$(BIN)/samling demo --if-empty --print-links
	$(BIN)/samling serve --port $(PORT)

test: $(STAMP)
	$(BIN)/pybabel compile -d app/locale -D messages >/dev/null
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
