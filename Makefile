# Quick start: `make demo` and `make test`. Everything installs from this repository's own files.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install lint messages clean bench-divisions bench-demo

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# `make demo PORT=8001 HOST=0.0.0.0 HOUSEHOLDS=5000`
PORT ?= 8000
HOST ?= 127.0.0.1
HOUSEHOLDS ?= 5000
demo: $(STAMP)
	$(BIN)/minqing demo --port $(PORT) --host $(HOST) --households $(HOUSEHOLDS)

test: $(STAMP)
	bash scripts/test.sh

lint: $(STAMP)
	$(BIN)/ruff check .

# The project catalogue (minqing/locale: web pages, foundation, appeals) and one catalogue per later part.
PARTS := fieldwork checklists enterprises disputes nlp portal briefing jobs dashboards audit hotline notices
messages: $(STAMP)
	cd minqing && ../$(BIN)/django-admin makemessages -l zh_Hans -l en --no-obsolete $(PARTS:%=-i %) \
	  && ../$(BIN)/django-admin compilemessages -i .venv
	for part in $(PARTS); do \
	  if [ -d minqing/$$part/locale ]; then (cd minqing/$$part && ../../$(BIN)/django-admin makemessages -l zh_Hans -l en \
	    --no-obsolete && ../../$(BIN)/django-admin compilemessages) || exit 1; fi; done

bench-divisions: $(STAMP)
	$(BIN)/python bench/divisions.py

bench-demo: $(STAMP)
	$(BIN)/python bench/demo_rate.py

clean:
	rm -rf $(VENV) var
