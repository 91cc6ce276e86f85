"""What staff read on an activity's results page and in its CSV exports.

Every number is counted by the database in a fixed number of queries, however many learners,
responses and attempts there are. Staff accounts are left out: their test runs are not results.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import (
    Avg,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    Sum,
)
from django.utils.crypto import salted_hmac

from celmod_course.accounts.models import Profession, User, learners_only
from lessons.models import Lesson, LessonCompletion
from quiz.models import (
    Answer,
    Attempt,
    Comment,
    Poll,
    PollOption,
    PollResponse,
    Question,
    whole_percent,
)

from .models import (
    ActivityCompletion,
    CreditClaim,
    Evaluation,
    EvaluationAnswer,
    EvaluationQuestion,
    Kind,
    amount_text,
)


def pseudonym(user_id):
    """A stable id for a learner in exports: the same in every file, and not derivable from
    the user id without the server's SECRET_KEY."""
    return salted_hmac("celmod_course.results.pseudonym", str(user_id)).hexdigest()[:16]


@dataclass
class OptionResult:
    option: PollOption
    count: int
    percent: int


@dataclass
class ProfessionRow:
    label: str
    counts: list[int]
    total: int
    mean: float | None


@dataclass
class PollResult:
    poll: Poll
    options: list[OptionResult]
    total: int
    mean: float | None
    by_profession: list[ProfessionRow]


def poll_results(activity):
    """Counts per option and per profession: the learners' tally, as Your Thoughts shows it."""
    polls = list(Poll.objects.for_activity(activity))
    results = []
    for tally in PollResponse.objects.tally(polls).values():
        by_profession = []
        for profession in Profession:
            counts = [tally.count(option, [profession.value]) for option in tally.rows]
            by_profession.append(
                ProfessionRow(
                    label=profession.label,
                    counts=counts,
                    total=sum(counts),
                    mean=tally.mean([profession.value]),
                )
            )
        results.append(
            PollResult(
                poll=tally.poll,
                options=[OptionResult(*row) for row in tally.options],
                total=tally.total,
                mean=tally.mean(),
                by_profession=by_profession,
            )
        )
    return results


@dataclass
class ChoiceResult:
    choice: object
    count: int
    percent: int


@dataclass
class QuestionResult:
    question: Question
    first_answers: int
    first_correct_percent: int
    all_answers: int
    all_correct_percent: int
    choices: list[ChoiceResult]


@dataclass
class KnowledgeCheckResult:
    attempts: int
    learners: int
    passed: int
    pass_rate: int
    mean_score: float | None
    questions: list[QuestionResult]


def knowledge_check_results(activity):
    summary = Attempt.objects.filter(learners_only(), activity=activity).aggregate(
        attempts=Count("pk"),
        learners=Count("learner", distinct=True),
        passed=Count("learner", filter=Q(passed=True), distinct=True),
        mean_score=Avg(
            ExpressionWrapper(F("score") * 100.0 / F("total"), output_field=FloatField())
        ),
    )
    # One grouped query: per choice, how often it was picked in all and in first attempts.
    picks = {
        row["choice_id"]: row
        for row in Answer.objects.filter(
            learners_only("attempt__learner"), attempt__activity=activity
        )
        .values("choice_id")
        .annotate(all=Count("pk"), first=Count("pk", filter=Q(attempt__number=1)))
        .order_by()
    }
    questions = []
    for question in Question.objects.for_activity(activity).prefetch_related("choices"):
        choices = list(question.choices.all())
        counts = [picks.get(c.pk, {"all": 0, "first": 0}) for c in choices]
        every = sum(count["all"] for count in counts)
        first = sum(count["first"] for count in counts)
        right = [count for c, count in zip(choices, counts, strict=True) if c.is_correct]
        questions.append(
            QuestionResult(
                question=question,
                first_answers=first,
                first_correct_percent=whole_percent(sum(c["first"] for c in right), first),
                all_answers=every,
                all_correct_percent=whole_percent(sum(c["all"] for c in right), every),
                choices=[
                    ChoiceResult(choice, count["all"], whole_percent(count["all"], every))
                    for choice, count in zip(choices, counts, strict=True)
                ],
            )
        )
    return KnowledgeCheckResult(
        attempts=summary["attempts"],
        learners=summary["learners"],
        passed=summary["passed"],
        pass_rate=whole_percent(summary["passed"], summary["learners"]),
        mean_score=summary["mean_score"],
        questions=questions,
    )


@dataclass
class Stage:
    label: str
    count: int
    percent: int


def funnel(activity, passed):
    signed_up = User.objects.learners().count()
    lessons = list(Lesson.objects.for_activity(activity))
    completions = LessonCompletion.objects.filter(learners_only(), lesson__in=lessons)
    # Probing each learner's completions by index beats a COUNT(DISTINCT) over all of them.
    started = (
        User.objects.learners()
        .filter(Exists(LessonCompletion.objects.filter(learner=OuterRef("pk"), lesson__in=lessons)))
        .count()
    )
    per_lesson = dict(completions.values_list("lesson_id").annotate(count=Count("pk")).order_by())
    completed = ActivityCompletion.objects.filter(learners_only(), activity=activity).count()

    stages = [("Signed up", signed_up), ("Started (one lesson complete)", started)]
    for lesson in lessons:
        stages.append((f"Lesson {lesson.number} complete", per_lesson.get(lesson.pk, 0)))
    stages += [("Passed the knowledge check", passed), ("Completed the activity", completed)]
    return [Stage(label, count, whole_percent(count, signed_up)) for label, count in stages]


