"""The database refuses an answer whose choice belongs to another question.

Django has no composite foreign keys, so a trigger on each backend does what
FOREIGN KEY (choice_id, question_id) REFERENCES quiz_choice (id, question_id) would.
Both raise an integrity error, which Django reports as django.db.IntegrityError.
"""

from django.db import migrations

SQLITE = [
    """
    CREATE TRIGGER quiz_answer_choice_matches_question_insert
    BEFORE INSERT ON quiz_answer
    WHEN NEW.question_id IS NOT (SELECT question_id FROM quiz_choice WHERE id = NEW.choice_id)
    BEGIN SELECT RAISE(ABORT, 'quiz_answer_choice_matches_question'); END
    """,
    """
    CREATE TRIGGER quiz_answer_choice_matches_question_update
    BEFORE UPDATE OF choice_id, question_id ON quiz_answer
    WHEN NEW.question_id IS NOT (SELECT question_id FROM quiz_choice WHERE id = NEW.choice_id)
    BEGIN SELECT RAISE(ABORT, 'quiz_answer_choice_matches_question'); END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS quiz_answer_choice_matches_question_insert",
    "DROP TRIGGER IF EXISTS quiz_answer_choice_matches_question_update",
]

POSTGRESQL = [
    """
    CREATE FUNCTION quiz_answer_choice_matches_question() RETURNS trigger AS $$
    BEGIN
        IF NEW.question_id IS DISTINCT FROM
           (SELECT question_id FROM quiz_choice WHERE id = NEW.choice_id) THEN
            RAISE EXCEPTION 'quiz_answer_choice_matches_question'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER quiz_answer_choice_matches_question
    BEFORE INSERT OR UPDATE OF choice_id, question_id ON quiz_answer
    FOR EACH ROW EXECUTE FUNCTION quiz_answer_choice_matches_question()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS quiz_answer_choice_matches_question ON quiz_answer",
    "DROP FUNCTION IF EXISTS quiz_answer_choice_matches_question()",
]


def statements(schema_editor, forward):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        return SQLITE if forward else SQLITE_REVERSE
    if vendor == "postgresql":
        return POSTGRESQL if forward else POSTGRESQL_REVERSE
    raise NotImplementedError(f"No answer/choice trigger is written for {vendor}.")


def create_trigger(apps, schema_editor):
    for sql in statements(schema_editor, forward=True):
        schema_editor.execute(sql)


def drop_trigger(apps, schema_editor):
    for sql in statements(schema_editor, forward=False):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("quiz", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
