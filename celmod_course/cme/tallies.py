"""An activity's results counted as learners' records arrive, so that the results page and Your
Thoughts' tally read a few hundred kept numbers (`ResultCount`) instead of every answer ever
given.

One definition makes every figure: `share(activity, learner)`, what learners' records add up to
(staff left out), by grouped queries, part by part (`PARTS`). Over every learner it is the full
recount (`recount`); over one learner, that learner's share. The kept figures change only by a
difference of it, in the transaction that changes the records: the learner's share of the part
after the change, minus their share without the new rows. Records are append-only, so what
changes a share is one of these, and each has its receiver here:

- a record is created (`post_save`; `rows_created` for the knowledge check's and the
  evaluation's answers, made in bulk);
- a certificate is revoked (a `CertificateCorrection`): its claim leaves the credit totals;
- an account becomes staff, or stops being staff: its whole share leaves or joins;
- an account is deleted outright, its records with it: its whole share leaves, before they go;
- an account is made (one more learner signed up), or an activity (counted from scratch);
- a service updates records (closing an account blanks its written answers): `changing()`.

So the kept figures equal a full recount at every commit; `manage.py recount_results --check`
compares the two, and `recount_results` rebuilds them (after a bulk load that bypasses the
receivers, such as `seed_learners`). Comments are counted live: they are few, and an index
answers.
"""

from collections import Counter
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, IntegerField, Q, Sum
from django.db.models.functions import Cast
from django.db.models.signals import post_save, pre_delete, pre_save

from celmod_course.accounts.models import Profession, learners_only
from celmod_course.signals import rows_created
from lessons.models import Activity, LessonCompletion
from quiz.models import Answer, Attempt, Moment, PollOption, PollResponse, Tally

from .models import (
    ActivityCompletion,
    CertificateCorrection,
    Correction,
    CreditClaim,
    Evaluation,
    EvaluationAnswer,
    ResultCount,
)


class _Scope:
    """Which rows a share counts: learners' (never staff's), of one learner or of all, leaving
    out the rows in `without` ({model: primary keys})."""

    def __init__(self, learner_id=None, without=None):
        self.learner_id = learner_id
        self.without = without or {}

    def rows(self, queryset, learner_field):
        rows = queryset.filter(learners_only(learner_field))
        if self.learner_id is not None:
            rows = rows.filter(**{learner_field: self.learner_id})
        if left_out := self.without.get(queryset.model):
            rows = rows.exclude(pk__in=left_out)
        return rows


def _accounts(activity, scope):
    """The learners signed up on the site: the funnel's first stage, the same for every
    activity."""
    return Counter({"signed-up": scope.rows(get_user_model().objects.all(), "pk").count()})


def _polls(activity, scope):
    """Per poll, the answers at Your Thoughts by profession and option (the tally), and those
    that keep an answer before the lessons by profession, option before and option after (the
    pairs of the outcomes)."""
    counts = Counter()
    rows = scope.rows(
        PollResponse.objects.filter(poll__activity=activity, moment=Moment.AFTER), "learner"
    )
    grouped = rows.values_list("poll_id", "profession", "option_id", "before_option_id")
    for poll, profession, option, before, n in grouped.annotate(n=Count("pk")).order_by():
        counts[f"poll:{poll}:{profession}:{option}"] += n
        if before is not None:
            counts[f"pair:{poll}:{profession}:{before}:{option}"] += n
    return counts


def _lessons(activity, scope):
    """Completions per lesson, and the learners who completed at least one (started)."""
    rows = scope.rows(LessonCompletion.objects.filter(lesson__activity=activity), "learner")
    per_lesson = rows.values_list("lesson_id").annotate(n=Count("pk")).order_by()
    counts = Counter({f"lesson:{lesson}": n for lesson, n in per_lesson})
    counts["started"] = rows.aggregate(n=Count("learner", distinct=True))["n"]
    return counts


