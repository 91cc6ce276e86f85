"""The knowledge check's item analysis on the results page: per question, from learners' first
attempts, the difficulty, the discrimination and the flags, with each choice's count a click
away; checked against figures worked out by hand and against SciPy."""

import re

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse
from scipy.stats import pointbiserialr

from celmod_course.cme.results import ItemResult, knowledge_check_results, point_biserial
from celmod_course.cme.tallies import kept
from quiz.models import Choice, Question
from tests.cme.test_results import results_url, table_rows
from tests.conftest import answer_sheet, make_learner
from tests.html import block_texts_of

ITEM_TABLE = "Each question on learners' first attempts: difficulty, discrimination and flags"

# Six learners' first attempts, question by question: 1 is the correct answer; a, b and c the
# question's first, second and third wrong choice (in the order staff set).
#
#            Q: 1234567890    total
FIRST_ATTEMPTS = [
    "1a1aa11111",  # 7
    "1a1aa1111a",  # 6
    "1a1b1111aa",  # 6
    "1aa1111aaa",  # 5
    "1aa111aaaa",  # 4
    "1aa1aaaaaa",  # 2
]
# By hand. The totals are 7, 6, 6, 5, 4, 2: n = 6, mean 30 / 6 = 5, mean of the squares
# (49 + 36 + 36 + 25 + 16 + 4) / 6 = 166 / 6, so the population variance is 166/6 - 25 = 8/3
# and s = sqrt(8/3) = 1.633. With r = (M1 - M0) / s * sqrt(p * q):
# - Q3, right for the three best: p = q = 1/2, M1 = 19/3, M0 = 11/3, M1 - M0 = 8/3, so
#   r = (8/3) / sqrt(8/3) * 1/2 = sqrt(8/3) / 2 = 0.8165, shown 0.82; difficulty 50%.
# - Q4, right for the other three: the same with the sign turned, -0.82, "Check the key".
# - Q5, right for the 3rd, 4th and 5th: M1 = (6 + 5 + 4) / 3 = 5 = M0 = (7 + 6 + 2) / 3, so
#   r = 0, shown 0.00, "Weak discrimination"; difficulty 50%.
# - Q10, right for the best only: p = 1/6, M1 = 7, M0 = 23/5 = 4.6, so
#   r = 2.4 / 1.633 * sqrt(5/36) = 2.4 / 1.633 * 0.3727 = 0.5477, shown 0.55; difficulty
#   1 of 6 = 17%, "Too hard".
# - Q1, right for all (100%, "Too easy"), and Q2, wrong for all (0%, "Too hard"): p * q = 0,
#   so r cannot be computed and shows as "—".
# - Q6 (five right, 83%): M1 = 28/5, M0 = 2, r = 3.6 / 1.633 * 0.3727 = 0.82. Q7 (four right,
#   67%): M1 = 6, M0 = 3, r = 3 / 1.633 * sqrt(2/9) = 0.87. Q8 is Q3's pattern (0.82, 50%).
#   Q9 (two right, 33%): M1 = 6.5, M0 = 4.25, r = 2.25 / 1.633 * sqrt(2/9) = 0.65.
EXPECTED = {
    1: ("100%", "— (cannot be computed)", "Too easy"),
    2: ("0%", "— (cannot be computed)", "Too hard"),
    3: ("50%", "0.82", ""),
    4: ("50%", "-0.82", "Check the key"),
    5: ("50%", "0.00", "Weak discrimination"),
    6: ("83%", "0.82", ""),
    7: ("67%", "0.87", ""),
    8: ("50%", "0.82", ""),
    9: ("33%", "0.65", ""),
    10: ("17%", "0.55", "Too hard"),
}


def sheet(activity, marks):
    """POST data for the knowledge check with the choices `marks` names (as FIRST_ATTEMPTS)."""
    data = {}
    questions = Question.objects.for_activity(activity).prefetch_related("choices")
    for question, mark in zip(questions, marks, strict=True):
        choices = list(question.choices.all())
        wrong = [choice for choice in choices if not choice.is_correct]
        pick = next(c for c in choices if c.is_correct) if mark == "1" else wrong["abc".index(mark)]
        data[f"question_{question.pk}"] = str(pick.pk)
    return data


