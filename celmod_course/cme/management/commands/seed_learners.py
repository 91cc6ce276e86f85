"""Seed synthetic learners with plausible progress, poll responses and attempts.

For demos and the benchmark. Every account it makes is marked synthetic (User.is_synthetic),
named "Synthetic Learner N" with an @example.invalid address and no usable password;
`--delete` removes them all again.
"""

import random
from datetime import datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from celmod_course.accounts.models import Profession, User
from celmod_course.cme.models import ActivityCompletion
from celmod_course.cme.tallies import rebuild
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
BATCH = 2000


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
            count, _ = User.objects.filter(is_synthetic=True).delete()
            self.stdout.write(f"Deleted synthetic learners and their data ({count} rows).")
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
            # Bulk creation sends no signal: count the results afresh.
            rebuild(activity)
        self.stdout.write(self.style.SUCCESS(summary))

    def get_activity(self, slug):
        activities = Activity.objects.all()
        if slug:
            activities = activities.filter(slug=slug)
        found = list(activities[:2])
        if len(found) != 1:
            raise CommandError("Name the activity with --activity SLUG (load the fixtures first).")
        return found[0]


class Seeder:
    def __init__(self, activity, rng):
        self.activity = activity
        self.rng = rng
        self.lessons = list(activity.lessons.order_by("order"))
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
        ActivityCompletion.objects.bulk_create(
            (
                ActivityCompletion(
                    learner_id=user_id,
                    activity=self.activity,
                    attempt_id=attempt_id,
                    completed_at=at,
                    name=self.names[user_id],
                    profession=self.professions[user_id],
                    activity_title=self.activity.title,
                    released_on=self.activity.released_on,
                    expires_on=self.activity.expires_on,
                )
                for user_id, (attempt_id, at) in passed.items()
            ),
            batch_size=BATCH,
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
        User.objects.bulk_create(
            (
                User(
                    email=f"synthetic-{offset + n}@example.invalid",
                    full_name=f"Synthetic Learner {offset + n}",
                    profession=professions[n],
                    password=password,
                    is_synthetic=True,
                    date_joined=self.moment(),
                )
                for n in range(count)
            ),
            batch_size=BATCH,
        )
        made = User.objects.filter(is_synthetic=True).order_by("pk")
        made = list(made.values_list("pk", "profession", "full_name"))[offset:]
        self.professions = {pk: profession for pk, profession, _ in made}
        self.names = {pk: name for pk, _, name in made}
        return list(self.professions)

    def complete_lessons(self, users):
        """Learners drop off along the lessons; returns those who completed every one."""
        rows, completed = [], []
        for user_id in users:
            if self.rng.random() > STARTS:
                continue
            for position, lesson in enumerate(self.lessons):
                if position and self.rng.random() > CONTINUES:
                    break
                rows.append(
                    LessonCompletion(learner_id=user_id, lesson=lesson, completed_at=self.moment())
                )
            else:
                completed.append(user_id)
        LessonCompletion.objects.bulk_create(rows, batch_size=BATCH)
        return completed

    def answer_polls(self, users, count, before_share):
        """Each poll answered at Your Thoughts by `count` learners; for polls also asked before
        the lessons, a share of them answered before too (most a little less confident then)
        and a few skipped it."""
        for poll in self.polls:
            options = {option.value: option for option in poll.options.all()}
            chosen = self.rng.sample(users, count)
            weights = CONFIDENCE_WEIGHTS[: len(options)]
            picks = self.rng.choices(list(options.values()), weights=weights, k=count)
            rows = []
            for user_id, option in zip(chosen, picks, strict=True):
                answered = self.moment()
                before = self.answer_before(poll, options, option, before_share)
                if before is not False:
                    earlier = answered - timedelta(hours=self.rng.uniform(1, 48))
                    rows.append(self.response(user_id, poll, before, Moment.BEFORE, earlier))
                after = self.response(user_id, poll, option, Moment.AFTER, answered)
                after.before_option = before or None
                rows.append(after)
            PollResponse.objects.bulk_create(rows, batch_size=BATCH)

    def answer_before(self, poll, options, after, share):
        """The option answered before the lessons, None for a skip, False if not asked."""
        if not poll.asked_before or self.rng.random() >= share:
            return False
        if self.rng.random() < SKIPS_BEFORE:
            return None
        shift = self.rng.choices(list(CHANGE_WEIGHTS), list(CHANGE_WEIGHTS.values()))[0]
        return options[min(max(after.value - shift, 1), len(options))]

    def response(self, user_id, poll, option, moment, when):
        return PollResponse(
            learner_id=user_id,
            poll=poll,
            option=option,
            moment=moment,
            profession=self.professions[user_id],
            created_at=when,
        )

    def take_attempts(self, completed, count):
        """Attempts by learners who finished the lessons, a few retaking; returns the first
        passing attempt of each learner who passed, as {user id: (attempt id, time)}."""
        if not self.questions or not completed or not count:
            return {}
        takers = [self.rng.choice(completed) for _ in range(count)]
        numbers, last, attempts, picks = {}, {}, [], []
        for user_id in takers:
            numbers[user_id] = numbers.get(user_id, 0) + 1
            skill = 0.7 if numbers[user_id] == 1 else 0.82
            chosen = []
            for question in self.questions:
                choices = list(question.choices.all())
                right = next(c for c in choices if c.is_correct)
                wrong = [c for c in choices if not c.is_correct]
                chosen.append(right if self.rng.random() < skill else self.rng.choice(wrong))
            score = sum(c.is_correct for c in chosen)
            submitted = self.moment()
            if user_id in last:  # a retake comes after the attempt before it
                later = last[user_id] + timedelta(hours=self.rng.uniform(1, 72))
                submitted = min(later, self.now)
            last[user_id] = submitted
            attempts.append(
                Attempt(
                    learner_id=user_id,
                    activity=self.activity,
                    number=numbers[user_id],
                    started_at=submitted - timedelta(minutes=self.rng.randint(3, 20)),
                    submitted_at=submitted,
                    score=score,
                    total=len(self.questions),
                    passed=self.activity.passes(score, len(self.questions)),
                    shuffle_seed=self.rng.randrange(2**31),
                )
            )
            picks.append(chosen)
        Attempt.objects.bulk_create(attempts, batch_size=BATCH)
        by_key = {
            (learner_id, number): pk
            for pk, learner_id, number in Attempt.objects.filter(
                learner_id__in=set(takers), activity=self.activity
            ).values_list("pk", "learner_id", "number")
        }
        Answer.objects.bulk_create(
            (
                Answer(
                    attempt_id=by_key[attempt.learner_id, attempt.number],
                    question=question,
                    choice=choice,
                    is_correct=choice.is_correct,
                )
                for attempt, chosen in zip(attempts, picks, strict=True)
                for question, choice in zip(self.questions, chosen, strict=True)
            ),
            batch_size=BATCH,
        )
        passed = {}
        for attempt in attempts:
            if attempt.passed and attempt.learner_id not in passed:
                passed[attempt.learner_id] = (
                    by_key[attempt.learner_id, attempt.number],
                    attempt.submitted_at,
                )
        return passed
