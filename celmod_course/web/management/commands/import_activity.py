"""Import an activity from a document, as a draft that learners see once staff publish it.

The file's ending says its format: .txt the page text of a commentary, .md Markdown with front
matter, .docx Word (`celmod_course.cme.documents`). The activity is written in one transaction
or not at all: a file that cannot be imported is refused with the line and the reason.
`--preview` checks and reports everything and writes nothing. The admin's import page does the
same for staff in the browser.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from celmod_course.cme import documents
from celmod_course.cme.documents.build import activity_import


class Command(BaseCommand):
    help = (
        "Import an activity from FILE (.txt page text, .md Markdown with front matter, .docx "
        "Word) as a draft, and say what it made; --preview writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="The document to import.")
        parser.add_argument(
            "--slug",
            help="The new activity's slug (by default the file's own, or one made from its title).",
        )
        parser.add_argument(
            "--preview", action="store_true", help="Check and report, but write nothing."
        )

    def handle(self, *args, file, slug, preview, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"{file} cannot be read: {error.strerror}.") from None
        try:
            draft = documents.read(file.name, data)
            report = activity_import(draft=draft, slug=slug, preview=preview)
        except documents.DocumentError as refusal:
            raise CommandError(f"{file.name}: {refusal} Nothing was written.") from None
        for line in report.lines():
            self.stdout.write(line)
        if preview:
            self.stdout.write("Nothing was written: this was a preview.")