def discussion_counts(activity):
    return Comment.objects.filter(activity=activity).aggregate(
        visible=Count("pk", filter=Q(is_hidden=False)),
        hidden=Count("pk", filter=Q(is_hidden=True)),
    )


POLL_CSV_HEADER = ["learner", "profession", "poll", "option", "value", "answered_at"]
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
CHUNK = 2000


def _pseudonyms():
    cache = {}

    def lookup(user_id):
        if user_id not in cache:
            cache[user_id] = pseudonym(user_id)
        return cache[user_id]

    return lookup


def poll_csv_rows(activity):
    """One row per poll response, oldest first, streamed from the database in chunks."""
    labels = dict(Profession.choices)
    learner_id = _pseudonyms()
    rows = (
        PollResponse.objects.filter(learners_only(), poll__activity=activity)
        .order_by("created_at", "pk")
        .values_list(
            "learner_id",
            "profession",
            "poll__slug",
            "option__text",
            "option__value",
            "created_at",
        )
    )
    for user_id, profession, poll, option, value, when in rows.iterator(chunk_size=CHUNK):
        yield [learner_id(user_id), labels[profession], poll, option, value, when.isoformat()]


def answers_csv_rows(activity):
    """One row per knowledge-check answer, in order of submission."""
    labels = dict(Profession.choices)
    learner_id = _pseudonyms()
    rows = (
        Answer.objects.filter(learners_only("attempt__learner"), attempt__activity=activity)
        .order_by("attempt__submitted_at", "attempt_id", "question__order")
        .values_list(
            "attempt__learner_id",
            "attempt__learner__profession",
            "attempt__number",
            "question__order",
            "question__prompt",
            "choice__text",
            "is_correct",
            "attempt__submitted_at",
        )
    )
    for user_id, profession, number, order, prompt, choice, correct, when in rows.iterator(
        chunk_size=CHUNK
    ):
        yield [
            learner_id(user_id),
            labels[profession],
            number,
            order,
            prompt,
            choice,
            "yes" if correct else "no",
            when.isoformat(),
        ]


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


def claims_csv_rows(activity):
    """One row per credit claim, with the fields the ACCME's learner reporting asks for; the
    licence or board ID and birth month and day only where the learner opted to give them."""
    claims = (
        CreditClaim.objects.filter(designation__activity=activity)
        .select_related("designation", "evaluation__completion")
        .order_by("claimed_at", "pk")
    )
    for claim in claims.iterator(chunk_size=CHUNK):
        yield [
            claim.first_name,
            claim.last_name,
            claim.licence_id,
            claim.birth_month or "",
            claim.birth_day or "",
            claim.designation.credit_type,
            amount_text(claim.amount),
            claim.evaluation.completion.completed_on.isoformat(),
        ]


def credit_totals(activity):
    """[(credit type, claims, total amount as printed)] for the activity."""
    rows = (
        CreditClaim.objects.filter(learners_only("evaluation__completion__learner"))
        .filter(designation__activity=activity)
        .values_list("designation__credit_type")
        .annotate(claims=Count("pk"), total=Sum("amount"))
        .order_by("designation__credit_type")
    )
    return [(credit_type, claims, amount_text(total)) for credit_type, claims, total in rows]


@dataclass
class Share:
    label: str
    count: int
    percent: int


@dataclass
class EvaluationItemResult:
    question: EvaluationQuestion
    options: list[Share]  # each point of the scale, or yes and no
    mean: float | None
    texts: list[str]  # free text, and the comments on a "no"


@dataclass
class EvaluationResults:
    responses: int
    items: list[EvaluationItemResult]

    @property
    def is_shown(self):
        return self.responses >= Poll.RESULTS_MIN_RESPONSES


def evaluation_results(activity):
    """Per item: how many chose each point of the scale (or yes, or no), the mean, and the
    texts learners wrote; from three queries, learners only."""
    learners = learners_only("evaluation__completion__learner")
    answers = EvaluationAnswer.objects.filter(learners, evaluation__completion__activity=activity)
    counts = defaultdict(int)
    for question_id, value, yes, count in (
        answers.values_list("question_id", "value", "yes").annotate(count=Count("pk")).order_by()
    ):
        counts[question_id, value if yes is None else int(yes)] += count
    texts = defaultdict(list)
    for question_id, text in answers.exclude(text="").values_list("question_id", "text"):
        texts[question_id].append(text)
    items = []
    for question in activity.evaluation_questions.all():
        scale = question.scale or ([(1, "Yes"), (0, "No")] if question.kind == Kind.YES_NO else [])
        pairs = [(value, counts[question.pk, value]) for value, _ in scale]
        total = sum(count for _, count in pairs)
        items.append(
            EvaluationItemResult(
                question=question,
                options=[
                    Share(label, count, whole_percent(count, total))
                    for (_, label), (_, count) in zip(scale, pairs, strict=True)
                ],
                mean=(sum(v * c for v, c in pairs) / total) if question.scale and total else None,
                texts=texts[question.pk],
            )
        )
    responses = Evaluation.objects.filter(
        learners_only("completion__learner"), completion__activity=activity
    ).count()
    return EvaluationResults(responses=responses, items=items)
