"""deploy/postgres/initdb/03-role-passwords.sh: each role's password from its service's URL, sent
to psql as a variable. Run here with a psql that records what it was given."""

import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "deploy" / "postgres" / "initdb" / "03-role-passwords.sh"
URL_FILES = {
    "registration-migration-database-url": "registration_migrator",
    "registration-database-url": "registration_app",
    "welcome-database-url": "welcome",
}


def run_script(tmp_path: Path, urls: dict[str, str]) -> subprocess.CompletedProcess[str]:
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    for name, url in urls.items():
        (secrets / name).write_text(url + "\n", encoding="utf-8")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    recorder = bin_dir / "psql"
    # one line per call: its arguments, then what it read from stdin
    recorder.write_text(
        f'#!/bin/sh\nprintf "%s " "$@" >> {tmp_path}/calls\necho >> {tmp_path}/calls\n'
        f"cat >> {tmp_path}/calls\n",
        encoding="utf-8",
    )
    recorder.chmod(0o755)
    return subprocess.run(
        ["bash", str(SCRIPT)],
        env={
            **os.environ,
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
            "ROLE_SECRETS_DIR": str(secrets),
        },
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_each_role_gets_the_password_of_the_url_its_service_is_given(tmp_path):
    urls = {
        name: f"postgresql://{role}:{role}-pw@postgres:5432/db" for name, role in URL_FILES.items()
    }

    result = run_script(tmp_path, urls)

    assert result.returncode == 0, result.stderr
    calls = (tmp_path / "calls").read_text()
    for role in URL_FILES.values():
        assert f"-v role={role} -v password={role}-pw" in calls
    assert calls.count("ALTER ROLE :\"role\" PASSWORD :'password';") == 3
    assert "-pw" not in result.stdout + result.stderr


def test_a_url_naming_another_role_is_refused(tmp_path):
    urls = {name: f"postgresql://{role}:pw@postgres/db" for name, role in URL_FILES.items()}
    urls["registration-database-url"] = "postgresql://postgres:pw@postgres/registration"

    result = run_script(tmp_path, urls)

    assert result.returncode != 0
    assert "expected postgresql://registration_app:PASSWORD@..." in result.stderr
