"""`manage.py check --deploy` passes with the production settings of the README, warnings
included, and says what is missing when one of them is left out."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

from django.conf import settings

# The README's production set (TLS ends at the reverse proxy, which sets X-Forwarded-Proto).
PRODUCTION = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "teleservices.example.fr",
    "CSRF_TRUSTED_ORIGINS": "https://teleservices.example.fr",
    "SITE_URL": "https://teleservices.example.fr",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    "TRUSTED_PROXY_COUNT": "1",
    # Never connected to: the deployment checks read the settings only.
    "DATABASE_URL": "postgres://teleservices@127.0.0.1:1/teleservices",
    "CELERY_BROKER_URL": "redis://127.0.0.1:1/0",
    "EMAIL_HOST": "smtp.example.fr",
    # The antivirus (instruction/scanning.py): without it, check --deploy warns.
    "CLAMD_SOCKET": "/run/clamav/clamd.ctl",
}


def _check_deploy(**overrides: str) -> subprocess.CompletedProcess[str]:
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    env.update(PRODUCTION, SECRET_KEY=secrets.token_urlsafe(50), DATA_DIR=os.environ.get("DATA_DIR", ".data"))
    env.update(overrides)
    return subprocess.run(  # noqa: S603 (our own interpreter and arguments)
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_production_settings_no_warning():
    """The production set passes Django's deployment checks without a single warning."""
    result = _check_deploy()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_env_example_no_warning(tmp_path):
    """The same with .env.example, the production set the README points to (its key, database
    and broker replaced: never connected to anyway)."""
    example = {}
    for line in (settings.BASE_DIR / ".env.example").read_text().splitlines():
        name, sep, value = line.partition("=")
        if sep and not line.startswith("#"):
            example[name.strip()] = value
    del example["SECRET_KEY"]  # a placeholder, to be replaced by a long random key: a generated one
    example.update(
        DATABASE_URL=PRODUCTION["DATABASE_URL"],
        CELERY_BROKER_URL=PRODUCTION["CELERY_BROKER_URL"],
        DATA_DIR=str(tmp_path),
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    result = _check_deploy(**example)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_without_ssl_redirect_warns():
    """Leave SECURE_SSL_REDIRECT out (or SECRET_KEY short, or no host) and the check fails
    with the warning that names it: the test above would notice a setting that went missing."""
    result = _check_deploy(SECURE_SSL_REDIRECT="0", ALLOWED_HOSTS="", SECRET_KEY="court")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert all(code in output for code in ("security.W008", "security.W009", "security.W020"))


def test_check_deploy_without_antivirus_warns():
    """Without CLAMD_SOCKET or CLAMD_URL uploaded files are not scanned: the check says so."""
    result = _check_deploy(CLAMD_SOCKET="")
    assert result.returncode != 0
    assert "instruction.W001" in result.stdout + result.stderr
