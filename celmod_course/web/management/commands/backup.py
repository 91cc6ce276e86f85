"""Write a consistent copy of the whole database to a file while the site runs.

SQLite: SQLite's online backup API copies every page in one step, inside one read transaction;
in WAL mode the site's writers go on meanwhile, and the copy is the database as it was when the
step began. PostgreSQL: `pg_dump --format=custom` reads the whole database in one snapshot, and
writers go on meanwhile too. `manage.py restore` puts either back.

The helpers here (the backup's kind, the PostgreSQL client tools and their connection) are
shared with `restore`.
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# How each kind of backup file begins: a SQLite database, a pg_dump custom-format archive.
HEADERS = {"sqlite": b"SQLite format 3\x00", "postgresql": b"PGDMP"}

# The connection options (from DATABASE_URL's query string) that libpq also reads from the
# environment.
LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
}


ENGINE_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def engine(database):
    """ "sqlite" or "postgresql"; any other engine is refused."""
    name = database["ENGINE"].rsplit(".", 1)[-1]
    if name not in {"sqlite3", "postgresql"}:
        raise CommandError(f"Backups are made for SQLite and PostgreSQL only, not {name}.")
    return "sqlite" if name == "sqlite3" else "postgresql"


def postgresql_client(program, database, *arguments):
    """The command line and environment that run `program` (pg_dump, pg_restore) against
    `database`, a DATABASES entry. The password goes in PGPASSWORD, never on the command line,
    where other users of the machine could read it."""
    executable = shutil.which(program)
    if executable is None:
        raise CommandError(
            f"{program} was not found. Install the PostgreSQL client tools of the server's "
            "major version (on Debian: apt-get install postgresql-client)."
        )
    command = [executable]
    for flag, key in [("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")]:
        if database.get(key):
            command.append(f"{flag}={database[key]}")
    env = os.environ.copy()
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = database["PASSWORD"]
    for option, value in database.get("OPTIONS", {}).items():
        if option in LIBPQ_OPTIONS:
            env[LIBPQ_OPTIONS[option]] = str(value)
    return [*command, *arguments], env


def run_postgresql_client(program, database, *arguments):
    """Run `program`; a failure is a CommandError carrying what the program said."""
    command, env = postgresql_client(program, database, *arguments)
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise CommandError(
            f"{program} failed (exit status {result.returncode}): {result.stderr.strip()}"
        )
    return result


def size_text(path):
    return f"{path.stat().st_size:,} bytes"


class Command(BaseCommand):
    help = (
        "Write a consistent copy of the whole database to PATH while the site runs: a SQLite "
        "file on SQLite, a pg_dump custom-format archive on PostgreSQL. Restore it with "
        "manage.py restore."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The file to write.")
        parser.add_argument("--force", action="store_true", help="Overwrite PATH if it exists.")

    def handle(self, *args, path, force, **options):
        database = settings.DATABASES["default"]
        kind = engine(database)
        path = self.target(path, force=force, database=database, kind=kind)
        # Written beside PATH under another name, then renamed: PATH is never half a backup. The
        # file is the owner's alone (mkstemp's 0600): it holds every learner's records.
        descriptor, partial = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        os.close(descriptor)
        partial = Path(partial)
        try:
            if kind == "sqlite":
                self.backup_sqlite(database["NAME"], partial)
            else:
                run_postgresql_client(
                    "pg_dump",
                    database,
                    "--format=custom",
                    f"--file={partial}",
                    f"--dbname={database['NAME']}",
                )
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote a backup of the {ENGINE_NAMES[kind]} database {database['NAME']} to "
                f"{path} ({size_text(path)})."
            )
        )

    def target(self, path, *, force, database, kind):
        path = path.expanduser().resolve()
        if path.is_dir():
            raise CommandError(f"{path} is a folder; give the name of the file to write.")
        if not path.parent.is_dir():
            raise CommandError(f"The folder {path.parent} does not exist.")
        if not os.access(path.parent, os.W_OK):
            raise CommandError(f"The folder {path.parent} cannot be written to.")
        if kind == "sqlite" and path == Path(database["NAME"]).resolve():
            raise CommandError(f"{path} is the database itself; write the backup elsewhere.")
        if path.exists() and not force:
            raise CommandError(
                f"{path} already exists; give another name, or --force to overwrite it."
            )
        return path

    def backup_sqlite(self, name, partial):
        if not Path(name).is_file():
            raise CommandError(f"The SQLite database {name} does not exist.")
        source = sqlite3.connect(f"{Path(name).resolve().as_uri()}?mode=ro", uri=True)
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)  # every page in one step: one consistent read
            # One self-contained file, not a database expecting a write-ahead log beside it.
            copy.execute("PRAGMA journal_mode=DELETE")
        except sqlite3.Error as error:
            raise CommandError(f"The SQLite backup failed: {error}") from None
        finally:
            copy.close()
            source.close()
