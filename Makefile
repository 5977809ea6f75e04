# The two commands a newcomer runs: `make run` and `make test`.
# Both build .venv from nothing on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test install install-dev migrate import lint clean

run: install migrate import
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

# Production-style serving: collected static files, migrations, gunicorn.
serve: install migrate
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BIN)/gunicorn --config config/gunicorn.conf.py

test: install-dev
	$(BIN)/python -m pytest

lint: install-dev
	$(BIN)/ruff check blog config tests

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Tinta needs Python 3.11 or newer (set PYTHON=python3.12, say)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

migrate: install
	$(BIN)/python manage.py migrate --no-input

import: install
	$(BIN)/python manage.py import_articles fixtures/articles

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
