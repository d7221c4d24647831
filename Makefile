# govhall — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings

.PHONY: run test install install-test browser migrate demo demo-history serve bench lint fmt ci clean

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

# The district, its halls, people, items and queues (seconds); the lived history follows.
demo: migrate
	$(BIN)/python manage.py load_demo --days 0

# The last DEMO_DAYS days lived through the services (a few minutes): in the background
# under `make run`, so the server answers while the history fills in.
DEMO_DAYS ?= 60
demo-history: demo
	$(BIN)/python manage.py load_demo --days $(DEMO_DAYS)

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

run: demo
	@mkdir -p var
	@echo "  演示历史（近 $(DEMO_DAYS) 天）正在后台生成，约需 3–5 分钟；进度见 var/demo-history.log"
	$(BIN)/python manage.py load_demo --days $(DEMO_DAYS) > var/demo-history.log 2>&1 &
	$(MAKE) --no-print-directory serve

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
