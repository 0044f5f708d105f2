# Every set-up step lives here: a fresh clone needs only `make test` (or `make install` first).
# Another interpreter: `make install PYTHON=python3.13 VENV=.venv313` (3.11 to 3.13).
VENV ?= .venv
PYTHON ?= python3.11
BIN := $(VENV)/bin
CONFIG ?= config.yml
export PYTHONWARNINGS ?= ignore::DeprecationWarning:eventlet,ignore:pkg_resources:UserWarning
# With pyenv's shims, `python3.13` runs only when pyenv is told which 3.13 to use.
PYENV_FOR_PYTHON := $(if $(filter python3.%,$(PYTHON)),PYENV_VERSION=$${PYENV_VERSION:-$(patsubst python%,%,$(PYTHON))})

.PHONY: install install-runtime tools run run-subscriber mail migrate test test-fast lint lint-openapi format bench bench-lived-in clean kubernetes-rules

# What `make test`, `make lint` and `make bench` need: Python packages only, no root, no apt-get.
install: $(VENV)/.installed
# What `make run` needs: the runtime alone, as the image installs it (`pip install .`).
install-runtime: $(VENV)/.runtime

# ./contract in the same pip command: that folder satisfies the project's nameko-registration-contract.
$(VENV)/.runtime: pyproject.toml contract/pyproject.toml constraints.txt
	$(PYENV_FOR_PYTHON) $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -c constraints.txt -e ./contract -e .
	touch $@

$(VENV)/.installed: $(VENV)/.runtime
	$(BIN)/pip install --quiet -c constraints.txt -e ./contract -e '.[test,lint,bench]'
	touch $@

# Programs no PyPI package ships, for the tests that need them (promtool for deploy/prometheus,
# headless Chromium for the mailed links' pages, HAProxy for deploy/haproxy). Debian's
# packages: .ci/run installs them; elsewhere install them your way, or those tests skip (under
# CI=true they fail).
APT_INSTALL = { apt-get install -y -qq --no-install-recommends $(1) 2>/dev/null \
	|| { apt-get update -qq && apt-get install -y -qq --no-install-recommends $(1); }; }
tools: $(BIN)/promtool
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null \
		|| $(call APT_INSTALL,chromium chromium-driver)
	@command -v haproxy >/dev/null || $(call APT_INSTALL,haproxy)

# Only the binary is taken out of Debian's prometheus package (nothing installed system-wide, no
# server started).
$(BIN)/promtool: | $(VENV)/.runtime
	rm -rf $(VENV)/promtool-deb && mkdir -p $(VENV)/promtool-deb
	cd $(VENV)/promtool-deb && { apt-get download prometheus 2>/dev/null \
		|| { apt-get update -qq && apt-get download prometheus; }; }
	dpkg-deb --fsys-tarfile $(VENV)/promtool-deb/prometheus_*.deb \
		| tar -x -C $(VENV)/promtool-deb ./usr/bin/promtool
	mv $(VENV)/promtool-deb/usr/bin/promtool $@ && rm -rf $(VENV)/promtool-deb

migrate: install-runtime
	$(BIN)/registration-migrate

# The container's way: registration-run migrates, then starts nameko (WEB_CONCURRENCY processes).
run: export SERVICE_NAME ?= nameko_registration_service
run: install-runtime
	$(BIN)/registration-run

# On its own port (WELCOME_WEB_SERVER_ADDRESS, :8001), whatever WEB_SERVER_ADDRESS `make run` has.
run-subscriber: export SERVICE_NAME ?= welcome_mail_service
run-subscriber: install-runtime
	$(BIN)/welcome-run

# A local SMTP server that prints every mail it receives, on the SMTP_HOST and SMTP_PORT the
# subscriber reads (127.0.0.1:1025 unless set), so `make run-subscriber` sends its mails there.
mail: $(VENV)/.mailbox
	$(BIN)/python scripts/local_mailbox.py

$(VENV)/.mailbox: $(VENV)/.runtime
	$(BIN)/pip install --quiet -c constraints.txt aiosmtpd
	touch $@

test: install
	$(BIN)/python scripts/ensure_services.py
	$(BIN)/pytest $(PYTEST_ARGS)

test-fast: install
	$(BIN)/pytest -m unit $(PYTEST_ARGS)

# deploy/kubernetes/base/prometheus-rule.yaml from deploy/prometheus/alerts.yml, after editing the
# rules (kustomize cannot embed a file; the suite fails while the two differ).
kubernetes-rules: install-runtime
	$(BIN)/python scripts/kubernetes_alert_rules.py

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

# Ours on an empty and on a lived-in database (10 M entries, 10 M outbox rows), cold through the
# first prune; writes bench/results/lived-in.{json,md,png}. About 20 minutes.
bench-lived-in: install
	$(BIN)/python -m bench.run --lived-in $(BENCH_ARGS)

clean:
	rm -rf $(VENV) *.db