def _completions(activity, scope):
    rows = scope.rows(ActivityCompletion.objects.filter(activity=activity), "learner")
    return Counter(completed=rows.count())


def _attempts(activity, scope):
    """The attempts in sum: how many, by how many learners, how many learners passed; the
    points scored per number of questions (for the mean score); and the first attempts' scores."""
    rows = scope.rows(Attempt.objects.filter(activity=activity), "learner")
    counts = Counter(
        {
            f"attempts:{name}": n
            for name, n in rows.aggregate(
                all=Count("pk"),
                learners=Count("learner", distinct=True),
                passed=Count("learner", filter=Q(passed=True), distinct=True),
            ).items()
        }
    )
    points = Sum(Cast("score", IntegerField()))
    for total, n, scored in rows.values_list("total").annotate(n=Count("pk"), scored=points):
        counts[f"attempts-of:{total}"] += n
        counts[f"points-of:{total}"] += scored
    for score, n in rows.filter(number=1).values_list("score").annotate(n=Count("pk")).order_by():
        counts[f"first-score:{score}"] += n
    return counts


def _items(activity, scope):
    """Per question, from first attempts: how many answered it and answered it correctly, and
    the sums of the attempts' scores that the discrimination needs; per choice, how often it
    was picked."""
    attempts = scope.rows(Attempt.objects.filter(activity=activity, number=1), "learner")
    rows = scope.rows(Answer.objects.filter(attempt__in=attempts), "attempt__learner")
    # A smallint squared could overflow on PostgreSQL: square it as an integer.
    score = Cast("attempt__score", IntegerField())
    right = Q(is_correct=True)
    counts = Counter()
    sums = rows.values_list("question_id").annotate(
        answered=Count("pk"),
        correct=Count("pk", filter=right),
        total=Sum(score),
        total_correct=Sum(score, filter=right, default=0),
        squares=Sum(score * score),
    )
    names = ["answered", "correct", "total", "total_correct", "squares"]
    for question, *figures in sums.order_by():
        for name, figure in zip(names, figures, strict=True):
            counts[f"item:{question}:{name}"] += figure
    for choice, n in rows.values_list("choice_id").annotate(n=Count("pk")).order_by():
        counts[f"pick:{choice}"] += n
    return counts


def _evaluations(activity, scope):
    """The evaluations, and per question how many chose each point (or yes: 1, no: 0)."""
    evaluations = scope.rows(
        Evaluation.objects.filter(completion__activity=activity), "completion__learner"
    )
    counts = Counter(evaluations=evaluations.count())
    answers = scope.rows(
        EvaluationAnswer.objects.filter(evaluation__in=evaluations),
        "evaluation__completion__learner",
    )
    grouped = answers.values_list("question_id", "value", "yes").annotate(
        n=Count("pk"), written=Count("pk", filter=~Q(text=""))
    )
    for question, value, yes, n, written in grouped.order_by():
        counts[f"evaluation:{question}:{value if yes is None else int(yes)}"] += n
        counts[f"evaluation:{question}:written"] += written
    return counts


def _credit(activity, scope):
    """Claims and the credit claimed (in hundredths) per credit type, as issued; a claim leaves
    them when its certificate is revoked."""
    revoked = scope.rows(
        CertificateCorrection.objects.filter(kind=Correction.REVOKE), "completion__learner"
    )
    claims = scope.rows(
        CreditClaim.objects.filter(designation__activity=activity),
        "evaluation__completion__learner",
    ).exclude(evaluation__completion__in=revoked.values("completion"))
    counts = Counter()
    grouped = claims.values_list("credit_type").annotate(n=Count("pk"), amount=Sum("amount"))
    for credit_type, n, amount in grouped.order_by():
        counts[f"credit:{credit_type}:claims"] += n
        counts[f"credit:{credit_type}:hundredths"] += int(amount * 100)
    return counts


