"""What staff read on an activity's results page and in its CSV exports.

Every number is counted by the database in a fixed number of queries, however many learners,
responses and attempts there are. Staff accounts are left out: their test runs are not results.
"""

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.db.models import (
    Avg,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Sum,
)
from django.db.models.functions import Cast
from scipy.stats import wilcoxon

from celmod_course.accounts.models import Profession, User, learners_only
from lessons.models import Lesson, LessonCompletion
from quiz.models import (
    Answer,
    Attempt,
    Choice,
    Comment,
    Moment,
    Poll,
    PollOption,
    PollResponse,
    Question,
    whole_percent,
)

from .models import (
    ActivityCompletion,
    CertificateCorrection,
    Correction,
    CreditClaim,
    Evaluation,
    EvaluationAnswer,
    EvaluationQuestion,
    amount_text,
)


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


# The item analysis's flags: the thresholds, and each flag's rule in the words the page shows.
TOO_EASY_ABOVE = 90  # percent answering correctly
TOO_HARD_BELOW = 30
WEAK_BELOW = 0.20  # discrimination
ITEM_FLAGS = {
    "Too easy": f"more than {TOO_EASY_ABOVE}% answered it correctly.",
    "Too hard": f"fewer than {TOO_HARD_BELOW}% answered it correctly.",
    "Weak discrimination": f"discrimination under {WEAK_BELOW:.2f}: the item barely tells "
    "learners who did well overall from those who did not.",
    "Check the key": "discrimination below 0: learners who did well overall got it wrong more "
    "often than those who did not, so the key or the wording may be at fault. It replaces "
    "Weak discrimination.",
}


@dataclass
class ChoiceResult:
    choice: Choice
    count: int
    percent: int


@dataclass
class ItemResult:
    """One question of the knowledge check, as learners answered it on their first attempt."""

    question: Question
    answered: int
    correct: int
    discrimination: float | None  # point-biserial r; None where it cannot be computed
    choices: list[ChoiceResult]

    @property
    def is_shown(self):
        """Figures are shown from `Poll.RESULTS_MIN_RESPONSES` learners on."""
        return self.answered >= Poll.RESULTS_MIN_RESPONSES

    @property
    def difficulty(self):
        """The share who answered correctly, as a whole percent."""
        return whole_percent(self.correct, self.answered)

    @property
    def rounded_discrimination(self):
        """r to two decimals, as shown (+ 0.0 turns -0.0 into 0.0), or None."""
        return None if self.discrimination is None else round(self.discrimination, 2) + 0.0

    @property
    def discrimination_figure(self):
        """r as the table shows it: "0.82", "-0.82", or "—" where it cannot be computed."""
        r = self.rounded_discrimination
        return "—" if r is None else f"{r:.2f}"

    @property
    def flags(self):
        """The `ITEM_FLAGS` the item meets, judged on its figures as shown, so that the table
        never contradicts itself (89.6% shows as 90% and is not flagged Too easy)."""
        if not self.is_shown:
            return []
        flags = []
        if self.difficulty > TOO_EASY_ABOVE:
            flags.append("Too easy")
        elif self.difficulty < TOO_HARD_BELOW:
            flags.append("Too hard")
        r = self.rounded_discrimination
        if r is not None and r < 0:
            flags.append("Check the key")
        elif r is not None and r < WEAK_BELOW:
            flags.append("Weak discrimination")
        return flags


def point_biserial(*, answered, correct, total, total_correct, squares):
    """The point-biserial correlation between answering an item correctly (1 or 0) and the
    attempt's total score, from sums a database adds up: the number answered and correct, the
    sum of the totals (`total`), of the totals of those who answered correctly
    (`total_correct`) and of the squared totals (`squares`).

    r = (M1 - M0) / s * sqrt(p * q): M1 and M0 the mean totals of those right and wrong, s the
    totals' population standard deviation, p the share right and q = 1 - p. None where it is
    undefined: everyone right, everyone wrong, or every total the same.
    """
    wrong = answered - correct
    spread = answered * squares - total * total  # answered squared times the variance, exactly
    if not correct or not wrong or spread <= 0:
        return None
    m1 = total_correct / correct
    m0 = (total - total_correct) / wrong
    s = math.sqrt(spread) / answered
    p = correct / answered
    return (m1 - m0) / s * math.sqrt(p * (1 - p))


