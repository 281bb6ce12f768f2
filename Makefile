# keywork: `make run` to try it, `make test` to check it. Both set up everything they need.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
PIP := $(BIN)/pip --disable-pip-version-check -q
HOST ?= 127.0.0.1
PORT ?= 8000
TEST_ENV := SECRET_KEY=test-only-not-a-secret DEBUG=0
# The suite runs on every core (pytest-xdist); each worker has its own test database.
PYTEST_ARGS ?= -n auto

.PHONY: run test lint typecheck migrations-check pytest-sqlite pytest-postgres lock clean bench

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing dependencies from requirements.lock ..."
	@$(PIP) install --require-hashes -r requirements.lock 2>&1 | grep -v "is ignored: it is neither" || true
	@$(BIN)/python -c "import django, environ, whitenoise, psycopg, tqdm, fhir.resources, pytest, pytest_django" \
		|| { echo "keywork: installing dependencies failed"; exit 1; }
	@$(PIP) install --no-deps -e . 2>&1 | grep -v "is ignored: it is neither" || true
	@test -x $(BIN)/keywork || { echo "keywork: installing the package failed"; exit 1; }
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

run: $(STAMP)
	@mkdir -p var
	@DEBUG=$${DEBUG-1} $(BIN)/keywork migrate --no-input -v0
	@DEBUG=$${DEBUG-1} $(BIN)/keywork load_catalogue
	@DEBUG=$${DEBUG-1} $(BIN)/keywork demo --clients $${DEMO_CLIENTS:-400} --seed 1 --if-empty
	@echo
	@echo "keywork is at http://$(HOST):$(PORT)/  (Ctrl-C stops it and its task worker)"
	@trap 'kill 0' INT TERM EXIT; \
		DEBUG=$${DEBUG-1} $(BIN)/keywork db_worker --no-reload -v0 & \
		DEBUG=$${DEBUG-1} $(BIN)/keywork runserver $(HOST):$(PORT) --skip-checks

test: $(STAMP) lint typecheck migrations-check pytest-sqlite pytest-postgres

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	DEBUG=1 $(BIN)/mypy keywork

migrations-check: $(STAMP)
	$(TEST_ENV) DATABASE_URL=sqlite:///:memory: $(BIN)/keywork makemigrations --check --dry-run

pytest-sqlite: $(STAMP)
	@mkdir -p var
	@echo "== pytest on SQLite =="
	$(TEST_ENV) DATABASE_URL=sqlite:///var/test-main.sqlite3 $(BIN)/pytest $(PYTEST_ARGS)

pytest-postgres: $(STAMP)
	@if [ -n "$$KEYWORK_TEST_POSTGRES_URL" ]; then \
		echo "== pytest on PostgreSQL =="; \
		$(TEST_ENV) DATABASE_URL="$$KEYWORK_TEST_POSTGRES_URL" $(BIN)/pytest $(PYTEST_ARGS); \
	else \
		echo "== PostgreSQL not asked for (set KEYWORK_TEST_POSTGRES_URL to test on it too) =="; \
	fi

# The benchmarks on a demo service of 30,000 clients and about 600,000 sessions (built once
# into var/bench.sqlite3, or into DATABASE_URL when set; the load benchmark on PostgreSQL
# only). See docs/performance.md.
BENCH_DB ?= sqlite:///var/bench.sqlite3
bench: $(STAMP)
	@mkdir -p var/static
	@export DEBUG=1 DATABASE_URL=$${DATABASE_URL:-$(BENCH_DB)}; \
		$(BIN)/keywork migrate --no-input -v0 && $(BIN)/keywork load_catalogue >/dev/null && \
		$(BIN)/keywork demo --clients 30000 --history-days 228 --seed 1 --if-empty >/dev/null && \
		$(BIN)/python bench/pages.py && $(BIN)/python bench/qs6.py && $(BIN)/python bench/ndtms.py && \
		$(BIN)/python bench/session.py && \
		case "$$DATABASE_URL" in postgres*) $(BIN)/python bench/load.py;; esac

# Re-pin every dependency after changing pyproject.toml.
lock:
	$(PYTHON) -m pip install -q uv
	$(PYTHON) -m uv pip compile pyproject.toml --extra dev --generate-hashes --universal \
		--python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) var/static
