"""A staff member reads the results of what learners did, and downloads both exports."""

import csv
from pathlib import Path

from playwright.sync_api import expect

from celmod_course.cme.services import knowledge_check_submit
from quiz.models import Poll, PollResponse, Question
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD, complete_all_lessons, make_learner


def read_csv(path):
    return list(csv.reader(Path(path).read_text(encoding="utf-8").splitlines()))


def test_staff_read_results_that_match_what_learners_did_and_download_both_files(
    page, activity, staff
):
    poll = Poll.objects.get(activity=activity)
    questions = list(Question.objects.for_activity(activity).prefetch_related("choices"))
    for n, (value, right) in enumerate([(2, 10), (4, 8), (4, 5), (5, 9)]):
        learner = make_learner(f"l{n}@example.org", f"Learner {n}")
        PollResponse.objects.record(learner=learner, option=poll.options.get(value=value))
        complete_all_lessons(learner, activity)
        knowledge_check_submit(
            learner=learner,
            activity=activity,
            chosen={
                q: next(c for c in q.choices.all() if c.is_correct == (i < right))
                for i, q in enumerate(questions)
            },
        )

    log_in(page, staff.email, PASSWORD)
    page.goto(activity.get_absolute_url())
    page.get_by_role("link", name="Results (staff)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Results: CELMoDs in Multiple Myeloma"
    )
    summary = page.get_by_text("4 responses · mean confidence 3.75 on a scale of 1 to 5")
    expect(summary).to_be_visible()
    very = page.get_by_role("row", name="Very confident 4 2 50%")
    expect(very).to_be_visible()
    for label, value in [
        ("Attempts", "4"),
        ("Learners who passed", "3"),
        ("Pass rate", "75% of learners who attempted"),
        ("Mean score", "80.0% (all attempts)"),
    ]:
        term = page.locator("dt", has_text=label).first
        expect(term.locator("xpath=following-sibling::dd[1]")).to_have_text(value)
    expect(page.get_by_role("row", name="Completed the activity 3 75%")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download poll responses (CSV)").click()
    rows = read_csv(download.value.path())
    assert len(rows) == 1 + 4
    assert sorted(row[5] for row in rows[1:]) == ["2", "4", "4", "5"]  # the values

    with page.expect_download() as download:
        page.get_by_role("link", name="Download knowledge-check answers (CSV)").click()
    rows = read_csv(download.value.path())
    assert len(rows) == 1 + 40
    assert [row[6] for row in rows[1:]].count("yes") == 10 + 8 + 5 + 9
