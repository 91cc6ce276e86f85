"""Settings come from the environment and fail loudly on what they cannot use."""

import os
import subprocess
import sys

from django.conf import settings

PROBE = (
    "import django; django.setup(); from django.db import connection; "
    "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0]); "
    "c.execute('PRAGMA busy_timeout'); print(c.fetchone()[0]); "
    "c.execute('PRAGMA synchronous'); print(c.fetchone()[0]); "
    "print(connection.transaction_mode)"
)


def run_python(code, **env):
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    base["DJANGO_SETTINGS_MODULE"] = "celmod_course.settings"
    base["ENV_FILE"] = ""  # only what each test sets, not this checkout's .env
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_debug_a_missing_secret_key_stops_start_up_with_a_clear_message():
    result = run_python("import django; django.setup()")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_is_off_unless_asked_for():
    result = run_python("from django.conf import settings; print(settings.DEBUG)", SECRET_KEY="k")
    assert result.stdout.strip() == "False"
    result = run_python("from django.conf import settings; print(settings.DEBUG)", DEBUG="1")
    assert result.stdout.strip() == "True"


def test_a_bad_yes_no_value_is_refused_by_name():
    result = run_python("import django; django.setup()", SECRET_KEY="k", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be a yes/no value" in result.stderr


def test_a_bad_number_is_refused_by_name():
    result = run_python("import django; django.setup()", SECRET_KEY="k", SQLITE_TIMEOUT="soon")
    assert result.returncode != 0
    assert "SQLITE_TIMEOUT must be a whole number" in result.stderr


def test_sqlite_runs_in_wal_mode_with_immediate_transactions_and_a_busy_timeout(tmp_path):
    """...and synchronous=FULL (2): a committed credit claim survives a power loss."""
    result = run_python(PROBE, SECRET_KEY="k", SQLITE_PATH=str(tmp_path / "probe.sqlite3"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "20000", "2", "IMMEDIATE"]


def test_database_url_switches_to_postgresql():
    code = "from django.conf import settings; print(settings.DATABASES['default']['ENGINE'])"
    result = run_python(
        code, SECRET_KEY="k", DATABASE_URL="postgres://postgres@127.0.0.1:5432/celmod"
    )
    assert result.stdout.strip() == "django.db.backends.postgresql"


def test_users_are_cached_unless_turned_off():
    code = "from django.conf import settings; print(settings.CACHE_USERS)"
    assert run_python(code, SECRET_KEY="k", REDIS_URL="").stdout.strip() == "True"
    assert run_python(code, SECRET_KEY="k", CACHE_USERS="0").stdout.strip() == "False"


def test_time_zones_are_on():
    assert settings.USE_TZ is True


def test_a_checkouts_env_file_fills_in_what_the_environment_leaves_unset(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("SECRET_KEY=from-the-file\nTIME_ZONE=Europe/Paris\n")
    code = "from django.conf import settings as s; print(s.SECRET_KEY, s.TIME_ZONE)"
    result = run_python(code, ENV_FILE=str(env_file), TIME_ZONE="America/New_York")
    assert result.stdout.split() == ["from-the-file", "America/New_York"]
