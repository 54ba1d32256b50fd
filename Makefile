# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export APP_ENV ?= development
# Links in messages and receipts point here (development only; production must set it).
export PUBLIC_URL ?= http://127.0.0.1:$(PORT)
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test install install-test translations migrate seed bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python setup.cfg pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

translations: install
	$(FLASK) translate compile

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed-demo --if-empty
	$(FLASK) stats rebuild --if-empty

run: translations seed
	$(BIN)/gunicorn --config gunicorn.conf.py --bind 127.0.0.1:$(PORT) wsgi:app

test: install-test translations
	APP_ENV=testing $(BIN)/python -m pytest -n 2 --dist loadfile $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/queue_bench.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance/*.db* .pytest_cache .hypothesis