@dataclass
class KnowledgeCheckResult:
    attempts: int
    learners: int
    passed: int
    pass_rate: int
    mean_score: float | None
    items: list[ItemResult]

    @property
    def items_shown(self):
        """The item analysis is shown from `Poll.RESULTS_MIN_RESPONSES` learners on."""
        return self.learners >= Poll.RESULTS_MIN_RESPONSES


def first_attempt_answers(activity):
    """Learners' answers on their first attempt: what the item analysis reads. A retake
    follows feedback on the first, so it measures the learner's memory more than the item."""
    return Answer.objects.filter(
        learners_only("attempt__learner"), attempt__activity=activity, attempt__number=1
    )


def knowledge_check_results(activity):
    """The attempts in sum, from all attempts; and the item analysis, from first attempts:
    per question its difficulty, discrimination and flags, and how often each choice was
    picked. Five queries, however many questions, learners and answers."""
    summary = Attempt.objects.filter(learners_only(), activity=activity).aggregate(
        attempts=Count("pk"),
        learners=Count("learner", distinct=True),
        passed=Count("learner", filter=Q(passed=True), distinct=True),
        mean_score=Avg(
            ExpressionWrapper(F("score") * 100.0 / F("total"), output_field=FloatField())
        ),
    )
    answers = first_attempt_answers(activity)
    # A smallint squared could overflow on PostgreSQL: square it as an integer.
    score = Cast("attempt__score", IntegerField())
    right = Q(is_correct=True)
    sums = {
        row.pop("question_id"): row
        for row in answers.values("question_id")
        .annotate(
            answered=Count("pk"),
            correct=Count("pk", filter=right),
            total=Sum(score),
            total_correct=Sum(score, filter=right, default=0),
            squares=Sum(score * score),
        )
        .order_by()
    }
    picks = dict(answers.values_list("choice_id").annotate(count=Count("pk")).order_by())
    none = {"answered": 0, "correct": 0, "total": 0, "total_correct": 0, "squares": 0}
    items = []
    for question in Question.objects.for_activity(activity).prefetch_related("choices"):
        row = sums.get(question.pk, none)
        items.append(
            ItemResult(
                question=question,
                answered=row["answered"],
                correct=row["correct"],
                discrimination=point_biserial(**row),
                choices=[
                    ChoiceResult(
                        choice,
                        picks.get(choice.pk, 0),
                        whole_percent(picks.get(choice.pk, 0), row["answered"]),
                    )
                    for choice in question.choices.all()
                ],
            )
        )
    return KnowledgeCheckResult(
        attempts=summary["attempts"],
        learners=summary["learners"],
        passed=summary["passed"],
        pass_rate=whole_percent(summary["passed"], summary["learners"]),
        mean_score=summary["mean_score"],
        items=items,
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
    return Comment.objects.filter(learners_only(), activity=activity).aggregate(
        visible=Count("pk", filter=Q(is_hidden=False)),
        hidden=Count("pk", filter=Q(is_hidden=True)),
    )


def _claims(activity):
    """Learners' credit claims for the activity, as issued: not staff's test claims, nor those
    whose certificate was revoked."""
    revoked = CertificateCorrection.objects.filter(kind=Correction.REVOKE).values("completion")
    return CreditClaim.objects.filter(
        learners_only("evaluation__completion__learner"), designation__activity=activity
    ).exclude(evaluation__completion__in=revoked)


def credit_totals(activity):
    """[(credit type, claims, total amount as printed)] for the activity."""
    rows = (
        _claims(activity)
        .values_list("credit_type")
        .annotate(claims=Count("pk"), total=Sum("amount"))
        .order_by("credit_type")
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
        scale = question.choices
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


@dataclass
class Change:
    """How a group of learners' answers moved from before the lessons to Your Thoughts."""

    label: str
    n: int
    mean_before: float | None
    mean_after: float | None
    mean_change: float | None
    up: int
    same: int
    down: int
    p_value: float | None  # Wilcoxon signed-rank; None without a learner who changed

    @property
    def is_shown(self):
        """Figures are shown from `Poll.RESULTS_MIN_RESPONSES` learners on."""
        return self.n >= Poll.RESULTS_MIN_RESPONSES

    @property
    def signed_change(self):
        """The mean change with its sign, as "+1.14"."""
        return f"{self.mean_change:+.2f}"

    @property
    def p_figure(self):
        """The p-value for a table's p column: "< 0.001", or to three decimals ("0.042")."""
        if self.p_value is None:
            return ""
        return "< 0.001" if self.p_value < 0.001 else f"{self.p_value:.3f}"

    @property
    def p_text(self):
        """The p-value in a sentence: "p < 0.001" or "p = 0.042"."""
        figure = self.p_figure
        return "" if not figure else f"p {figure}" if figure[0] == "<" else f"p = {figure}"


def change(label, cells):
    """The paired figures from {(before value, after value): learners}."""
    n = sum(cells.values())
    if not n:
        return Change(label, 0, None, None, None, 0, 0, 0, None)
    before = sum(b * count for (b, _), count in cells.items()) / n
    after = sum(a * count for (_, a), count in cells.items()) / n
    differences = np.repeat([a - b for a, b in ((a, b) for b, a in cells)], list(cells.values()))
    return Change(
        label=label,
        n=n,
        mean_before=before,
        mean_after=after,
        mean_change=after - before,
        up=int((differences > 0).sum()),
        same=int((differences == 0).sum()),
        down=int((differences < 0).sum()),
        p_value=float(wilcoxon(differences).pvalue) if differences.any() else None,
    )


@dataclass
class PollOutcome:
    poll: Poll
    overall: Change
    by_profession: list[Change]
    before: list[Share]  # among the paired learners, per option
    after: list[Share]

    @property
    def is_shown(self):
        return self.overall.is_shown

    @property
    def side_by_side(self):
        """(before, after) shares per option, for one table."""
        return list(zip(self.before, self.after, strict=True))


def paired_answers(poll):
    """The learners' answers at Your Thoughts that keep an answer before the first lesson (the
    same learner's, in `before_option`); staff left out."""
    return PollResponse.objects.filter(
        learners_only(), poll=poll, moment=Moment.AFTER, before_option__isnull=False
    )


def distribution(options, pairs, side):
    """Shares per option of the values on one side (0 before, 1 after) of the pairs."""
    counts = defaultdict(int)
    for pair, count in pairs.items():
        counts[pair[side]] += count
    n = sum(pairs.values())
    return [Share(o.text, counts[o.value], whole_percent(counts[o.value], n)) for o in options]


def outcomes(activity):
    """For each poll asked before the lessons: the paired change, overall and by profession,
    and the two distributions; one grouped query per poll, whatever the number of learners."""
    results = []
    for poll in Poll.objects.for_activity(activity).filter(asked_before=True):
        options = list(poll.options.all())
        value = {option.pk: option.value for option in options}
        split = defaultdict(lambda: defaultdict(int))  # profession: {(before, after): learners}
        rows = paired_answers(poll).values_list("profession", "before_option_id", "option_id")
        for profession, before, after, count in rows.annotate(count=Count("pk")).order_by():
            split[profession][value[before], value[after]] += count
        pairs = defaultdict(int)
        for cells in split.values():
            for pair, count in cells.items():
                pairs[pair] += count
        results.append(
            PollOutcome(
                poll=poll,
                overall=change("All learners", pairs),
                by_profession=[change(label, split[value]) for value, label in Profession.choices],
                before=distribution(options, pairs, 0),
                after=distribution(options, pairs, 1),
            )
        )
    return results


def first_attempt_scores(activity):
    """How many learners scored each possible score on their first knowledge-check attempt."""
    total = Question.objects.filter(activity=activity).count()
    counts = dict(
        Attempt.objects.filter(learners_only(), activity=activity, number=1)
        .values_list("score")
        .annotate(count=Count("pk"))
        .order_by()
    )
    learners = sum(counts.values())
    return [
        Share(
            f"{score} of {total}",
            counts.get(score, 0),
            whole_percent(counts.get(score, 0), learners),
        )
        for score in range(total + 1)
    ]