def submit(client, person, activity, data):
    client.force_login(person)
    response = client.post(reverse("cme:submit", args=[activity.slug]), data)
    assert response.status_code == 302


@pytest.fixture
def first_attempts(activity, staff):
    """The six learners' first attempts; then the last one's retake and a staff member's run,
    both with every answer right, which the item analysis leaves out."""
    client = Client()
    learners = []
    for n, marks in enumerate(FIRST_ATTEMPTS, start=1):
        learner = make_learner(f"l{n}@example.org", f"Learner {n}")
        submit(client, learner, activity, sheet(activity, marks))
        learners.append(learner)
    submit(client, learners[-1], activity, answer_sheet(activity, right=10))
    submit(client, staff, activity, answer_sheet(activity, right=10))
    return learners


def item_rows(html):
    return table_rows(html, ITEM_TABLE)


def test_the_table_shows_each_question_difficulty_and_discrimination_as_worked_out_by_hand(
    staff_client, activity, first_attempts
):
    html = staff_client.get(results_url(activity)).content.decode()
    questions = Question.objects.for_activity(activity)
    expected = [
        [f"{q.order}. {q.prompt}", "6", *(cell for cell in EXPECTED[q.order] if cell)]
        for q in questions
    ]
    assert item_rows(html) == expected


def test_the_discrimination_agrees_with_scipy(activity, first_attempts):
    right = np.array([[mark == "1" for mark in marks] for marks in FIRST_ATTEMPTS], dtype=int)
    totals = right.sum(axis=1)
    items = knowledge_check_results(activity, kept(activity)).items
    for column, item in zip(right.T, items, strict=True):
        if column.min() == column.max():  # all right or all wrong: r is undefined
            assert item.discrimination is None
        else:
            assert item.discrimination == pytest.approx(pointbiserialr(column, totals).statistic)
            assert item.discrimination_figure == f"{pointbiserialr(column, totals).statistic:.2f}"


def test_each_flag_is_named_and_its_threshold_stated_on_the_page(
    staff_client, activity, first_attempts
):
    html = staff_client.get(results_url(activity)).content.decode()
    flags = {row[0].split(".")[0]: row[4:] for row in item_rows(html)}
    assert flags == {
        "1": ["Too easy"],
        "2": ["Too hard"],
        "3": [],
        "4": ["Check the key"],
        "5": ["Weak discrimination"],
        "6": [],
        "7": [],
        "8": [],
        "9": [],
        "10": ["Too hard"],
    }
    blocks = block_texts_of(html)
    assert "Too easy: more than 90% answered it correctly." in blocks
    assert "Too hard: fewer than 30% answered it correctly." in blocks
    assert any(b.startswith("Weak discrimination: discrimination under 0.20:") for b in blocks)
    assert any(b.startswith("Check the key: discrimination below 0:") for b in blocks)
    assert any(
        b.startswith("How to read it: from each learner's first attempt only") for b in blocks
    )


@pytest.mark.parametrize(
    ("answered", "correct", "r", "flags"),
    [
        (10, 9, 0.5, []),  # 90%: not over 90%
        (100, 91, 0.5, ["Too easy"]),
        (10, 3, 0.5, []),  # 30%: not under 30%
        (100, 29, 0.5, ["Too hard"]),
        (10, 5, 0.20, []),
        (10, 5, 0.195, []),  # shown as 0.20
        (10, 5, 0.19, ["Weak discrimination"]),
        (10, 5, 0.0, ["Weak discrimination"]),
        (10, 5, -0.004, ["Weak discrimination"]),  # shown as 0.00
        (10, 5, -0.01, ["Check the key"]),
        (10, 10, None, ["Too easy"]),
        (100, 20, -0.3, ["Too hard", "Check the key"]),
        (4, 0, -0.3, []),  # fewer than 5 learners: no figures, so no flags
    ],
)
def test_an_item_is_flagged_by_its_figures_as_shown(answered, correct, r, flags):
    item = ItemResult(None, answered=answered, correct=correct, discrimination=r, choices=[])
    assert item.flags == flags


