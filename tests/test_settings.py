"""Settings from the environment: production refuses development secrets; SQLite runs in WAL."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    drop = {"DATABASE_URL", "DEBUG", "FAST_PASSWORD_HASHER"}
    environment = {k: v for k, v in os.environ.items() if k not in drop}
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True
    )


def test_production_refuses_the_development_secrets() -> None:
    result = run_python("import django; django.setup()", DEBUG="false")
    assert result.returncode != 0
    assert "set SECRET_KEY, FIELD_ENCRYPTION_KEYS, FIELD_HASH_KEY" in result.stderr


def test_production_starts_with_real_secrets() -> None:
    result = run_python(
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE)",
        DEBUG="false",
        SECRET_KEY="a-real-secret-key-for-this-test-only-0123456789",
        FIELD_ENCRYPTION_KEYS="k9:ZXhhbXBsZS1vbGQta2V5LWZvci10ZXN0cy0wMDAwMDA=",
        FIELD_HASH_KEY="a-real-hash-key",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]


def test_a_bad_value_names_the_variable() -> None:
    result = run_python("import django; django.setup()", LOGIN_MAX_FAILURES="five")
    assert "LOGIN_MAX_FAILURES must be a whole number, not 'five'" in result.stderr


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    result = run_python(
        "import django; django.setup(); from django.db import connection; "
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]); "
        "c.execute('PRAGMA busy_timeout'); print(c.fetchone()[0])",
        DATABASE_URL=f"sqlite:///{tmp_path / 'wal.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "20000"]
