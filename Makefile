# supplyradar: every target builds .venv first when it is missing.
# The interpreter .venv is made with: the system's Python 3.11 where there is one, else the first python3.11 on the
# PATH (`make PYTHON=... venv` chooses another). Debian's and Ubuntu's are built with profile-guided and link-time
# optimisation; a pyenv build is not, by default, and used about an eighth more CPU on the scale chain
# (docs/performance.md, "6 December, noon"). An existing .venv keeps its interpreter: remove it to change.
PYTHON ?= $(firstword $(wildcard /usr/bin/python3.11) python3.11)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

.PHONY: demo test bench bench-scale venv native bytecode lock clean server serve

# The notice parsers compiled to C by mypyc into .venv (connectors/notice_xml/native.py), remade when one of their
# sources changes. Where it cannot be built (no C compiler) the parsers run as plain Python, with the same results.
# (Defined before the first rule that names it: make expands a rule's prerequisites as it reads the rule.)
NATIVE := $(VENV)/supplyradar-native/manifest.json
NATIVE_SOURCES := $(filter-out %/__init__.py %/native.py %/native_build.py,$(wildcard connectors/notice_xml/*.py))

venv: $(STAMP) $(NATIVE)

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); python3.11 -m venv $(VENV); } \
		|| { rm -rf $(VENV); python3 -m venv $(VENV); }
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[postgres,test,native]"
	@touch $(STAMP)

native: $(NATIVE)

$(NATIVE): $(STAMP) $(NATIVE_SOURCES)
	@$(BIN)/python -m connectors.notice_xml.native_build || true

# Our own modules' bytecode, as pip writes it for the packages it installs: the editable install leaves ours to
# the first import, and where PYTHONDONTWRITEBYTECODE is set nothing writes it, so every process compiled the
# modules of ours it imports again (all 325 of them take ~0.7 CPU-s). Only what changed since is compiled.
PACKAGES := $(shell sed -n 's/^include = \[\(.*\)\]/\1/p' pyproject.toml | tr -d '",*')
bytecode: $(STAMP) $(NATIVE)
	@$(BIN)/python -m compileall -q $(PACKAGES) bench

demo: bytecode
	$(BIN)/supplyradar demo

test: $(STAMP) $(NATIVE)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

bench: bytecode
	$(BIN)/python -m bench

# The whole demo chain on a world SCALE times the demo's (minutes; not part of `make bench`): bench/scale.py.
SCALE ?= 2
bench-scale: bytecode
	SCALE=$(SCALE) $(BIN)/python -m bench.scale

# The pins work on Python 3.11.2 (Debian 12's) as on later 3.11 releases: soupsieve (beautifulsoup4's CSS selectors,
# which supplyradar does not use) stays at 2.x, as 3.0 and later need 3.11.5. Keep it so when locking anew.
lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable > constraints.txt

server: $(STAMP)
	$(BIN)/prefect server start --host 127.0.0.1 --port 4200

serve: bytecode
	PREFECT_API_URL=$${PREFECT_API_URL:-http://127.0.0.1:4200/api} $(BIN)/supplyradar serve

clean:
	rm -rf $(VENV) data/demo .pytest_cache