def test_a_discrimination_that_rounds_to_zero_shows_without_a_minus_sign():
    item = ItemResult(question=None, answered=10, correct=5, discrimination=-0.004, choices=[])
    assert item.discrimination_figure == "0.00"


def test_how_often_each_choice_was_picked_is_a_click_away(staff_client, activity, first_attempts):
    html = staff_client.get(results_url(activity)).content.decode()
    details = re.findall(r"<details[^>]*>(.*?)</details>", html, re.S)
    assert [re.search(r"<summary>(.*?)</summary>", d).group(1) for d in details] == [
        f"Question {n}: how often each choice was picked" for n in range(1, 11)
    ]
    # Question 4, first attempts only: the key 3 times, its first wrong choice twice (the two
    # best learners), the second once (the third best), the third never.
    question = Question.objects.for_activity(activity).get(order=4)
    key = question.choices.get(is_correct=True)
    wrong = list(question.choices.filter(is_correct=False))
    counts = {key: ("3", "50%"), wrong[0]: ("2", "33%"), wrong[1]: ("1", "17%")}
    counts[wrong[2]] = ("0", "0%")
    expected = [
        [choice.text + (" Correct answer" if choice.is_correct else ""), *counts[choice]]
        for choice in question.choices.all()
    ]
    assert table_rows(details[3], "How often each choice was picked for question 4") == expected


def test_the_item_analysis_waits_for_five_learners(staff_client, activity):
    client = Client()
    for n, marks in enumerate(FIRST_ATTEMPTS[:4], start=1):
        learner = make_learner(f"l{n}@example.org", f"Learner {n}")
        submit(client, learner, activity, sheet(activity, marks))
    html = staff_client.get(results_url(activity)).content.decode()
    assert (
        "4 learners made a first attempt. The item analysis is shown from 5 learners on, so "
        "that no single learner's answers can be singled out."
    ) in block_texts_of(html)
    assert ITEM_TABLE not in html
    assert "<details" not in html.split('id="kc"')[1].split("</section>")[0]


def add_question(activity, order):
    """A question added after learners took the knowledge check."""
    question = Question.objects.create(
        activity=activity,
        order=order,
        prompt=f"Added question {order}?",
        rationale="Because.",
        lesson=activity.lessons.first(),
    )
    for n in range(4):
        Choice.objects.create(question=question, order=n, text=f"Choice {n}", is_correct=n == 0)
    return question


def test_a_question_answered_by_fewer_than_five_learners_shows_no_figures(
    staff_client, activity, first_attempts
):
    add_question(activity, 11)
    rows = item_rows(staff_client.get(results_url(activity)).content.decode())
    assert rows[-1] == ["11. Added question 11?", "0", "fewer than 5 learners"]


def test_the_item_analysis_takes_the_same_queries_however_many_questions_and_learners(
    activity, first_attempts, django_assert_max_num_queries
):
    with django_assert_max_num_queries(5):
        assert len(knowledge_check_results(activity, kept(activity)).items) == 10
    for order in (11, 12, 13):
        add_question(activity, order)
    client = Client()
    for n in range(20):
        learner = make_learner(f"more{n}@example.org", f"More {n}")
        client.force_login(learner)
        client.post(reverse("cme:submit", args=[activity.slug]), answer_sheet(activity, n % 14))
    with django_assert_max_num_queries(5):
        items = knowledge_check_results(activity, kept(activity)).items
    assert len(items) == 13
    assert items[0].answered == 26


def test_the_discrimination_cannot_be_computed_when_every_total_is_the_same():
    """Four learners each scored 5, two of them right on this item: s = 0."""
    sums = {"answered": 4, "correct": 2, "total": 20, "total_correct": 10, "squares": 100}
    assert point_biserial(**sums) is None
    one = {"answered": 1, "correct": 1, "total": 5, "total_correct": 5, "squares": 25}
    assert point_biserial(**one) is None
