"""The CSV files staff download from an activity's results page (`EXPORTS`).

Each streams in constant memory, however many rows: the rows come from the database as plain
values in chunks (a server-side cursor on PostgreSQL), in the order of an index, and what
repeats from row to row (a question's text, a choice, a poll's option, a profession's label) is
looked up once per file rather than joined on every row. Learners are named by their
`pseudonym`, never by name or email. Staff accounts are left out: their test runs are not
results.
"""

from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby, islice
from operator import itemgetter

from django.db.models import CharField, Func, OuterRef, Subquery
from django.utils import timezone
from django.utils.crypto import salted_hmac

from celmod_course.accounts.models import Profession, learners_only
from quiz.models import Answer, Attempt, Choice, Moment, Poll, PollOption, PollResponse, Question

from .models import CertificateCorrection, Correction, CreditClaim, amount_text

CHUNK = 10_000  # rows fetched from the database at a time


def issued_claims(activity):
    """Learners' credit claims for the activity, as issued: not staff's test claims, nor those
    whose certificate was revoked."""
    revoked = CertificateCorrection.objects.filter(kind=Correction.REVOKE).values("completion")
    return CreditClaim.objects.filter(
        learners_only("evaluation__completion__learner"), designation__activity=activity
    ).exclude(evaluation__completion__in=revoked)


def paired_answers(poll):
    """The learners' answers at Your Thoughts that keep an answer before the first lesson (the
    same learner's, in `before_option`); staff left out."""
    return PollResponse.objects.filter(
        learners_only(), poll=poll, moment=Moment.AFTER, before_option__isnull=False
    )


def pseudonyms():
    """A function from a user id to the learner's pseudonym: a stable id, the same in every
    file (and in xAPI statements), not derivable from the user id without the server's
    SECRET_KEY. The keyed hash is set up once, not once per row of a file of millions."""
    # The salt keeps the name of the module it was first written in: a new one would give every
    # learner a new pseudonym, unlike those in files already downloaded and statements sent.
    keyed = salted_hmac("celmod_course.results.pseudonym", "")

    def pseudonym_of(user_id):
        hashed = keyed.copy()
        hashed.update(str(user_id).encode())
        return hashed.hexdigest()[:16]

    return pseudonym_of


def pseudonym(user_id):
    """One learner's pseudonym (see `pseudonyms`)."""
    return pseudonyms()(user_id)


