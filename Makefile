# Every set-up step lives here: a fresh clone needs only `make test` (or `make install` first).
VENV ?= .venv
PYTHON ?= python3.11
BIN := $(VENV)/bin
CONFIG ?= config.yml
export PYTHONWARNINGS ?= ignore::DeprecationWarning:eventlet,ignore:pkg_resources:UserWarning

.PHONY: install run run-subscriber migrate test test-fast lint format bench clean

install: $(VENV)/.installed $(BIN)/promtool

$(VENV)/.installed: pyproject.toml constraints.txt package.json package-lock.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test,bench]'
	# the official AsyncAPI JSON Schemas, for the contract tests
	npm ci --no-audit --no-fund --silent
	touch $@

# Prometheus's own rule checker, for deploy/prometheus: only the binary is taken out of Debian's
# package (stable's version; nothing is installed system-wide, no server is started).
$(BIN)/promtool: | $(VENV)/.installed
	rm -rf $(VENV)/promtool-deb && mkdir -p $(VENV)/promtool-deb
	cd $(VENV)/promtool-deb && { apt-get download prometheus 2>/dev/null \
		|| { apt-get update -qq && apt-get download prometheus; }; }
	dpkg-deb --fsys-tarfile $(VENV)/promtool-deb/prometheus_*.deb \
		| tar -x -C $(VENV)/promtool-deb ./usr/bin/promtool
	mv $(VENV)/promtool-deb/usr/bin/promtool $@ && rm -rf $(VENV)/promtool-deb

migrate: install
	$(BIN)/registration-migrate

run: export SERVICE_NAME ?= nameko_registration_service
run: migrate
	$(BIN)/nameko run --config $(CONFIG) registration.entrypoints.service

# Its own port, so it runs next to `make run` on one machine.
run-subscriber: export WEB_SERVER_ADDRESS ?= 0.0.0.0:8001
run-subscriber: export SERVICE_NAME ?= welcome_mail_service
run-subscriber: install
	$(BIN)/nameko run --config $(CONFIG) welcome.entrypoints.service

test: install
	$(BIN)/python scripts/ensure_services.py
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: install
	$(BIN)/pytest -m unit $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts
	$(BIN)/mypy
	$(BIN)/hadolint --failure-threshold warning Dockerfile

format: install
	$(BIN)/ruff format src tests bench scripts
	$(BIN)/ruff check --fix src tests bench scripts

bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) *.db
