"""The issued fields become required. On SQLite this rebuilds two tables, which would drop the
triggers on them (and trip those that read them): they are dropped first and made again after,
as migration 0002 wrote them."""

from django.db import migrations, models

from celmod_course.db import refuse

TRIGGERS = [
    refuse(
        name="cme_creditclaim_amount_within_max",
        table="cme_creditclaim",
        when="NEW.amount > (SELECT max_amount FROM cme_creditdesignation WHERE id = NEW.designation_id)",
        columns=["amount", "designation_id"],
    ),
    refuse(
        name="cme_creditclaim_designation_of_the_activity",
        table="cme_creditclaim",
        when="(SELECT activity_id FROM cme_creditdesignation WHERE id = NEW.designation_id)"
        " {distinct} (SELECT c.activity_id FROM cme_activitycompletion c"
        " JOIN cme_evaluation e ON e.completion_id = c.id WHERE e.id = NEW.evaluation_id)",
        columns=["designation_id", "evaluation_id"],
    ),
    refuse(
        name="cme_evaluationanswer_question_of_the_activity",
        table="cme_evaluationanswer",
        when="(SELECT activity_id FROM cme_evaluationquestion WHERE id = NEW.question_id)"
        " {distinct} (SELECT c.activity_id FROM cme_activitycompletion c"
        " JOIN cme_evaluation e ON e.completion_id = c.id WHERE e.id = NEW.evaluation_id)",
        columns=["question_id", "evaluation_id"],
    ),
]
DROP = [migrations.RunPython(t.reverse_code, t.code) for t in TRIGGERS]


class Migration(migrations.Migration):
    dependencies = [("cme", "0005_issue_existing_certificates")]

    operations = [
        *DROP,
        migrations.AlterField(
            model_name="activitycompletion",
            name="name",
            field=models.CharField(max_length=150, verbose_name="name as issued"),
        ),
        migrations.AlterField(
            model_name="activitycompletion",
            name="profession",
            field=models.CharField(
                choices=[
                    ("physician", "Physician"),
                    ("nurse", "Nurse or nurse practitioner"),
                    ("pharmacist", "Pharmacist"),
                    ("physician_assistant", "Physician assistant"),
                    ("other", "Other"),
                ],
                max_length=32,
            ),
        ),
        migrations.AlterField(
            model_name="activitycompletion",
            name="activity_title",
            field=models.CharField(max_length=200),
        ),
        migrations.AlterField(
            model_name="activitycompletion", name="released_on", field=models.DateField()
        ),
        migrations.AlterField(
            model_name="activitycompletion", name="expires_on", field=models.DateField()
        ),
        migrations.AlterField(
            model_name="creditclaim",
            name="profession",
            field=models.CharField(
                choices=[
                    ("physician", "Physician"),
                    ("nurse", "Nurse or nurse practitioner"),
                    ("pharmacist", "Pharmacist"),
                    ("physician_assistant", "Physician assistant"),
                    ("other", "Other"),
                ],
                max_length=32,
            ),
        ),
        migrations.AlterField(
            model_name="creditclaim", name="credit_type", field=models.CharField(max_length=200)
        ),
        migrations.AlterField(model_name="creditclaim", name="statement", field=models.TextField()),
        *TRIGGERS,
    ]
