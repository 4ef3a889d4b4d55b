# The two commands: `make run` and `make test`. Everything else helps those two.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint messages bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,postgres]'
	touch $(STAMP)

## make run: install, migrate, seed a demo assembly if the database is empty, serve on $(PORT)
run: $(STAMP)
	$(BIN)/samling migrate
	PORT=$(PORT) $(BIN)/samling demo --if-empty --print-links
	PORT=$(PORT) $(BIN)/samling serve --port $(PORT)

## make test: lint, then the whole suite (it starts redis-server, PostgreSQL, uvicorn, Chromium)
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check app facilitation tests bench

## make messages: extract UI strings into the catalogs (then translate the Danish ones)
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -o app/locale/messages.pot --no-location --omit-header .
	$(BIN)/pybabel update -i app/locale/messages.pot -d app/locale -D messages --omit-header --ignore-obsolete --no-fuzzy-matching
	$(BIN)/python -m app.i18n_sync

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
