"""The confidence question before the lessons: one learner answers it, reads, answers again at
Your Thoughts and sees their change; another skips it and is not asked again."""

import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.conftest import PASSWORD, make_learner


def test_a_learner_answers_before_reads_and_sees_their_change(page, activity, lessons):
    learner = make_learner("before@example.org", "Bea Before, MD")
    log_in(page, learner.email, PASSWORD)
    page.goto(activity.get_absolute_url())
    page.get_by_role("link", name=re.compile(r"^Start")).click()
    card = page.get_by_role("region", name="Before you start")
    expect(card).to_be_visible()
    card.get_by_label("Slightly confident").check()
    card.get_by_role("button", name="Submit").click()
    expect(page.get_by_text(re.compile("^Thank you. At Your Thoughts"))).to_be_visible()
    expect(page.get_by_role("region", name="Before you start")).to_have_count(0)

    for _ in lessons:
        page.get_by_role("button", name="Complete and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your Thoughts")
    page.get_by_label("Very confident").check()
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_text("Before: Slightly confident. Now: Very confident.")).to_be_visible()


def test_a_learner_who_skips_is_not_asked_again(page, activity, lessons):
    learner = make_learner("skipper@example.org", "Sam Skipper, RN")
    log_in(page, learner.email, PASSWORD)
    page.goto(lessons[0].get_absolute_url())
    page.get_by_role("button", name="Skip this question").click()
    expect(page.get_by_text("Skipped. You will not be asked this again.")).to_be_visible()
    page.goto(lessons[0].get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(lessons[0].heading)
    expect(page.get_by_role("region", name="Before you start")).to_have_count(0)
