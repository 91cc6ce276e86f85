"""Write into every existing completion and claim what its certificate stated when this change
was made (the live profile and designation then): from now on they are issued records."""

from django.db import migrations


def issue(apps, schema_editor):
    ActivityCompletion = apps.get_model("cme", "ActivityCompletion")
    CreditClaim = apps.get_model("cme", "CreditClaim")
    for completion in ActivityCompletion.objects.select_related("learner", "activity"):
        completion.name = completion.learner.full_name
        completion.profession = completion.learner.profession
        completion.activity_title = completion.activity.title
        completion.released_on = completion.activity.released_on
        completion.expires_on = completion.activity.expires_on
        completion.save(
            update_fields=["name", "profession", "activity_title", "released_on", "expires_on"]
        )
    for claim in CreditClaim.objects.select_related("designation"):
        claim.profession = claim.designation.profession
        claim.credit_type = claim.designation.credit_type
        claim.statement = claim.designation.statement
        claim.save(update_fields=["profession", "credit_type", "statement"])


class Migration(migrations.Migration):
    dependencies = [("cme", "0004_issued_certificates")]

    operations = [migrations.RunPython(issue, migrations.RunPython.noop)]
