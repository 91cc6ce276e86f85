"""What staff read on an activity's results page (its CSV exports: `exports`).

Every figure comes from the activity's kept figures (`tallies`), in a fixed number of queries,
however many learners, responses and attempts there are. Staff accounts are left out: their test
runs are not results.
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db.models import (
    Count,
    Q,
)

from celmod_course.accounts.models import Profession, learners_only
from lessons.models import Lesson
from quiz.models import (
    Choice,
    Comment,
    Poll,
    PollOption,
    Question,
    whole_percent,
)

from . import tallies
from .models import (
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


def poll_results(activity, counts):
    """Counts per option and per profession: the learners' tally, as Your Thoughts shows it."""
    polls = list(Poll.objects.for_activity(activity))
    results = []
    for tally in tallies.poll_tallies(polls, counts).values():
        by_profession = []
        for profession in Profession:
            per_option = [tally.count(option, [profession.value]) for option in tally.rows]
            by_profession.append(
                ProfessionRow(
                    label=profession.label,
                    counts=per_option,
                    total=sum(per_option),
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


def mean_score(counts):
    """The mean attempt's score as a percentage of its questions, or None without attempts:
    from the points scored per number of questions, as `tallies` keeps them."""
    attempts = percent = 0
    for key, n in counts.items():
        if key.startswith("attempts-of:"):
            total = int(key.removeprefix("attempts-of:"))
            attempts += n
            percent += counts[f"points-of:{total}"] * 100 / total
    return percent / attempts if attempts else None


def knowledge_check_results(activity, counts):
    """The attempts in sum, from all attempts; and the item analysis, from first attempts:
    per question its difficulty, discrimination and flags, and how often each choice was
    picked; from the kept `counts`, and the questions with their choices."""
    items = []
    for question in Question.objects.for_activity(activity).prefetch_related("choices"):
        sums = {
            name: counts[f"item:{question.pk}:{name}"]
            for name in ["answered", "correct", "total", "total_correct", "squares"]
        }
        items.append(
            ItemResult(
                question=question,
                answered=sums["answered"],
                correct=sums["correct"],
                discrimination=point_biserial(**sums),
                choices=[
                    ChoiceResult(
                        choice,
                        counts[f"pick:{choice.pk}"],
                        whole_percent(counts[f"pick:{choice.pk}"], sums["answered"]),
                    )
                    for choice in question.choices.all()
                ],
            )
        )
    learners, passed = counts["attempts:learners"], counts["attempts:passed"]
    return KnowledgeCheckResult(
        attempts=counts["attempts:all"],
        learners=learners,
        passed=passed,
        pass_rate=whole_percent(passed, learners),
        mean_score=mean_score(counts),
        items=items,
    )


@dataclass
class Stage:
    label: str
    count: int
    percent: int


def funnel(activity, counts):
    signed_up = counts["signed-up"]
    stages = [("Signed up", signed_up), ("Started (one lesson complete)", counts["started"])]
    for lesson in Lesson.objects.for_activity(activity):
        stages.append((f"Lesson {lesson.number} complete", counts[f"lesson:{lesson.pk}"]))
    stages += [
        ("Passed the knowledge check", counts["attempts:passed"]),
        ("Completed the activity", counts["completed"]),
    ]
    return [Stage(label, count, whole_percent(count, signed_up)) for label, count in stages]


def discussion_counts(activity):
    return Comment.objects.filter(learners_only(), activity=activity).aggregate(
        visible=Count("pk", filter=Q(is_hidden=False)),
        hidden=Count("pk", filter=Q(is_hidden=True)),
    )


def credit_totals(counts):
    """[(credit type, claims, total amount as printed)] for the activity."""
    rows = []
    for key, claims in sorted(counts.items()):
        if key.startswith("credit:") and key.endswith(":claims"):
            credit_type = key.removeprefix("credit:").removesuffix(":claims")
            hundredths = counts[f"credit:{credit_type}:hundredths"]
            rows.append((credit_type, claims, amount_text(Decimal(hundredths) / 100)))
    return rows


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
    texts: list[str]  # the latest free texts, and comments on a "no" (TEXTS_SHOWN at most)
    written: int  # how many learners wrote one


@dataclass
class EvaluationResults:
    responses: int
    items: list[EvaluationItemResult]

    @property
    def is_shown(self):
        return self.responses >= Poll.RESULTS_MIN_RESPONSES


# The written answers the results page shows per question, the latest first.
TEXTS_SHOWN = 50


def evaluation_results(activity, counts):
    """Per item: how many chose each point of the scale (or yes, or no), the mean, and how
    many wrote an answer with the latest `TEXTS_SHOWN` of them; learners only."""
    texts = EvaluationAnswer.objects.filter(
        learners_only("evaluation__completion__learner"),
        evaluation__completion__activity=activity,
    ).exclude(text="")
    items = []
    for question in activity.evaluation_questions.all():
        written = counts[f"evaluation:{question.pk}:written"]
        latest = texts.filter(question=question).order_by("-pk").values_list("text", flat=True)
        scale = question.choices
        pairs = [(value, counts[f"evaluation:{question.pk}:{value}"]) for value, _ in scale]
        total = sum(count for _, count in pairs)
        items.append(
            EvaluationItemResult(
                question=question,
                options=[
                    Share(label, count, whole_percent(count, total))
                    for (_, label), (_, count) in zip(scale, pairs, strict=True)
                ],
                mean=(sum(v * c for v, c in pairs) / total) if question.scale and total else None,
                texts=list(latest[:TEXTS_SHOWN]) if written else [],
                written=written,
            )
        )
    return EvaluationResults(responses=counts["evaluations"], items=items)


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


# Up to this many learners, scipy's Wilcoxon test itself (exact, or a permutation test where
# answers tie); above it, where scipy too takes the normal approximation, that approximation
# from the counts per difference, without an array of one difference per learner.
WILCOXON_BY_SCIPY_UP_TO = 50


def signed_rank_p(differences):
    """The two-sided p-value of the Wilcoxon signed-rank test of {difference: learners}, zeros
    left out, as scipy's `wilcoxon` gives it (tests/cme/test_outcomes.py compares the two)."""
    if sum(differences.values()) <= WILCOXON_BY_SCIPY_UP_TO:
        # Imported here: scipy.stats weighs some 90 MB, which no other page needs.
        from scipy.stats import wilcoxon

        values = np.repeat(list(differences), list(differences.values()))
        return float(wilcoxon(values).pvalue)
    nonzero = {d: n for d, n in differences.items() if d and n}
    n = sum(nonzero.values())
    sizes = defaultdict(int)
    for d, count in nonzero.items():
        sizes[abs(d)] += count
    rank, ranked = {}, 0  # the mean rank of each size of change, ties averaged
    for size in sorted(sizes):
        rank[size] = ranked + (sizes[size] + 1) / 2
        ranked += sizes[size]
    r_plus = sum(count * rank[d] for d, count in nonzero.items() if d > 0)
    ties = sum(count**3 - count for count in sizes.values())
    se = math.sqrt((n * (n + 1) * (2 * n + 1) - ties / 2) / 24)
    z = (r_plus - n * (n + 1) / 4) / se
    return math.erfc(abs(z) / math.sqrt(2))  # twice the normal's upper tail beyond |z|


def change(label, cells):
    """The paired figures from {(before value, after value): learners}."""
    n = sum(cells.values())
    if not n:
        return Change(label, 0, None, None, None, 0, 0, 0, None)
    before = sum(b * count for (b, _), count in cells.items()) / n
    after = sum(a * count for (_, a), count in cells.items()) / n
    differences = defaultdict(int)
    for (b, a), count in cells.items():
        differences[a - b] += count
    up = sum(count for d, count in differences.items() if d > 0)
    down = sum(count for d, count in differences.items() if d < 0)
    return Change(
        label=label,
        n=n,
        mean_before=before,
        mean_after=after,
        mean_change=after - before,
        up=up,
        same=n - up - down,
        down=down,
        p_value=signed_rank_p(differences) if up or down else None,
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


def distribution(options, pairs, side):
    """Shares per option of the values on one side (0 before, 1 after) of the pairs."""
    counts = defaultdict(int)
    for pair, count in pairs.items():
        counts[pair[side]] += count
    n = sum(pairs.values())
    return [Share(o.text, counts[o.value], whole_percent(counts[o.value], n)) for o in options]


def outcomes(activity, counts):
    """For each poll asked before the lessons: the paired change, overall and by profession,
    and the two distributions, from the kept pairs."""
    results = []
    for poll in Poll.objects.for_activity(activity).filter(asked_before=True):
        options = list(poll.options.all())
        split = defaultdict(dict)  # profession: {(before, after): learners}
        for profession in Profession.values:
            for before in options:
                for after in options:
                    n = counts[f"pair:{poll.pk}:{profession}:{before.pk}:{after.pk}"]
                    if n:
                        split[profession][before.value, after.value] = n
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


def first_attempt_scores(activity, counts):
    """How many learners scored each possible score on their first knowledge-check attempt."""
    total = Question.objects.filter(activity=activity).count()
    scores = [counts[f"first-score:{score}"] for score in range(total + 1)]
    learners = sum(scores)
    return [
        Share(f"{score} of {total}", count, whole_percent(count, learners))
        for score, count in enumerate(scores)
    ]
