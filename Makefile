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

# Benchmarks (bench/README.md): their own virtualenv with Pelican beside the
# app's requirements, generated data, every benchmark, one table of targets.
BENCH_BIN := bench/.venv/bin

.PHONY: bench bench-install

bench: bench-install
	$(BENCH_BIN)/python bench/run.py

bench-install: bench/.venv/.installed

bench/.venv/.installed: requirements.txt bench/requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "The benchmarks need Python 3.11 or newer (set PYTHON=python3.12, say)"; exit 1; }
	test -x $(BENCH_BIN)/python || $(PYTHON) -m venv bench/.venv
	$(BENCH_BIN)/python -m pip install --quiet --upgrade pip
	$(BENCH_BIN)/python -m pip install --quiet -r bench/requirements.txt
	touch $@

# Property-based fuzzing of the importer with far more examples than CI runs
# (the `long` hypothesis profile of tests/test_fuzz_frontmatter.py: 5,000 a
# property, fresh random examples each run), stopped after FUZZ_SECONDS.
FUZZ_SECONDS ?= 1800
.PHONY: fuzz
fuzz: install-dev
	HYPOTHESIS_PROFILE=long timeout $(FUZZ_SECONDS) $(BIN)/python -m pytest -p no:cacheprovider -q --durations=10 \
		--hypothesis-show-statistics tests/test_fuzz_frontmatter.py tests/test_fuzz_importer.py
