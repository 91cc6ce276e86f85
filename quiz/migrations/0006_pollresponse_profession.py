from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_professions(apps, schema_editor):
    PollResponse = apps.get_model("quiz", "PollResponse")
    User = apps.get_model("accounts", "User")
    PollResponse.objects.update(
        profession=Subquery(User.objects.filter(pk=OuterRef("learner_id")).values("profession"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_synthetic_learners"),
        ("quiz", "0005_attempt_number"),
    ]

    operations = [
        migrations.AddField(
            model_name="pollresponse",
            name="profession",
            field=models.CharField(
                choices=[
                    ("physician", "Physician"),
                    ("nurse", "Nurse or nurse practitioner"),
                    ("pharmacist", "Pharmacist"),
                    ("physician_assistant", "Physician assistant"),
                    ("other", "Other"),
                ],
                default="other",
                max_length=32,
            ),
            preserve_default=False,
        ),
        migrations.RunPython(copy_professions, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="pollresponse",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    profession__in=[
                        "physician",
                        "nurse",
                        "pharmacist",
                        "physician_assistant",
                        "other",
                    ]
                ),
                name="quiz_pollresponse_profession_valid",
            ),
        ),
    ]
