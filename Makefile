# Every set-up step lives here: a fresh clone needs only `make test` (or `make install` first).
# Another interpreter: `make install PYTHON=python3.13 VENV=.venv313` (3.11 to 3.13).
VENV ?= .venv
PYTHON ?= python3.11
BIN := $(VENV)/bin
CONFIG ?= config.yml
export PYTHONWARNINGS ?= ignore::DeprecationWarning:eventlet,ignore:pkg_resources:UserWarning
# With pyenv's shims, `python3.13` runs only when pyenv is told which 3.13 to use.
PYENV_FOR_PYTHON := $(if $(filter python3.%,$(PYTHON)),PYENV_VERSION=$${PYENV_VERSION:-$(patsubst python%,%,$(PYTHON))})

.PHONY: install browser run run-subscriber mail migrate test test-fast lint lint-openapi format bench clean

# What `make test`, `make lint` and `make bench` need; the image installs the runtime only.
install: $(VENV)/.installed $(BIN)/promtool

# ./contract in the same pip command: that folder satisfies the project's nameko-registration-contract.
$(VENV)/.installed: pyproject.toml contract/pyproject.toml constraints.txt
	$(PYENV_FOR_PYTHON) $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -c constraints.txt -e ./contract -e '.[test,lint,bench]'
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

# The container's way: registration-run migrates, then starts nameko (WEB_CONCURRENCY processes).
run: export SERVICE_NAME ?= nameko_registration_service
run: install
	$(BIN)/registration-run

# On its own port (WELCOME_WEB_SERVER_ADDRESS, :8001), whatever WEB_SERVER_ADDRESS `make run` has.
run-subscriber: export SERVICE_NAME ?= welcome_mail_service
run-subscriber: install
	$(BIN)/welcome-run

# A local SMTP server that prints every mail it receives, where `make run-subscriber` sends them.
mail: install
	$(BIN)/aiosmtpd --nosetuid --listen 127.0.0.1:1025

# Headless Chromium and its driver, for the test of the mailed links' pages (Debian's packages,
# which need root; elsewhere install Chromium and chromedriver yourself, or that test skips
# outside CI).
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null \
		|| { command -v apt-get >/dev/null && apt-get install -y -qq chromium chromium-driver; } \
		|| echo "no Chromium: the browser test skips (it fails under CI=true)"

test: install browser
	$(BIN)/python scripts/ensure_services.py
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: install
	$(BIN)/pytest -m unit $(PYTEST_ARGS)

lint: install lint-openapi
	$(BIN)/ruff check src contract tests bench scripts
	$(BIN)/ruff format --check src contract tests bench scripts
	$(BIN)/mypy
	$(BIN)/hadolint --failure-threshold warning Dockerfile

# Redocly's `recommended` and Spectral's `spectral:oas` rules on the served /openapi.json. Only lint
# uses npm: install, run and test do not.
lint-openapi: node_modules/.installed
	npx --no-install redocly lint --config .redocly.yaml src/registration/contracts/openapi.json
	npx --no-install spectral lint --ruleset .spectral.yaml --fail-severity hint src/registration/contracts/openapi.json

node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --silent
	touch $@

format: install
	$(BIN)/ruff format src contract tests bench scripts
	$(BIN)/ruff check --fix src contract tests bench scripts

bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) *.db
