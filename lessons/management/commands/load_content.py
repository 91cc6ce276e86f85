"""Load the seed activity's content into a database that has none, and never over staff edits.

`make run` calls this on every start. Loading the fixtures again would overwrite, row by row,
whatever staff changed in the admin; so it loads only into a database without activities.
Restoring the seed over edits is a deliberate act: `manage.py loaddata celmods knowledge_check`.
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from lessons.models import Activity

FIXTURES = ["celmods", "knowledge_check"]


class Command(BaseCommand):
    help = "Load the seed content from the fixtures, unless the database already holds content."

    def handle(self, *args, verbosity, **options):
        if Activity.objects.exists():
            if verbosity:
                self.stdout.write(
                    "The database already holds content; it is left as it is, so edits made in "
                    "the admin are kept. To restore the seed over them, run "
                    f"`manage.py loaddata {' '.join(FIXTURES)}`."
                )
            return
        call_command("loaddata", *FIXTURES, verbosity=verbosity)
