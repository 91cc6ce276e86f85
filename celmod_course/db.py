"""What Django does not say for SQLite and PostgreSQL alike, written once for both: the database
rules it cannot declare (for migrations), and writing or deleting rows by the million at the
speed of the database's own bulk load.
"""

from itertools import islice

from django.db import connection, migrations, models
from django.db.transaction import TransactionManagementError


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


# SQLite's executemany takes the rows in batches of this many (a list per batch, not all).
INSERT_BATCH = 10_000


def reserve_ids(model, count):
    """`count` new primary keys of `model`'s table, to insert rows with their ids given, so that
    the rows referring to them can be written without reading them back. Call it inside the
    transaction that inserts them.

    PostgreSQL takes them from the table's sequence, as inserts do: unique whatever else runs,
    not necessarily consecutive. SQLite gives the ones after the highest ever given (the
    AUTOINCREMENT count, so that a deleted row's id is never given again); the transaction's
    write lock (IMMEDIATE) keeps them for it, and inserting them moves the count on.
    """
    if not connection.in_atomic_block:
        raise TransactionManagementError("Reserve ids inside the transaction that uses them.")
    table, pk = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, pk, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f"SELECT max(top) FROM (SELECT seq AS top FROM sqlite_sequence WHERE name = %s"
            f" UNION ALL SELECT max({connection.ops.quote_name(pk)}) FROM"
            f" {connection.ops.quote_name(table)})",
            [table],
        )
        highest = cursor.fetchone()[0] or 0
        return range(highest + 1, highest + count + 1)


def insert_rows(model, columns, rows):
    """Insert `rows` into `model`'s table: tuples of values in the order of `columns` (field
    names, a foreign key's as `learner_id`), with no model instances, no signals and nothing
    read back; COPY on PostgreSQL, executemany in batches on SQLite. Every constraint and
    trigger of the table still applies. Dates and times are stored as Django stores them.
    """
    fields = [model._meta.get_field(name) for name in columns]
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    rows = iter(rows)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            # The planner's figures for the table, which autovacuum would renew only later: a
            # plan made for a small table reads a big one slowly.
            cursor.execute(f"ANALYZE {table}")
            return
        # Dates and times as Django's SQLite backend stores them (sqlite3 would write an aware
        # datetime with its offset), through the backend's own adapters.
        adapt = [
            (i, connection.ops.adapt_datetimefield_value)
            if isinstance(field, models.DateTimeField)
            else (i, connection.ops.adapt_datefield_value)
            for i, field in enumerate(fields)
            if isinstance(field, models.DateField)
        ]
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(fields))})"
        cursor.execute("PRAGMA cache_size")
        cache_size = cursor.fetchone()[0]
        # Indexes of millions of rows take their inserts in scattered places: a page cache of
        # up to 256 MB for the load saves reading the same pages again and again.
        cursor.execute(f"PRAGMA cache_size = {-256 * 1024}")
        try:
            while batch := list(islice(rows, INSERT_BATCH)):
                if adapt:
                    batch = [list(row) for row in batch]
                    for row in batch:
                        for i, adapter in adapt:
                            row[i] = adapter(row[i])
                cursor.executemany(sql, batch)
        finally:
            cursor.execute(f"PRAGMA cache_size = {cache_size}")


def delete_with_dependents(queryset, *, _within=()):
    """Delete the rows of `queryset` and, first, every row that refers to them, and so on down,
    as the foreign keys say (a SET_NULL one is set to NULL): one plain DELETE or UPDATE per
    table, with no model instances loaded and no signals sent. PROTECT and RESTRICT are not
    honoured: it is for rows that go with everything that hangs on them (synthetic learners).
    Returns the models whose rows it deleted, for the caller to say what changed.
    """
    model = queryset.model
    if model in _within:
        raise NotImplementedError(f"{model._meta.label} refers to itself: delete it row by row.")
    deleted = set()
    for relation in model._meta.get_fields(include_hidden=True):
        if relation.concrete or not (relation.one_to_many or relation.one_to_one):
            continue  # not a foreign key from another table to this one
        field = relation.field
        dependents = relation.related_model._base_manager.filter(
            **{f"{field.name}__in": queryset.values(field.target_field.attname)}
        )
        if relation.on_delete is models.SET_NULL:
            dependents.update(**{field.name: None})
        elif relation.on_delete is not models.DO_NOTHING:
            deleted |= delete_with_dependents(dependents, _within=(*_within, model))
    sql, params = queryset.values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}"
            f" WHERE {connection.ops.quote_name(model._meta.pk.column)} IN ({sql})",
            params,
        )
        if cursor.rowcount:
            deleted.add(model)
    return deleted
