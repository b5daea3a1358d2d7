# Set-up and checks for kg. Needs only Python 3.11 and make; `make demo` and `make test` do the rest.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
KG := $(BIN)/kg
STORE ?= kg-store
OUT ?= out

.PHONY: demo test venv test-deps browser lint typecheck model clean uninstall lock

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installed again only when pyproject.toml or the constraints change.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[server,shacl]'
	touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[server,shacl,test,dask,dev]'
	touch $@

venv: $(VENV)/.installed

test-deps: $(VENV)/.installed-test browser

# Debian's Chromium for the browser tests; installed with apt-get only where apt-get exists.
browser:
	@if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Chromium with apt-get"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk) >/dev/null \
	  || echo "could not install Chromium: browser tests will be skipped"; \
	else echo "no apt-get: install Chromium yourself, or browser tests will be skipped"; fi

demo: venv
	$(KG) --store $(STORE) build examples/articles
	$(KG) --store $(STORE) stats
	$(KG) --store $(STORE) viz -o $(OUT)/demo.html --title "kg 示例图谱 examples/articles"
	$(KG) --store $(STORE) viz --zone 苏州工业园区 --radius 2 -o $(OUT)/zone.html
	@echo "SPARQL: which zones host which programmes (examples/queries/01-zones-hosting-programmes.rq)"
	$(KG) --store $(STORE) query -f examples/queries/01-zones-hosting-programmes.rq
	@echo "open $(abspath $(OUT))/demo.html and $(abspath $(OUT))/zone.html in a browser (offline)"

test: test-deps
	$(BIN)/python -m pytest -q

lint:
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck:
	$(BIN)/mypy src

clean:
	rm -rf $(STORE) $(OUT) .pytest_cache .mypy_cache .ruff_cache

uninstall: clean
	rm -rf $(VENV)

# Retrain the statistical NER shipped in src/kg/models/cluener_ner from CLUENER2020, read from
# ../shared/benchmarks/cluener2020 (CLUENER=DIR to read it elsewhere); ~20 min on one core.
CLUENER ?= ../shared/benchmarks/cluener2020
model: venv
	$(BIN)/python training/ner/train.py --source $(CLUENER)

# Pin what pyproject.toml resolves to today into constraints.txt.
lock: $(BIN)/python
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet -e '.[server,shacl,test,dask,dev]'
	{ echo "# Versions CI and 'make' install from (pip -c constraints.txt); regenerate with"; \
	  echo "# 'make lock' after changing dependencies in pyproject.toml."; \
	  .lock-venv/bin/pip freeze --exclude-editable | grep -v '^-e'; } > constraints.txt
	rm -rf .lock-venv
