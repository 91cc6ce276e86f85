"""Seed synthetic learners with plausible progress, poll responses and attempts.

For demos and the benchmark. Every account it makes is marked synthetic (User.is_synthetic),
named "Synthetic Learner N" with an @example.invalid address and no usable password;
`--delete` removes them all again.

It writes rows by the million: as tuples through `celmod_course.db.insert_rows` (COPY on
PostgreSQL), with the ids of learners and attempts reserved beforehand, so that nothing is read
back. The same seed gives the same learners, answers and attempts.
"""

import random
from datetime import datetime, time, timedelta
from typing import NamedTuple

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from celmod_course.accounts.models import Profession, User
from celmod_course.cme.models import ActivityCompletion, new_certificate_number
from celmod_course.cme.tallies import rebuild
from celmod_course.db import delete_with_dependents, insert_rows, reserve_ids
from celmod_course.signals import rows_updated
from lessons.models import Activity, LessonCompletion
from quiz.models import Answer, Attempt, Moment, Poll, PollResponse, Question

PROFESSION_WEIGHTS = {
    Profession.PHYSICIAN: 40,
    Profession.NURSE: 25,
    Profession.PHARMACIST: 15,
    Profession.PHYSICIAN_ASSISTANT: 10,
    Profession.OTHER: 10,
}
CONFIDENCE_WEIGHTS = [10, 20, 35, 25, 10]  # options 1 (not at all) to 5 (extremely)
CHANGE_WEIGHTS = {-1: 8, 0: 40, 1: 37, 2: 15}  # how far confidence rose from before to after
SKIPS_BEFORE = 0.1  # share of those asked before who skipped the question
STARTS = 0.85  # share of learners who complete the first lesson
CONTINUES = 0.9  # share who go on from one lesson to the next


class Command(BaseCommand):
    help = "Seed synthetic learners with progress, poll responses and knowledge-check attempts."

    def add_arguments(self, parser):
        parser.add_argument("learners", type=int, nargs="?", default=0)
        parser.add_argument("--activity", help="Activity slug (default: the only activity).")
        parser.add_argument(
            "--responses", type=int, help="Poll responses per poll (default: 80%% of learners)."
        )
        parser.add_argument(
            "--attempts", type=int, help="Knowledge-check attempts (default: 30%% of learners)."
        )
        parser.add_argument(
            "--before",
            type=float,
            default=0.7,
            help="Share of poll respondents also asked before the lessons (default 0.7).",
        )
        parser.add_argument("--seed", type=int, default=2025, help="Random seed.")
        parser.add_argument("--delete", action="store_true", help="Delete synthetic learners.")

    def handle(
        self, *args, learners, activity, responses, attempts, before, seed, delete, **options
    ):
        if delete:
            count = delete_synthetic_learners()
            for each in Activity.objects.all():  # deleted without a signal: count afresh
                rebuild(each)
            self.stdout.write(f"Deleted {count} synthetic learners and their data.")
            return
        if learners <= 0:
            raise CommandError("Give the number of learners to seed, e.g. seed_learners 1000.")
        activity = self.get_activity(activity)
        responses = round(0.8 * learners) if responses is None else responses
        attempts = round(0.3 * learners) if attempts is None else attempts
        if not 0 <= responses <= learners:
            raise CommandError("--responses must be between 0 and the number of learners.")
        if attempts < 0:
            raise CommandError("--attempts cannot be negative.")
        if not 0 <= before <= 1:
            raise CommandError("--before must be a share between 0 and 1.")
        with transaction.atomic():
            seeder = Seeder(activity, random.Random(seed))
            summary = seeder.run(learners, responses, attempts, before)
            # Bulk loading sends no signal: count the results afresh.
            rebuild(activity)
        rows_written([User, LessonCompletion, PollResponse, Attempt, Answer, ActivityCompletion])
        self.stdout.write(self.style.SUCCESS(summary))

    def get_activity(self, slug):
        activities = Activity.objects.all()
        if slug:
            activities = activities.filter(slug=slug)
        found = list(activities[:2])
        if len(found) != 1:
            raise CommandError("Name the activity with --activity SLUG (load the fixtures first).")
        return found[0]


def delete_synthetic_learners():
    """Delete every synthetic learner and every row that refers to them, table by table."""
    with transaction.atomic():
        synthetic = User.objects.filter(is_synthetic=True)
        count = synthetic.count()
        deleted = delete_with_dependents(synthetic)
    rows_written(deleted)
    return count


