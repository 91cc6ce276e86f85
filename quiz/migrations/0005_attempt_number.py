from django.db import migrations, models


def number_existing_attempts(apps, schema_editor):
    Attempt = apps.get_model("quiz", "Attempt")
    seen = {}
    for attempt in Attempt.objects.order_by("submitted_at", "pk"):
        key = (attempt.learner_id, attempt.activity_id)
        seen[key] = seen.get(key, 0) + 1
        if attempt.number != seen[key]:
            attempt.number = seen[key]
            attempt.save(update_fields=["number"])


class Migration(migrations.Migration):
    dependencies = [
        ("quiz", "0004_pollresponse_option_matches_poll"),
        ("lessons", "0004_discussion"),
    ]

    operations = [
        migrations.AddField(
            model_name="attempt",
            name="number",
            field=models.PositiveIntegerField(
                default=1, help_text="1 for the learner's first attempt, and so on."
            ),
            preserve_default=False,
        ),
        migrations.RunPython(number_existing_attempts, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="attempt",
            constraint=models.UniqueConstraint(
                fields=("learner", "activity", "number"), name="quiz_attempt_unique_number"
            ),
        ),
    ]