PARTS = {
    "accounts": _accounts,
    "polls": _polls,
    "lessons": _lessons,
    "completions": _completions,
    "attempts": _attempts,
    "items": _items,
    "evaluations": _evaluations,
    "credit": _credit,
}


def share(activity, learner_id=None, parts=PARTS, without=None):
    """What learners' records add to the activity's figures: one learner's, or everyone's."""
    scope = _Scope(learner_id, without)
    counts = Counter()
    for part in parts:
        counts.update(PARTS[part](activity, scope))
    return counts


def recount(activity):
    """Every figure of the activity, counted afresh from every record."""
    return +share(activity)


def kept(activity):
    """The figures as kept: {key: value}, zeros left out."""
    rows = ResultCount.objects.filter(activity=activity).exclude(value=0)
    return Counter(dict(rows.values_list("key", "value")))


def poll_tallies(polls, counts=None):
    """{poll id: Tally} for polls of one activity: learners' answers at Your Thoughts per option
    and profession, from the kept `counts` (read here, the tally's keys only, when not given).
    Every page that shows how a poll was answered, the learners' and the staff's, reads this."""
    tallies = {poll.pk: Tally(poll=poll, rows=[]) for poll in polls}
    if not polls:
        return tallies
    if counts is None:
        rows = ResultCount.objects.filter(activity_id=polls[0].activity_id, key__startswith="poll:")
        counts = Counter(dict(rows.values_list("key", "value")))
    for option in PollOption.objects.filter(poll__in=polls).order_by("poll_id", "order"):
        tally = tallies[option.poll_id]
        tally.rows.append(option)
        for profession in Profession.values:
            tally.split[profession, option.pk] = counts[
                f"poll:{option.poll_id}:{profession}:{option.pk}"
            ]
    return tallies


def _add(activity_id, difference):
    """Add `difference` ({key: change}) to the kept figures in one statement, making the rows
    that are missing. Keys in order, so that concurrent writers lock rows in one order and
    never wait on each other in a circle. (Django's `bulk_create(update_conflicts=True)` sets a
    value where this adds to it; both engines know this form.)"""
    difference = [(key, n) for key, n in sorted(difference.items()) if n]
    if not difference:
        return
    table, activity, key, value = map(
        connection.ops.quote_name, [ResultCount._meta.db_table, "activity_id", "key", "value"]
    )
    rows = ", ".join(["(%s, %s, %s)"] * len(difference))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({activity}, {key}, {value}) VALUES {rows} "
            f"ON CONFLICT ({activity}, {key}) "
            f"DO UPDATE SET {value} = {table}.{value} + excluded.{value}",
            [field for name, n in difference for field in (activity_id, name, n)],
        )


def rebuild(activity):
    """Replace the activity's kept figures by a full recount (after a bulk load, say)."""
    with transaction.atomic():
        ResultCount.objects.filter(activity=activity).delete()
        ResultCount.objects.bulk_create(
            ResultCount(activity=activity, key=key, value=n)
            for key, n in sorted(recount(activity).items())
        )


def _changed(activity_id, learner_id, part, without):
    """The learner's records of one part changed by the rows in `without`: add the difference."""
    activity = Activity(pk=activity_id)
    after = share(activity, learner_id, [part])
    before = share(activity, learner_id, [part], without)
    after.subtract(before)
    _add(activity_id, after)