def rows_written(models):
    """Say that rows of `models` were written in bulk, as a bulk update does.

    Rows loaded or deleted table by table send no signal each, as Django's save and delete do
    (nor load every row to send them). Of what the listeners do, what matters here: the page
    cache starts a new shared version (the poll's tally on Your Thoughts has changed), which
    `rows_updated` asks of it. The rest concerns no one: the page versions counted up for each
    learner are those of synthetic learners, who have no pages (they cannot log in, so they have
    no session either); xAPI statements and LMS scores are for people, not synthetic learners.
    """
    for model in models:
        rows_updated.send(sender=model)


class Seeder:
    def __init__(self, activity, rng):
        self.activity = activity
        self.rng = rng
        self.lessons = list(activity.lessons.order_by("order").values_list("pk", flat=True))
        self.polls = list(Poll.objects.for_activity(activity).prefetch_related("options"))
        self.questions = list(Question.objects.for_activity(activity).prefetch_related("choices"))
        start = datetime.combine(
            activity.released_on, time(8), tzinfo=timezone.get_current_timezone()
        )
        self.start = start
        self.now = timezone.now()
        self.span = max((self.now - start).total_seconds(), 3600)

    def moment(self):
        return self.start + timedelta(seconds=self.rng.uniform(0, self.span))

    def run(self, count, responses, attempts, before=0.7):
        users = self.make_users(count)
        completed = self.complete_lessons(users)
        self.answer_polls(users, responses, before)
        passed = self.take_attempts(completed, attempts)
        activity = self.activity
        insert_rows(
            ActivityCompletion,
            [
                "learner_id",
                "activity_id",
                "attempt_id",
                "completed_at",
                "certificate_number",
                "name",
                "profession",
                "activity_title",
                "released_on",
                "expires_on",
            ],
            (
                (
                    user_id,
                    activity.pk,
                    attempt_id,
                    at,
                    new_certificate_number(),
                    self.names[user_id],
                    self.professions[user_id],
                    activity.title,
                    activity.released_on,
                    activity.expires_on,
                )
                for user_id, (attempt_id, at) in passed.items()
            ),
        )
        return (
            f"Seeded {count} synthetic learners: {len(completed)} completed every lesson, "
            f"{responses} answered each poll, {attempts} knowledge-check attempts, "
            f"{len(passed)} completed the activity."
        )

    def make_users(self, count):
        offset = User.objects.filter(is_synthetic=True).count()
        password = make_password(None)
        professions = self.rng.choices(
            list(PROFESSION_WEIGHTS), weights=list(PROFESSION_WEIGHTS.values()), k=count
        )
        ids = reserve_ids(User, count)
        self.professions = dict(zip(ids, professions, strict=True))
        self.names = {pk: f"Synthetic Learner {offset + n}" for n, pk in enumerate(ids)}
        insert_rows(
            User,
            [
                "id",
                "email",
                "full_name",
                "profession",
                "password",
                "is_synthetic",
                "date_joined",
                "is_superuser",
                "is_staff",
                "is_active",
                "page_version",
                "session_version",
            ],
            (
                (
                    pk,
                    f"synthetic-{offset + n}@example.invalid",
                    self.names[pk],
                    professions[n],
                    password,
                    True,
                    self.moment(),
                    False,
                    False,
                    True,
                    0,
                    0,
                )
                for n, pk in enumerate(ids)
            ),
        )
        return list(ids)

    def complete_lessons(self, users):
        """Learners drop off along the lessons; returns those who completed every one."""
        completed = []

        def rows():
            for user_id in users:
                if self.rng.random() > STARTS:
                    continue
                for position, lesson_id in enumerate(self.lessons):
                    if position and self.rng.random() > CONTINUES:
                        break
                    yield user_id, lesson_id, self.moment()
                else:
                    completed.append(user_id)

        insert_rows(LessonCompletion, ["learner_id", "lesson_id", "completed_at"], rows())
        return completed

    def answer_polls(self, users, count, before_share):
        """Each poll answered at Your Thoughts by `count` learners; for polls also asked before
        the lessons, a share of them answered before too (most a little less confident then)
        and a few skipped it. Stored oldest first, as answers arriving one by one are."""
        for poll in self.polls:
            options = {option.value: option for option in poll.options.all()}
            chosen = self.rng.sample(users, count)
            weights = CONFIDENCE_WEIGHTS[: len(options)]
            picks = self.rng.choices(list(options.values()), weights=weights, k=count)
            rows = []
            for user_id, option in zip(chosen, picks, strict=True):
                answered = self.moment()
                before = self.answer_before(poll, options, option, before_share)
                profession = self.professions[user_id]
                if before is not False:
                    earlier = answered - timedelta(hours=self.rng.uniform(1, 48))
                    before_id = before.pk if before else None
                    rows.append((earlier, user_id, before_id, Moment.BEFORE, None, profession))
                before_id = before.pk if before else None
                rows.append((answered, user_id, option.pk, Moment.AFTER, before_id, profession))
            rows.sort(key=lambda row: row[0])
            insert_rows(
                PollResponse,
                [
                    "created_at",
                    "learner_id",
                    "option_id",
                    "moment",
                    "before_option_id",
                    "profession",
                    "poll_id",
                ],
                ((*row, poll.pk) for row in rows),
            )

    def answer_before(self, poll, options, after, share):
        """The option answered before the lessons, None for a skip, False if not asked."""
        if not poll.asked_before or self.rng.random() >= share:
            return False
        if self.rng.random() < SKIPS_BEFORE:
            return None
        shift = self.rng.choices(list(CHANGE_WEIGHTS), list(CHANGE_WEIGHTS.values()))[0]
        return options[min(max(after.value - shift, 1), len(options))]

    def take_attempts(self, completed, count):
        """Attempts by learners who finished the lessons, a few retaking, stored in the order
        they were submitted; returns the first passing attempt of each learner who passed, as
        {user id: (attempt id, time)}."""
        if not self.questions or not completed or not count:
            return {}
        keys = []
        for question in self.questions:
            choices = list(question.choices.all())
            right = next(c for c in choices if c.is_correct)
            keys.append((question.pk, right, [c for c in choices if not c.is_correct]))
        total = len(keys)
        takers = [self.rng.choice(completed) for _ in range(count)]
        numbers, last, attempts = {}, {}, []
        for user_id in takers:
            numbers[user_id] = numbers.get(user_id, 0) + 1
            skill = 0.7 if numbers[user_id] == 1 else 0.82
            chosen = [
                right if self.rng.random() < skill else self.rng.choice(wrong)
                for _, right, wrong in keys
            ]
            submitted = self.moment()
            if user_id in last:  # a retake comes after the attempt before it
                later = last[user_id] + timedelta(hours=self.rng.uniform(1, 72))
                submitted = min(later, self.now)
            last[user_id] = submitted
            attempts.append(
                SeededAttempt(
                    submitted=submitted,
                    learner_id=user_id,
                    number=numbers[user_id],
                    started=submitted - timedelta(minutes=self.rng.randint(3, 20)),
                    score=sum(c.is_correct for c in chosen),
                    shuffle_seed=self.rng.randrange(2**31),
                    chosen=chosen,
                )
            )
        attempts.sort(key=lambda attempt: attempt.submitted)  # a retake stays after the one before
        ids = reserve_ids(Attempt, len(attempts))
        activity = self.activity
        insert_rows(
            Attempt,
            [
                "id",
                "learner_id",
                "activity_id",
                "number",
                "started_at",
                "submitted_at",
                "score",
                "total",
                "passed",
                "shuffle_seed",
            ],
            (
                (
                    pk,
                    a.learner_id,
                    activity.pk,
                    a.number,
                    a.started,
                    a.submitted,
                    a.score,
                    total,
                    activity.passes(a.score, total),
                    a.shuffle_seed,
                )
                for pk, a in zip(ids, attempts, strict=True)
            ),
        )
        insert_rows(
            Answer,
            ["attempt_id", "question_id", "choice_id", "is_correct"],
            (
                (pk, question_id, choice.pk, choice.is_correct)
                for pk, attempt in zip(ids, attempts, strict=True)
                for (question_id, _, _), choice in zip(keys, attempt.chosen, strict=True)
            ),
        )
        passed = {}
        for pk, attempt in zip(ids, attempts, strict=True):
            if attempt.learner_id not in passed and activity.passes(attempt.score, total):
                passed[attempt.learner_id] = (pk, attempt.submitted)
        return passed


class SeededAttempt(NamedTuple):
    submitted: datetime
    learner_id: int
    number: int
    started: datetime
    score: int
    shuffle_seed: int
    chosen: list  # the choice picked for each question, in the questions' order
