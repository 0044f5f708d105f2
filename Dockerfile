# syntax=docker/dockerfile:1
# One image for both Nameko services: `registration-run` (default) and the welcome subscriber
# (`welcome-run`, docker-compose.yml overrides the command). Bump both FROM lines together;
# the newest Python the test suite passes on (pyproject.toml's requires-python).

# --- builder: a virtual environment with the runtime dependencies only ----------------------------
FROM python:3.13.13-slim-bookworm AS builder

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /build
# The pinned runtime dependencies (no test extras) in their own layer, so a change to the code
# alone does not reinstall them.
# The contract package (./contract, not on PyPI) is one of them: named in the same command, its
# folder satisfies the project's pin on it.
COPY pyproject.toml constraints.txt README.md ./
COPY contract ./contract
RUN python -c "import tomllib; print(*tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" > requirements.txt \
 && pip install --no-cache-dir pip==25.3 \
 && pip install --no-cache-dir -c constraints.txt ./contract -r requirements.txt
# Then the project itself, not editable, and a check that nothing is missing or conflicting.
COPY src ./src
RUN pip install --no-cache-dir --no-deps -c constraints.txt . \
 && pip check

# --- runtime ------------------------------------------------------------------------------------
FROM python:3.13.13-slim-bookworm AS runtime

# A fixed uid/gid so volumes and Kubernetes securityContext can name it.
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /app --create-home --shell /usr/sbin/nologin app

COPY --from=builder /opt/venv /opt/venv

# PYTHONWARNINGS: the nameko 2.14.1 CLI imports pkg_resources, which warns on every start.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONWARNINGS=ignore::DeprecationWarning:eventlet,ignore:pkg_resources:UserWarning \
    LOG_FORMAT=json \
    CONFIG=/app/config.yml

# /app belongs to the app user: the SQLite fallback of DATABASE_URL writes its file here.
WORKDIR /app
COPY src/service_kit/config.yml /app/config.yml

USER 10001:10001

EXPOSE 8000 9000

# slim has no curl; urlopen raises (exit 1) on a connection error or any non-2xx answer.
# The subscriber's container overrides this with its own port (see docker-compose.yml).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/ready', timeout=4)"]

STOPSIGNAL SIGTERM

# Exec form: the process is PID 1 and receives SIGTERM itself.
CMD ["registration-run"]
