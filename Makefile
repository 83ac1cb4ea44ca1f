# supplyradar: every target builds .venv first when it is missing.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: demo test bench bench-scale venv lock clean server serve

venv: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[postgres,test]"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/supplyradar demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m bench

# The whole demo chain on a world SCALE times the demo's (minutes; not part of `make bench`): bench/scale.py.
SCALE ?= 2
bench-scale: $(STAMP)
	SCALE=$(SCALE) $(BIN)/python -m bench.scale

lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable > constraints.txt

server: $(STAMP)
	$(BIN)/prefect server start --host 127.0.0.1 --port 4200

serve: $(STAMP)
	PREFECT_API_URL=$${PREFECT_API_URL:-http://127.0.0.1:4200/api} $(BIN)/supplyradar serve

clean:
	rm -rf $(VENV) data/demo .pytest_cache
