# govhall — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings

.PHONY: run test install install-test browser migrate demo serve bench lint fmt ci clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e ".[test]"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

# Debian's Chromium for the browser tests (no browser download from elsewhere).
browser:
	@command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || \
	  { if [ "$$(id -u)" = 0 ]; then (apt-get update -qq && apt-get install -y -qq chromium >/dev/null); \
	    else echo "chromium missing: sudo apt-get install chromium (browser tests will be skipped)"; fi; }

migrate: install
	$(BIN)/python manage.py migrate --noinput -v0
	$(BIN)/python manage.py collectstatic --noinput -v0

demo: migrate
	$(BIN)/python manage.py load_demo

serve:
	@echo ""
	@echo "  govhall: http://$(HOST):$(PORT)/          公众首页（所有中心）"
	@echo "           http://$(HOST):$(PORT)/staff/login/  工作人员登录"
	@echo "           http://$(HOST):$(PORT)/api/v1/docs   接口文档"
	@echo ""
	$(BIN)/python manage.py run_scheduler & sched=$$!; \
	  $(BIN)/python manage.py db_worker & worker=$$!; \
	  trap 'kill $$sched $$worker 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/uvicorn config.asgi:application --host $(HOST) --port $(PORT) --lifespan off

run: demo serve

test: install-test browser
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install-test
	bash bench/run.sh

lint: install-test
	$(BIN)/lint-imports
	$(BIN)/mypy govhall config
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install-test
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

ci:
	bash .ci/run

clean:
	rm -rf var/ .pytest_cache
