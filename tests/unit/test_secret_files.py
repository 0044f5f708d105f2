"""`X_FILE` stands for `X`: a setting read from a file (Docker secrets, Kubernetes secret volumes)."""

import os
import subprocess
import sys

import pytest

from service_kit.secret_files import SecretFileError, apply_secret_files, variables_in

pytestmark = pytest.mark.unit


def secret(tmp_path, content: str) -> str:
    path = tmp_path / "secret"
    path.write_text(content, encoding="utf-8")
    return str(path)


def test_a_setting_takes_the_content_of_its_file_without_the_trailing_newline(tmp_path):
    environ = {"DATABASE_URL_FILE": secret(tmp_path, "postgresql://app:s3cret@db/registration\n")}

    apply_secret_files({"DATABASE_URL"}, environ)

    assert environ == {"DATABASE_URL": "postgresql://app:s3cret@db/registration"}


def test_only_one_trailing_newline_goes_and_the_rest_of_the_value_is_kept(tmp_path):
    environ = {"LINK_SIGNING_KEYS_FILE": secret(tmp_path, " new,old \n\n")}

    apply_secret_files({"LINK_SIGNING_KEYS"}, environ)

    assert environ["LINK_SIGNING_KEYS"] == " new,old \n"


def test_a_value_set_both_ways_is_refused_as_ambiguous(tmp_path):
    environ = {"AMQP_URI": "amqp://a", "AMQP_URI_FILE": secret(tmp_path, "amqp://b")}

    with pytest.raises(SecretFileError, match=r"both AMQP_URI and AMQP_URI_FILE .*ambiguous"):
        apply_secret_files({"AMQP_URI"}, environ)


def test_a_file_that_cannot_be_read_is_named(tmp_path):
    missing = str(tmp_path / "absent")

    with pytest.raises(SecretFileError, match=rf"SMTP_PASSWORD_FILE: cannot read {missing}"):
        apply_secret_files({"SMTP_PASSWORD"}, {"SMTP_PASSWORD_FILE": missing})


def test_only_the_settings_named_are_read_from_files(tmp_path):
    environ = {"UNRELATED_FILE": secret(tmp_path, "x"), "DATABASE_URL": "sqlite://"}

    apply_secret_files({"DATABASE_URL"}, environ)

    assert environ == {"UNRELATED_FILE": environ["UNRELATED_FILE"], "DATABASE_URL": "sqlite://"}


def test_applying_twice_reads_once_and_is_not_ambiguous(tmp_path):
    environ = {"WELCOME_DATABASE_URL_FILE": secret(tmp_path, "postgresql://welcome@db/welcome")}

    apply_secret_files({"WELCOME_DATABASE_URL"}, environ)
    apply_secret_files({"WELCOME_DATABASE_URL"}, environ)

    assert environ == {"WELCOME_DATABASE_URL": "postgresql://welcome@db/welcome"}


def test_the_settings_are_the_variables_the_config_file_substitutes():
    text = "DATABASE_URL: ${DATABASE_URL}\nLOG_LEVEL: ${LOG_LEVEL:INFO}\nname: plain\n"

    assert variables_in(text) == {"DATABASE_URL", "LOG_LEVEL"}


def run_loading_config(environ: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = (
        "from service_kit.config_file import load_config; import os;"
        "config = load_config();"
        "print(config['MIGRATION_DATABASE_URL'], 'MIGRATION_DATABASE_URL_FILE' in os.environ)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, **environ},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_every_command_reading_config_yml_sees_the_files_content_in_config_and_environment(
    tmp_path,
):
    path = secret(tmp_path, "postgresql://migrator:pw@db/registration\n")

    result = run_loading_config({"MIGRATION_DATABASE_URL_FILE": path})

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["postgresql://migrator:pw@db/registration", "False"]


def test_a_command_given_a_setting_both_ways_exits_with_one_line(tmp_path):
    path = secret(tmp_path, "postgresql://migrator@db/registration")

    result = run_loading_config(
        {"MIGRATION_DATABASE_URL_FILE": path, "MIGRATION_DATABASE_URL": "sqlite://"}
    )

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "error: both MIGRATION_DATABASE_URL and MIGRATION_DATABASE_URL_FILE are set: "
        "set only one of them (ambiguous)"
    ]