class IsoTime(Func):
    """A time as `datetime.isoformat()` writes it in UTC, "2026-03-02T09:00:00.250000+00:00"
    (without the microseconds when they are 0), written by the database: to read a million
    times into Python only to write them out again costs more than the rest of their rows.
    SQLite holds Django's text of the time in UTC, "2026-03-02 09:00:00.250000"."""

    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        template = "REPLACE(%(expressions)s, ' ', 'T') || '+00:00'"
        return self.as_sql(compiler, connection, template=template, **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        utc = "(%(expressions)s AT TIME ZONE 'UTC')"
        microseconds = f"CASE WHEN date_trunc('second', {utc}) = {utc} THEN ''"
        microseconds += f" ELSE to_char({utc}, '.US') END"
        template = f"""to_char({utc}, 'YYYY-MM-DD"T"HH24:MI:SS') || {microseconds} || '+00:00'"""
        return self.as_sql(compiler, connection, template=template, **extra_context)


POLL_CSV_HEADER = ["learner", "profession", "poll", "moment", "option", "value", "answered_at"]


def poll_csv_rows(activity):
    """One row per poll answer (skips left out), in the order they were recorded, which is the
    order they were given; `moment` says whether it was given before the first lesson or at Your
    Thoughts."""
    labels = dict(Profession.choices)
    learner = pseudonyms()
    polls = dict(Poll.objects.filter(activity=activity).values_list("pk", "slug"))
    options = {
        pk: (text, value)
        for pk, text, value in PollOption.objects.filter(poll__in=polls).values_list(
            "pk", "text", "value"
        )
    }
    rows = (
        PollResponse.objects.answered()
        .filter(learners_only(), poll__in=polls)
        .order_by("pk")
        .values_list("learner_id", "profession", "poll_id", "moment", "option_id")
        .annotate(answered_at=IsoTime("created_at"))
    )
    for user_id, profession, poll_id, moment, option_id, when in rows.iterator(chunk_size=CHUNK):
        text, value = options[option_id]
        yield (
            learner(user_id),
            labels[profession],
            polls[poll_id],
            moment,
            text,
            value,
            when,
        )


ANSWERS_CSV_HEADER = [
    "learner",
    "profession",
    "attempt",
    "question",
    "question_text",
    "choice",
    "correct",
    "submitted_at",
]


def answers_csv_rows(activity):
    """One row per knowledge-check answer: attempt by attempt in the order they were recorded,
    which is the order they were submitted, each attempt's answers in the questions' order."""
    labels = dict(Profession.choices)
    learner = pseudonyms()
    questions = {
        pk: (order, prompt)
        for pk, order, prompt in Question.objects.filter(activity=activity).values_list(
            "pk", "order", "prompt"
        )
    }
    choices = dict(Choice.objects.filter(question__in=questions).values_list("pk", "text"))
    answers = (
        Answer.objects.filter(learners_only("attempt__learner"), attempt__activity=activity)
        .order_by("attempt_id", "question_id")
        .values_list("attempt_id", "question_id", "choice_id", "is_correct")
    )
    by_attempt = (
        (attempt_id, list(rows))
        for attempt_id, rows in groupby(answers.iterator(chunk_size=CHUNK), key=itemgetter(0))
    )
    # What an attempt's answers share (its learner, number and time) is read once per attempt,
    # for a batch of attempts at a time: read on each answer, the time alone would cost more
    # than the rest of the row.
    while batch := list(islice(by_attempt, CHUNK // 10)):
        attempts = Attempt.objects.filter(pk__in=[attempt_id for attempt_id, _ in batch])
        shared = {
            pk: (learner(user_id), labels[profession], number, when.isoformat())
            for pk, user_id, profession, number, when in attempts.values_list(
                "pk", "learner_id", "learner__profession", "number", "submitted_at"
            )
        }
        for attempt_id, rows in batch:
            learner_id, profession, number, submitted = shared[attempt_id]
            for _, question_id, choice_id, correct in sorted(
                rows, key=lambda row: questions[row[1]]
            ):
                yield (
                    learner_id,
                    profession,
                    number,
                    *questions[question_id],
                    choices[choice_id],
                    "yes" if correct else "no",
                    submitted,
                )


PAIRED_CSV_HEADER = ["learner", "profession", "poll", "before", "after"]


def paired_csv_rows(activity):
    """One row per learner and poll asked before: their answer before and at Your Thoughts."""
    labels = dict(Profession.choices)
    learner = pseudonyms()
    for poll in Poll.objects.for_activity(activity).filter(asked_before=True):
        values = dict(poll.options.values_list("pk", "value"))
        rows = paired_answers(poll).order_by("pk")
        rows = rows.values_list("learner_id", "profession", "before_option_id", "option_id")
        for user_id, profession, before, after in rows.iterator(chunk_size=CHUNK):
            yield learner(user_id), labels[profession], poll.slug, values[before], values[after]


CLAIMS_CSV_HEADER = [
    "first_name",
    "last_name",
    "licence_or_board_id",
    "birth_month",
    "birth_day",
    "credit_type",
    "amount",
    "completion_date",
]


def _corrected(field):
    """The `field` of the latest re-issue of the claim's certificate that corrected it."""
    reissues = CertificateCorrection.objects.filter(
        completion=OuterRef("evaluation__completion"), kind=Correction.REISSUE
    ).exclude(**{field: ""})
    return Subquery(reissues.order_by("-made_at", "-pk").values(field)[:1])


def claims_csv_rows(activity):
    """One row per credit claim, in the order claimed, with the fields the ACCME's learner
    reporting asks for; the licence or board ID and birth month and day only where the learner
    opted to give them."""
    claims = (
        issued_claims(activity)
        .annotate(first=_corrected("first_name"), last=_corrected("last_name"))
        .order_by("claimed_at", "pk")
        .values_list(
            "first",
            "first_name",
            "last",
            "last_name",
            "licence_id",
            "birth_month",
            "birth_day",
            "credit_type",
            "amount",
            "evaluation__completion__completed_at",
        )
    )
    for first, first_issued, last, last_issued, licence, month, day, *rest in claims.iterator(
        chunk_size=CHUNK
    ):
        credit_type, amount, completed_at = rest
        yield (
            first or first_issued,
            last or last_issued,
            licence,
            month or "",
            day or "",
            credit_type,
            amount_text(amount),
            timezone.localdate(completed_at).isoformat(),  # ActivityCompletion.completed_on
        )


@dataclass(frozen=True)
class Export:
    header: list[str]
    rows: Callable  # rows(activity): one tuple per row, a value per column of the header
    text: list[str]  # the columns of free text, which a spreadsheet might take for a formula


# The CSV files staff download from the results page, by name (in the URL and the file name).
EXPORTS = {
    "poll-responses": Export(POLL_CSV_HEADER, poll_csv_rows, text=["poll", "option"]),
    "knowledge-check-answers": Export(
        ANSWERS_CSV_HEADER, answers_csv_rows, text=["question_text", "choice"]
    ),
    "confidence-pairs": Export(PAIRED_CSV_HEADER, paired_csv_rows, text=["poll"]),
    "credit-claims": Export(
        CLAIMS_CSV_HEADER,
        claims_csv_rows,
        text=["first_name", "last_name", "licence_or_board_id", "credit_type"],
    ),
}