# Each record that counts: its part, and how to reach its learner and activity.
RECORDS = {
    PollResponse: ("polls", lambda r: (r.learner_id, r.poll.activity_id)),
    LessonCompletion: ("lessons", lambda r: (r.learner_id, r.lesson.activity_id)),
    ActivityCompletion: ("completions", lambda r: (r.learner_id, r.activity_id)),
    Attempt: ("attempts", lambda r: (r.learner_id, r.activity_id)),
    Answer: ("items", lambda r: (r.attempt.learner_id, r.attempt.activity_id)),
    Evaluation: ("evaluations", lambda r: (r.completion.learner_id, r.completion.activity_id)),
    EvaluationAnswer: (
        "evaluations",
        lambda r: (r.evaluation.completion.learner_id, r.evaluation.completion.activity_id),
    ),
    CreditClaim: (
        "credit",
        lambda r: (r.evaluation.completion.learner_id, r.evaluation.completion.activity_id),
    ),
    CertificateCorrection: (
        "credit",
        lambda r: (r.completion.learner_id, r.completion.activity_id),
    ),
}


def records_created(sender, rows, **kwargs):
    part, owner = RECORDS[sender]
    made = {}
    for row in rows:
        made.setdefault(owner(row), []).append(row.pk)
    for (learner_id, activity_id), pks in made.items():
        _changed(activity_id, learner_id, part, {sender: pks})


def record_saved(sender, instance, created, raw=False, **kwargs):
    # `loaddata` (raw) loads rows in any order: run `recount_results` after loading records.
    if created and not raw:
        records_created(sender, [instance])


def _whole_share(user_id, sign):
    for activity in Activity.objects.all():
        counts = share(activity, user_id)
        _add(activity.pk, {key: sign * n for key, n in counts.items()})


@contextmanager
def changing(learner_id, parts):
    """Around an update of a learner's records, which no receiver sees (a creation needs none):
    their share of `parts` before, in every activity, and the difference after."""
    activities = list(Activity.objects.all())
    before = {activity.pk: share(activity, learner_id, parts) for activity in activities}
    yield
    for activity in activities:
        after = share(activity, learner_id, parts)
        after.subtract(before[activity.pk])
        _add(activity.pk, after)


def account_saved(sender, instance, created, **kwargs):
    """A new account: one more learner signed up, in every activity's funnel."""
    if created:
        for activity in Activity.objects.all():
            _changed(activity.pk, instance.pk, "accounts", {sender: [instance.pk]})


def activity_saved(sender, instance, created, **kwargs):
    """A new activity starts with the learners already signed up."""
    if created:
        rebuild(instance)


def staff_flag_saving(sender, instance, update_fields=None, **kwargs):
    """An account becoming staff: its share leaves, while the database still counts it in."""
    if instance.pk is None or (update_fields is not None and "is_staff" not in update_fields):
        return
    was_staff = sender.objects.filter(pk=instance.pk).values_list("is_staff", flat=True).first()
    instance._staff_changed = was_staff is not None and was_staff != instance.is_staff
    if instance._staff_changed and instance.is_staff:
        _whole_share(instance.pk, -1)


def staff_flag_saved(sender, instance, **kwargs):
    """An account no longer staff: its share joins, now that the database counts it in."""
    if getattr(instance, "_staff_changed", False) and not instance.is_staff:
        _whole_share(instance.pk, +1)
    instance._staff_changed = False


def account_deleting(sender, instance, **kwargs):
    """An account deleted outright takes its records with it: its share leaves first."""
    _whole_share(instance.pk, -1)


def connect():
    """Wire the receivers (once, from the app's `ready()`)."""
    for model in RECORDS:
        uid = f"tallies-{model._meta.label}"
        post_save.connect(record_saved, sender=model, dispatch_uid=f"{uid}-saved")
        rows_created.connect(records_created, sender=model, dispatch_uid=f"{uid}-created")
    user = get_user_model()
    pre_save.connect(staff_flag_saving, sender=user, dispatch_uid="tallies-staff-saving")
    post_save.connect(staff_flag_saved, sender=user, dispatch_uid="tallies-staff-saved")
    post_save.connect(account_saved, sender=user, dispatch_uid="tallies-account-saved")
    pre_delete.connect(account_deleting, sender=user, dispatch_uid="tallies-account-deleting")
    post_save.connect(activity_saved, sender=Activity, dispatch_uid="tallies-activity-saved")
