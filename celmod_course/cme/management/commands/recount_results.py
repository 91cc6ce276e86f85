"""Count every activity's results afresh from the records, or check the kept figures."""

from django.core.management.base import BaseCommand, CommandError

from celmod_course.cme import tallies
from lessons.models import Activity


class Command(BaseCommand):
    help = (
        "Rebuild the results' kept figures from every record (after loading records in bulk), "
        "or with --check compare them with a full recount and list any difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("--activity", help="Activity slug (default: every activity).")
        parser.add_argument(
            "--check", action="store_true", help="Compare only; exit 1 on any difference."
        )

    def handle(self, *args, activity, check, **options):
        activities = Activity.objects.order_by("pk")
        if activity:
            activities = activities.filter(slug=activity)
            if not activities.exists():
                raise CommandError(f"No activity with the slug {activity!r}.")
        differences = 0
        for each in activities:
            if not check:
                tallies.rebuild(each)
                self.stdout.write(f"{each.slug}: recounted.")
                continue
            kept, recounted = tallies.kept(each), tallies.recount(each)
            wrong = sorted(key for key in kept | recounted if kept[key] != recounted[key])
            for key in wrong:
                self.stdout.write(
                    f"{each.slug}: {key} kept {kept[key]}, recounted {recounted[key]}"
                )
            self.stdout.write(f"{each.slug}: {len(wrong) or 'no'} difference(s).")
            differences += len(wrong)
        if differences:
            raise CommandError(f"{differences} figure(s) differ from a full recount.")
