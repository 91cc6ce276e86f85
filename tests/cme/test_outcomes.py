"""Outcomes: each learner's confidence before the lessons and at Your Thoughts, paired."""

import csv
import io

import numpy as np
import pytest
from django.urls import reverse
from scipy.stats import wilcoxon

from celmod_course.accounts.models import Profession
from celmod_course.cme.exports import pseudonym
from celmod_course.cme.results import signed_rank_p
from quiz.models import Moment, Poll, PollResponse
from tests.conftest import answer_sheet, make_learner
from tests.html import block_texts

# (profession, before, after) of learners who answered both; the dashboard must agree with the
# figures computed here from these rows alone.
PAIRS = [
    (Profession.PHYSICIAN, 2, 4),
    (Profession.PHYSICIAN, 3, 3),
    (Profession.PHYSICIAN, 1, 3),
    (Profession.NURSE, 4, 3),
    (Profession.NURSE, 2, 2),
    (Profession.PHARMACIST, 1, 4),
    (Profession.PHYSICIAN, 3, 5),
]


@pytest.fixture
def poll(activity):
    return Poll.objects.get(activity=activity, slug="confidence")


def answer(learner, poll, before, after):
    if before is not None:
        option = poll.options.get(value=before) if before else None
        PollResponse.objects.record(learner=learner, option=option, poll=poll, moment=Moment.BEFORE)
    if after is not None:
        PollResponse.objects.record(learner=learner, option=poll.options.get(value=after))


def results(client, activity):
    blocks = block_texts(client.get(reverse("cme:results", args=[activity.slug])))
    return " ".join(" ".join(blocks).split())


@pytest.fixture
def paired(poll, staff):
    learners = []
    for n, (profession, before, after) in enumerate(PAIRS):
        learner = make_learner(f"p{n}@example.org", f"Paired {n}", profession=profession)
        answer(learner, poll, before, after)
        learners.append(learner)
    answer(make_learner("u1@example.org", "Only after"), poll, None, 5)
    answer(make_learner("u2@example.org", "Only before"), poll, 1, None)
    answer(make_learner("u3@example.org", "Skipped"), poll, 0, 2)
    answer(staff, poll, 1, 5)  # staff are left out
    return learners


def test_the_dashboard_shows_the_paired_change_as_computed_from_the_rows(
    staff_client, activity, paired
):
    text = results(staff_client, activity)
    differences = np.array([after - before for _, before, after in PAIRS])
    before = np.mean([b for _, b, _ in PAIRS])
    after = np.mean([a for _, _, a in PAIRS])
    assert "Learners with both answers 7" in text
    assert f"Mean before → after {before:.2f} → {after:.2f} (1 to 5)" in text
    assert f"Mean change {after - before:+.2f}" in text
    up, same, down = (differences > 0).sum(), (differences == 0).sum(), (differences < 0).sum()
    assert f"Moved up · stayed · moved down {up} · {same} · {down}" in text
    assert (up, same, down) == (4, 2, 1)
    assert f"Wilcoxon signed-rank test p = {wilcoxon(differences).pvalue:.3g}" in text
    # Side by side: of the 7 paired learners, 2 said "Not at all confident" before, none after.
    assert "Not at all confident 2 29% 0 0%" in text
    # By profession: physicians (4 of them) are shown, the others have fewer than 5.
    assert "Physician 4 fewer than 5 learners" in text


def test_by_profession_from_five_learners_on(staff_client, activity, poll, paired):
    extra = make_learner("p9@example.org", "Paired 9", profession=Profession.PHYSICIAN)
    answer(extra, poll, 2, 3)
    physicians = [(b, a) for p, b, a in PAIRS if p == Profession.PHYSICIAN] + [(2, 3)]
    change = np.mean([a for _, a in physicians]) - np.mean([b for b, _ in physicians])
    p = wilcoxon(np.array([a - b for b, a in physicians])).pvalue
    assert f"Physician 5 2.20 3.60 {change:+.2f} 4 · 1 · 0 {p:.3g}" in results(
        staff_client, activity
    )


def test_fewer_than_five_pairs_hide_the_figures(staff_client, activity, poll):
    for n, (profession, before, after) in enumerate(PAIRS[:4]):
        answer(
            make_learner(f"p{n}@example.org", f"P {n}", profession=profession), poll, before, after
        )
    text = results(staff_client, activity)
    assert "4 learners answered both before the first lesson and at Your Thoughts." in text
    assert "Mean change" not in text and "Wilcoxon signed-rank test" not in text


def test_the_first_attempt_scores_are_shown(staff_client, activity):
    for n, right in enumerate([3, 7, 7, 10]):
        client = staff_client.__class__()
        client.force_login(make_learner(f"k{n}@example.org", f"K {n}"))
        client.post(reverse("cme:submit", args=[activity.slug]), answer_sheet(activity, right))
        client.post(reverse("cme:submit", args=[activity.slug]), answer_sheet(activity, 10))
    text = results(staff_client, activity)
    assert "7 of 10 2 50%" in text
    assert "10 of 10 1 25%" in text
    assert "0 of 10 0 0%" in text


def read(response):
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_paired_export_has_one_row_per_learner(staff_client, activity, paired):
    rows = read(staff_client.get(reverse("cme:export_paired", args=[activity.slug])))
    assert rows[0] == ["learner", "profession", "poll", "before", "after"]
    assert sorted(rows[1:]) == sorted(
        [pseudonym(learner.pk), learner.get_profession_display(), "confidence", str(b), str(a)]
        for learner, (_, b, a) in zip(paired, PAIRS, strict=True)
    )


def test_the_poll_export_says_before_or_after_and_leaves_skips_out(staff_client, activity, paired):
    url = reverse("cme:export_poll_responses", args=[activity.slug])
    rows = read(staff_client.get(url))
    moments = [row[3] for row in rows[1:]]
    assert moments.count("before") == len(PAIRS) + 1  # the paired, and the one only before
    assert moments.count("after") == len(PAIRS) + 2  # the paired, only after, and the skipper


def test_p_values_read_as_a_reader_takes_them():
    from celmod_course.cme.results import Change

    def change(p):
        return Change("x", 5, 1.0, 2.0, 1.0, 5, 0, 0, p)

    assert change(9.1e-45).p_text == "p < 0.001"
    assert change(0.0009).p_text == "p < 0.001"
    assert change(0.001).p_text == "p = 0.001"
    assert change(0.04231).p_text == "p = 0.042"
    assert (change(9.1e-45).p_figure, change(0.04231).p_figure) == ("< 0.001", "0.042")
    assert change(None).p_text == ""


@pytest.mark.parametrize("learners", [8, 50, 51, 400, 20_000])
def test_the_p_value_is_scipys_for_few_learners_and_for_many(learners):
    """From the counts per difference, as scipy computes it from one difference per learner:
    its own exact or permutation test up to 50, its normal approximation above."""
    rng = np.random.default_rng(learners)
    differences = rng.choice([-3, -1, 0, 0, 1, 1, 2, 4], size=learners)
    counted = dict(zip(*np.unique(differences, return_counts=True), strict=True))
    assert signed_rank_p(counted) == pytest.approx(wilcoxon(differences).pvalue, rel=1e-12)
