"""Restore a backup made by `manage.py backup` into the configured database, then check it.

The database must hold none of this site's tables yet (a fresh one), so that a restore never
lays one database over another by mistake; --force replaces what it holds. SQLite: the backup
API copies the backup's pages into the configured file. PostgreSQL: pg_restore, in one
transaction, so that a failed restore leaves the database as it was. Then the summary: what the
restored database holds, and whether it needs migrations.
"""

import sqlite3
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.template.defaultfilters import pluralize

from celmod_course.cme.models import ActivityCompletion, CreditClaim
from celmod_course.web.management.commands.backup import (
    ENGINE_NAMES,
    HEADERS,
    engine,
    run_postgresql_client,
)


class Command(BaseCommand):
    help = (
        "Restore a backup made by manage.py backup into the configured database, which must be "
        "empty unless --force, and print what it holds."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The backup file.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Restore even though the database holds this site's tables: SQLite's file is "
            "replaced whole; on PostgreSQL each table, sequence and function the backup holds is "
            "dropped and restored.",
        )

    def handle(self, *args, path, force, **options):
        database = settings.DATABASES["default"]
        kind = engine(database)
        path = self.backup_file(path.expanduser().resolve(), kind)
        if kind == "sqlite" and path == Path(database["NAME"]).resolve():
            raise CommandError(f"{path} is the configured database itself.")
        tables = self.site_tables(database)
        if tables and not force:
            raise CommandError(
                f"The database {database['NAME']} is not empty: it already holds this site's "
                f"tables ({len(tables)}, such as {min(tables)}), and a restore would lay the "
                "backup over them. Restore into a fresh database, or give --force to replace "
                "what it holds with the backup."
            )
        connection.close()  # holds nothing while the backup goes in
        if kind == "sqlite":
            self.restore_sqlite(path, database["NAME"])
        else:
            run_postgresql_client(
                "pg_restore",
                database,
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                *(["--clean", "--if-exists"] if force else []),
                f"--dbname={database['NAME']}",
                str(path),
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {path} into the {ENGINE_NAMES[kind]} database {database['NAME']}."
            )
        )
        self.summary()

    def backup_file(self, path, kind):
        if not path.is_file():
            raise CommandError(f"{path} does not exist or is not a file.")
        with path.open("rb") as file:
            header = file.read(max(map(len, HEADERS.values())))
        made_on = next((made for made, start in HEADERS.items() if header.startswith(start)), None)
        if made_on is None:
            raise CommandError(f"{path} is not a backup made by manage.py backup.")
        if made_on != kind:
            raise CommandError(
                f"{path} is a backup of a {ENGINE_NAMES[made_on]} database; the configured "
                f"database is {ENGINE_NAMES[kind]}. Restore it into a {ENGINE_NAMES[made_on]} "
                "database."
            )
        return path

    def site_tables(self, database):
        """The tables of this site (of any installed app) that the database already holds."""
        ours = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
        ours.add(MigrationRecorder.Migration._meta.db_table)
        try:
            return ours & set(connection.introspection.table_names())
        except DatabaseError as error:
            raise CommandError(f"Cannot open the database {database['NAME']}: {error}") from None

    def restore_sqlite(self, path, name):
        backup = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        database = sqlite3.connect(name)
        try:
            backup.backup(database)  # one step: the file holds all of the backup or none of it
        except sqlite3.Error as error:
            raise CommandError(f"The SQLite restore failed: {error}") from None
        finally:
            database.close()
            backup.close()

    def summary(self):
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        try:
            completions = ActivityCompletion.objects.count()
            claims = CreditClaim.objects.count()
            users = get_user_model().objects.count()
        except DatabaseError as error:
            advice = " Run manage.py migrate, then look again." if plan else ""
            raise CommandError(
                f"Restored, but the check cannot read it as this site's database: {error}.{advice}"
            ) from None
        self.stdout.write(
            f"It holds {completions:,} completion{pluralize(completions)} "
            f"(certificate{pluralize(completions)}), {claims:,} credit claim{pluralize(claims)} "
            f"and {users:,} user{pluralize(users)}."
        )
        if plan:
            names = ", ".join(f"{migration.app_label}.{migration.name}" for migration, _ in plan)
            self.stdout.write(
                self.style.WARNING(
                    f"migrate --check: {len(plan)} migration{pluralize(plan)} to apply ({names}). "
                    "The backup is older than this code: run manage.py migrate before starting "
                    "the site."
                )
            )
        else:
            self.stdout.write("migrate --check: nothing to do; its schema matches this code.")
