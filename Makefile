# Two commands for a newcomer: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 5000
export FLASK_APP := register

.PHONY: run test venv dev-venv init-db demo-data bench bench-full lint clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(PY) -m compileall -q -j 0 $(VENV)/lib >/dev/null || true
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(PY) -m compileall -q -j 0 $(VENV)/lib >/dev/null || true
	touch $(VENV)/.installed $@

venv: $(VENV)/.installed
dev-venv: $(VENV)/.installed-dev

## make run: set up, migrate, load the demo consortium on first run, serve with waitress.
## The demo's administrator and governance lead sign in without a second factor (see README).
run: venv
	@$(PY) -m compileall -q register >/dev/null || true
	@command -v dot >/dev/null 2>&1 || echo "Graphviz's dot is not installed: pages and PDFs show each conflict as sentences, without its diagram. Install it with: sudo apt-get install graphviz"
	REGISTER_REQUIRE_MFA=$${REGISTER_REQUIRE_MFA:-false} $(PY) -m flask --app register serve \
		--init-db --demo-if-empty --port $(PORT)

## make test: set up with the dev requirements and run the whole suite, one worker per core
## (TEST_WORKERS=0 runs it in one process).
TEST_WORKERS ?= auto
test: dev-venv
	$(PY) -m ruff check register tests bench
	$(PY) -m pytest -q -n $(TEST_WORKERS) --dist worksteal

## make bench: every figure beside its bare-stack twin, ending with one table (under 10 minutes).
bench: dev-venv
	@$(PY) -m compileall -q register bench >/dev/null || true
	$(PY) -m bench

## make bench-full: larger sizes and the Companies House file (longer).
bench-full: dev-venv
	@$(PY) -m compileall -q register bench >/dev/null || true
	$(PY) -m bench --full

lint: dev-venv
	$(PY) -m ruff check register tests bench

clean:
	rm -rf $(VENV) .pytest_cache
