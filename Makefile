# Senda: `make run` serves the app with demo data; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Production is the default everywhere (config.py); these targets ask for the
# development configuration (SQLite in instance/, generated keys, demo data).
FLASK := SENDA_ENV=development $(VENV)/bin/flask
RUNTIME_STAMP := $(VENV)/.runtime-installed
DEV_STAMP := $(VENV)/.dev-installed
CATALOGS := $(patsubst %.po,%.mo,$(wildcard translations/*/LC_MESSAGES/messages.po))

.PHONY: run test install translations db demo lint browser redis extract clean development

run: development install translations db
	$(FLASK) run --host 127.0.0.1 --port 5000

# The development targets never override a SENDA_ENV set on purpose.
development:
	@if [ -n "$$SENDA_ENV" ] && [ "$$SENDA_ENV" != development ]; then \
	  echo "make run, db, demo and extract use the development configuration, but SENDA_ENV=$$SENDA_ENV is set" >&2; \
	  exit 2; fi

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(RUNTIME_STAMP): requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@ $(RUNTIME_STAMP)

install: $(RUNTIME_STAMP)

translations: $(CATALOGS)

translations/%/LC_MESSAGES/messages.mo: translations/%/LC_MESSAGES/messages.po | $(VENV)/bin/python
	$(PY) -m babel.messages.frontend compile -d translations -l $* --statistics

# Create or upgrade the embedded SQLite database; demo data the first time; then the
# summaries' refresh job once (in production a timer runs it: docs/operations.md).
db: development install
	@mkdir -p instance
	@if [ -f instance/senda.db ]; then fresh=0; else fresh=1; fi; \
	$(FLASK) db upgrade && \
	if [ $$fresh = 1 ]; then $(FLASK) demo load; fi && \
	$(FLASK) reports refresh >/dev/null

demo: development install
	$(FLASK) demo load
	$(FLASK) reports refresh >/dev/null

# Debian's Chromium for the browser tests (installed once, as root).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "Browser tests need Chromium: sudo apt-get install chromium"; fi; }

# Debian's redis-server for the multi-process tests (each starts its own on a
# free port; the PostgreSQL pass runs them).
redis:
	@command -v redis-server >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	  else echo "Multi-process tests need Redis: sudo apt-get install redis-server"; fi; }

# Static checks: ruff, and bandit failing on medium severity or above.
lint: $(DEV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/bandit -q -c pyproject.toml -r app config.py wsgi.py --severity-level medium

# The date-sensitive tests again on a ticking clock started at the two hours
# when El Salvador's date is a day behind the server's (UTC): 23:30 and 18:30
# on New Year's Eve. Browser and multi-process tests keep the real clock.
DATE_TESTS := tests/test_dates.py tests/test_youth_journey.py tests/test_youth_rules.py tests/test_policing.py \
	tests/test_reports.py tests/test_youth_privacy.py tests/test_locale_formats.py tests/test_double_submit.py \
	tests/test_access_defects.py tests/test_faults.py::test_sqlite_full_answers_503_and_keeps_nothing
TEST_CLOCKS := 2027-01-01T05:30:00Z 2027-01-01T00:30:00Z

test: $(DEV_STAMP) translations browser redis lint
	$(VENV)/bin/pytest
	@for clock in $(TEST_CLOCKS); do \
	  echo "== the date-sensitive tests again, on a clock started at $$clock =="; \
	  $(VENV)/bin/pytest -p no:cacheprovider --clock=$$clock $(DATE_TESTS) || exit 1; \
	done
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
	  echo "== again on PostgreSQL ($$TEST_DATABASE_URL), with the multi-process tests =="; \
	  SENDA_TEST_DATABASE="$$TEST_DATABASE_URL" SENDA_TEST_RESTORE_DATABASE="$$TEST_RESTORE_DATABASE_URL" \
	    $(VENV)/bin/pytest -m "not browser"; \
	fi

extract: development $(DEV_STAMP)
	$(FLASK) translate update

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
