"""Load the seed activity's content into a database that lacks it, and never over staff edits.

`make run` calls this on every start. Loading a fixture again would overwrite, row by row,
whatever staff changed in the admin; so each fixture is loaded only while its table is empty:
the activity from the seed, its knowledge check, its evaluation. Restoring one over edits is a
deliberate act: `manage.py loaddata celmods` (or `knowledge_check`, `evaluation`).
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from celmod_course.cme.models import EvaluationQuestion
from lessons.models import Activity
from quiz.models import Question

FIXTURES = [
    ("celmods", Activity),
    ("knowledge_check", Question),
    ("evaluation", EvaluationQuestion),
]


class Command(BaseCommand):
    help = "Load the content fixtures whose tables are still empty; never overwrite content."

    def handle(self, *args, verbosity, **options):
        for fixture, model in FIXTURES:
            if model.objects.exists():
                if verbosity:
                    self.stdout.write(
                        f"{model._meta.verbose_name_plural.capitalize()} already exist; "
                        f"the {fixture} fixture is not loaded over them (edits are kept)."
                    )
            else:
                call_command("loaddata", fixture, verbosity=verbosity)
