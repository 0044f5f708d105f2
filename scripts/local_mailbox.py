"""`make mail`: a local SMTP server that prints every mail it receives, listening where the
welcome subscriber sends (its SMTP_HOST and SMTP_PORT, read from the same config)."""

from aiosmtpd.main import main as aiosmtpd

from service_kit.config_file import load_config
from welcome.settings import WelcomeSettings

if __name__ == "__main__":
    settings = WelcomeSettings.from_config(load_config())
    print(f"mail for the subscriber: SMTP on {settings.smtp_host}:{settings.smtp_port}", flush=True)
    aiosmtpd(["--nosetuid", "--listen", f"{settings.smtp_host}:{settings.smtp_port}"])
