# The developer's front door. `make run` and `make test` do all the set-up themselves.
.DEFAULT_GOAL := run
PORT ?= 8000
export UV_PYTHON_DOWNLOADS ?= never
VENV := .venv
PY := $(VENV)/bin/python
# uv comes from PyPI: use the one on PATH, else bootstrap a private copy with any Python 3.
UV := $(or $(shell command -v uv 2>/dev/null),.uv/bin/uv)

.PHONY: install run worker test bench lint format loadtest cluster screenshots clean

.uv/bin/uv:
	python3 -m venv .uv
	.uv/bin/pip install --quiet uv

# Bytecode compiled once at install: where PYTHONDONTWRITEBYTECODE is set (containers, CI),
# every command would otherwise compile its libraries again (1.3 s of a 2.2 s start).
$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --compile-bytecode
	@touch $@

# The app's own modules compiled too (only those changed since: compileall skips the rest),
# or each command's start compiles them again (0.2 to 0.3 s of a 0.8 s start).
install: $(VENV)/.installed
	@$(PY) -m compileall -q -j0 arguments debate manage.py >/dev/null

# The development server and, beside it, one task worker (imports, LTI scores, digests and
# the other periodic jobs), stopped with it. Production runs them apart: docs/DEPLOY.md.
run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo
	$(PY) manage.py run_tasks & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(PY) manage.py runserver 127.0.0.1:$(PORT)

worker: install
	$(PY) manage.py run_tasks

# Two test processes per core (pytest-xdist), each with its own test database and browser:
# most of the suite's time is waiting (browsers, live servers, the database), not CPU (623 s
# of CPU in a 16-minute run with one process per core; 7 minutes with two, 2026-12-07). Not
# three: six processes running the browser tests (load 17, other work beside) failed five
# of 87 (2026-12-08).
# worksteal: a process that runs out of tests takes those queued on a busy one.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) * 2 )))
test: install
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal

bench: install
	$(PY) manage.py bench $(BENCH_ARGS)

# gunicorn (2 workers, production settings) under wrk, on its own database of 20,000 claims.
# CLUSTER=1: one server against `make cluster`'s two servers and replica (docs/PERFORMANCE.md).
loadtest: install
	@command -v wrk >/dev/null || { echo "loadtest needs wrk: apt-get install wrk"; exit 1; }
ifdef CLUSTER
	$(PY) manage.py cluster --loadtest $(LOADTEST_ARGS)
else
	DATABASE_URL=$${LOADTEST_DATABASE_URL:-sqlite:///$(CURDIR)/loadtest.sqlite3} \
		$(PY) manage.py loadtest $(LOADTEST_ARGS)
endif

# Optional tooling (issue 36): a primary PostgreSQL and a streaming replica, two gunicorn
# servers, the task worker and haproxy, on free ports in a temporary directory, until Ctrl-C
# (needs Debian's postgresql-15; haproxy if installed, else use the servers' own addresses).
cluster: install
	$(PY) manage.py cluster

# The layers' contracts (import-linter) and the type checker (mypy with django-stubs) are
# configured in pyproject.toml. djade formats the Django template syntax only, never the HTML
# around it, so a page renders the same. .pre-commit-config.yaml runs these before a commit.
# lint-imports without its cache: a cached graph was seen to outlive the files it was read from.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy
	find templates -name '*.html' -exec $(VENV)/bin/djade --check {} +

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	find templates -name '*.html' -exec $(VENV)/bin/djade {} +

screenshots: install
	$(PY) docs/screenshots/take.py

clean:
	rm -rf $(VENV) .uv staticfiles .pytest_cache
