# `make run` and `make test` set everything up on a fresh machine and are quick when nothing changed.
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
LRS_VENV := .lrs-venv
LRS_STAMP := $(LRS_VENV)/.installed-stamp

.PHONY: run test bench mutants lint format clean

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "Python 3.11 or newer is needed (set PYTHON=...)")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@# WeasyPrint draws the PDFs with Pango, a system library: Debian's packages when it is missing.
	@$(PY) -c 'import weasyprint' 2>/dev/null || { \
	  echo "The PDFs need Pango: installing Debian's libpango-1.0-0 and libpangoft2-1.0-0"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null; }
	$(PY) -c 'import weasyprint'
	@# This checkout's own secret key, so manage.py works here without exporting one.
	test -f .env || $(PY) -c 'import secrets; print("SECRET_KEY=" + secrets.token_urlsafe(50))' > .env
	touch $@

node_modules/.installed-stamp: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Collected, hashed and compressed static files, as WhiteNoise serves them.
staticfiles/staticfiles.json: $(STAMP) node_modules/.installed-stamp $(shell find static -type f)
	SECRET_KEY=collectstatic $(PY) manage.py collectstatic --noinput --clear --verbosity 0

run: $(STAMP) staticfiles/staticfiles.json
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_content
	@# The task queue's worker (it sends the mail) beside the development server, stopped with it.
	DEBUG=1 $(PY) manage.py run_huey --workers 1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(STAMP) $(LRS_STAMP) staticfiles/staticfiles.json
	@# Retries after 1 s, not 10: the tests that make a send fail wait for its retry.
	SECRET_KEY=test-only-secret-key QUEUE_RETRY_SECONDS=1 $(VENV)/bin/pytest $(PYTEST_ARGS)

# The LRS the xAPI tests send statements to (ralph), in a venv of its own (LRS_VENV, above): its
# pins are not the project's. tests/xapi start it from there.
$(LRS_STAMP): requirements-lrs.txt
	test -x $(LRS_VENV)/bin/python || $(PYTHON) -m venv $(LRS_VENV)
	$(LRS_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-lrs.txt
	touch $@

BENCH_STAMP := $(VENV)/.bench-stamp

$(BENCH_STAMP): $(STAMP) bench/requirements.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	touch $@

bench: $(BENCH_STAMP) staticfiles/staticfiles.json
	@command -v wrk >/dev/null || { echo "make bench reads pages with wrk: installing Debian's wrk"; \
	  (apt-get update -qq && apt-get install -y -qq wrk >/dev/null) || \
	  { echo "Install wrk (apt-get install wrk) and run make bench again."; exit 1; }; }
	@# BENCH_SIZES, BENCH_ENGINES, BENCH_REDIS_URL: docs/benchmark.md. The durability figures are
	@# printed whether or not a gate failed; the exit status is bench.py's.
	$(PY) bench/bench.py; status=$$?; $(PY) bench/durability.py && exit $$status

MUTANTS_STAMP := $(VENV)/.mutants-stamp
SEED_FILE ?= $(abspath ../shared/seed/celmods-in-multiple-myeloma.txt)

$(MUTANTS_STAMP): $(STAMP) requirements-mutants.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-mutants.txt
	touch $@

# Mutation testing of the rule modules ([tool.mutmut] in pyproject.toml) with the fast tests,
# from scratch each time; prints the score and the survivors. Not run by CI.
mutants: $(MUTANTS_STAMP) staticfiles/staticfiles.json
	rm -rf mutants
	SECRET_KEY=test-only-secret-key SEED_FILE=$(SEED_FILE) $(VENV)/bin/mutmut run
	$(VENV)/bin/mutmut export-cicd-stats >/dev/null
	@$(PY) -c 'import json; s = json.load(open("mutants/mutmut-cicd-stats.json")); \
	  c = s["killed"] + s["timeout"]; \
	  print("Mutation score: %d of %d mutants caught (%.1f%%); %d survived, %d reached by no test." \
	        % (c, s["total"], 100 * c / s["total"], s["survived"], s["no_tests"]))'
	@$(VENV)/bin/mutmut results

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) $(LRS_VENV) node_modules staticfiles mutants
