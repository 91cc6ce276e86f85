import re

from playwright.sync_api import expect

from celmod_course.cme.models import ActivityCompletion
from celmod_course.cme.services import knowledge_check_submit
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD, complete_all_lessons


def test_the_certificate_prints_on_one_page_without_the_site_chrome(page, learner, activity):
    complete_all_lessons(learner, activity)
    questions = activity.questions.prefetch_related("choices")
    knowledge_check_submit(
        learner=learner,
        activity=activity,
        chosen={q: next(c for c in q.choices.all() if c.is_correct) for q in questions},
    )
    completion = ActivityCompletion.objects.get(learner=learner)

    log_in(page, learner.email, PASSWORD)
    page.goto(completion.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_contain_text("Certificate of Completion")
    expect(page.get_by_text(completion.certificate_number, exact=True)).to_be_visible()

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="Print or save as PDF")).to_be_hidden()
    for paper in ("A4", "Letter"):
        pdf = page.pdf(format=paper, prefer_css_page_size=True)
        assert re.findall(rb"/Count (\d+)", pdf) == [b"1"], paper
