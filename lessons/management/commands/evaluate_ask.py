"""How well Ask answers the project's own question sets (lessons/ask_sets/)."""

import json
import uuid
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lessons import ask, embedding
from lessons.models import Activity, Paragraph

SETS = Path(ask.__file__).parent / "ask_sets"


def _rate(count, total):
    return f"{count}/{total} ({count / total:.0%})"


class Command(BaseCommand):
    help = (
        "Ask the questions of lessons/ask_sets/ (questions the commentary answers, with the "
        "passages that do, and questions it does not) and print top-1, top-2 and abstention "
        "rates, counting what a learner sees: the passages quoted, in order, or 'not covered'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--activity", default="celmods-in-multiple-myeloma")
        parser.add_argument("--min-top1", type=float, default=0, help="Fail under this share.")
        parser.add_argument("--min-abstention", type=float, default=0, help="Likewise.")
        parser.add_argument("--verbose-misses", action="store_true", help="List each miss.")

    def handle(self, *args, activity, min_top1, min_abstention, verbose_misses, **options):
        try:
            activity = Activity.objects.get(slug=activity)
        except Activity.DoesNotExist:
            raise CommandError(f"No activity with the slug {activity!r}.") from None
        answerable = json.loads((SETS / "answerable.json").read_text())
        unanswerable = json.loads((SETS / "unanswerable.json").read_text())
        texts = {
            (p.lesson.order, p.order): p.text
            for p in Paragraph.objects.filter(lesson__activity=activity).select_related("lesson")
        }
        version = uuid.uuid4().hex  # a fresh index: the content as it is now
        first = second = refused = 0
        for item in answerable:
            expected = {texts[tuple(passage)] for passage in item["passages"]}
            answer = ask.ask(activity, item["question"], version=version)
            quoted = [quote.passage.text for quote in answer.quotes] if answer.covered else []
            first += bool(quoted[:1] and quoted[0] in expected)
            second += bool(expected & set(quoted[:2]))
            refused += not answer.covered
            if verbose_misses and not (quoted[:1] and quoted[0] in expected):
                self.stdout.write(f"  missed: {item['question']}")
        abstained = 0
        for question in unanswerable:
            covered = ask.ask(activity, question, version=version).covered
            abstained += not covered
            if verbose_misses and covered:
                self.stdout.write(f"  answered: {question}")
        ranking = "words and meaning" if embedding.available() else "words alone"
        total, other = len(answerable), len(unanswerable)
        self.stdout.write(f"Ranked by {ranking}.")
        self.stdout.write(f"top-1: {_rate(first, total)}")
        self.stdout.write(f"top-2: {_rate(second, total)}")
        self.stdout.write(f'abstention: {_rate(abstained, other)} said "not covered"')
        self.stdout.write(f'false "not covered": {_rate(refused, total)} answerable questions')
        if first / total < min_top1 or abstained / other < min_abstention:
            raise CommandError("Under the floor.")
