from django.db import migrations

from celmod_course.db import matching_parent


class Migration(migrations.Migration):
    dependencies = [("quiz", "0001_initial")]

    operations = [
        # An answer's choice must belong to the answer's question.
        matching_parent(
            table="quiz_answer", fk="choice_id", parent_table="quiz_choice", shared="question_id"
        ),
        # A poll response's option must belong to the response's poll.
        matching_parent(
            table="quiz_pollresponse",
            fk="option_id",
            parent_table="quiz_polloption",
            shared="poll_id",
        ),
    ]
