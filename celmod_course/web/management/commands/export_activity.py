"""Write an activity out as Markdown with front matter, the form staff keep in version control
and move between sites; `import_activity` reads it back, unchanged. The activity's slug is left
out of the file, so that it imports under a slug of the importer's choosing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from celmod_course.cme.documents.markdown import activity_markdown
from lessons.models import Activity


class Command(BaseCommand):
    help = "Write the activity at SLUG as Markdown with front matter, to standard output or FILE."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The activity's slug, as in its address.")
        parser.add_argument(
            "-o", "--output", type=Path, metavar="FILE", help="Write to FILE (overwritten)."
        )

    def handle(self, *args, slug, output, **options):
        activity = Activity.objects.filter(slug=slug).first()
        if activity is None:
            raise CommandError(f'No activity has the slug "{slug}".')
        text = activity_markdown(activity)
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"{output} cannot be written: {error.strerror}.") from None
        self.stdout.write(f'Wrote "{activity.title}" to {output}.')
