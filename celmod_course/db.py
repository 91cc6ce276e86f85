"""Database rules Django cannot declare, written once for SQLite and PostgreSQL."""

from django.db import migrations


def refuse(*, name, table, when, columns):
    """A migration operation: the database refuses to insert a `table` row, or to update any of
    its `columns`, when `when` holds. `when` is SQL over the new row (NEW.column) and writes
    `{distinct}` where it compares values that may be NULL (IS DISTINCT FROM). Both backends raise
    an integrity error (django.db.IntegrityError) named `name`.
    """
    sqlite_when = when.format(distinct="IS NOT")
    postgresql_when = when.format(distinct="IS DISTINCT FROM")
    sqlite = [
        f"""CREATE TRIGGER {name}_insert BEFORE INSERT ON {table}
            WHEN {sqlite_when}
            BEGIN SELECT RAISE(ABORT, '{name}'); END""",
        f"""CREATE TRIGGER {name}_update BEFORE UPDATE OF {", ".join(columns)} ON {table}
            WHEN {sqlite_when}
            BEGIN SELECT RAISE(ABORT, '{name}'); END""",
    ]
    sqlite_reverse = [
        f"DROP TRIGGER IF EXISTS {name}_insert",
        f"DROP TRIGGER IF EXISTS {name}_update",
    ]
    postgresql = [
        f"""CREATE FUNCTION {name}() RETURNS trigger AS $$
            BEGIN
                IF {postgresql_when} THEN
                    RAISE EXCEPTION '{name}' USING ERRCODE = 'integrity_constraint_violation';
                END IF;
                RETURN NEW;
            END;
            $$ LANGUAGE plpgsql""",
        f"""CREATE TRIGGER {name} BEFORE INSERT OR UPDATE OF {", ".join(columns)} ON {table}
            FOR EACH ROW EXECUTE FUNCTION {name}()""",
    ]
    postgresql_reverse = [
        f"DROP TRIGGER IF EXISTS {name} ON {table}",
        f"DROP FUNCTION IF EXISTS {name}()",
    ]

    def run(statements_by_vendor):
        def operation(apps, schema_editor):
            vendor = schema_editor.connection.vendor
            if vendor not in statements_by_vendor:
                raise NotImplementedError(f"No trigger {name} is written for {vendor}.")
            for sql in statements_by_vendor[vendor]:
                schema_editor.execute(sql)

        return operation

    return migrations.RunPython(
        run({"sqlite": sqlite, "postgresql": postgresql}),
        run({"sqlite": sqlite_reverse, "postgresql": postgresql_reverse}),
    )


def matching_parent(*, table, fk, parent_table, shared):
    """The database refuses a `table` row whose `fk` points at a `parent_table` row with another
    `shared` value than the row's own.

    It is what FOREIGN KEY (fk, shared) REFERENCES parent_table (id, shared) would say, which
    Django cannot declare. For example an answer's choice must belong to the answer's question.
    """
    return refuse(
        name=f"{table}_{fk}_matches_{shared}",
        table=table,
        when=f"NEW.{shared} {{distinct}} (SELECT {shared} FROM {parent_table} WHERE id = NEW.{fk})",
        columns=[fk, shared],
    )
