import re

from playwright.sync_api import expect

from celmod_course.cme.models import ActivityCompletion
from tests.browser.conftest import log_in
from tests.cme.test_credit import evaluate
from tests.conftest import PASSWORD, complete


def prints_on_one_page(page):
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="Print", exact=True)).to_be_hidden()
    for paper in ("A4", "Letter"):
        pdf = page.pdf(format=paper, prefer_css_page_size=True)
        assert re.findall(rb"/Count (\d+)", pdf) == [b"1"], paper


def test_the_certificate_prints_on_one_page_without_the_site_chrome(page, learner, activity):
    completion = complete(learner, activity)
    log_in(page, learner.email, PASSWORD)
    page.goto(completion.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_contain_text("Certificate of Completion")
    expect(page.get_by_text(completion.certificate_number, exact=True)).to_be_visible()
    prints_on_one_page(page)


def test_a_certificate_of_credit_prints_on_one_page_too(page, offering, physician):
    evaluate(physician, offering)
    log_in(page, physician.email, PASSWORD)
    page.goto(f"/activities/{offering.slug}/credit/")
    page.get_by_label("Credit to claim").select_option("1")
    page.get_by_label(re.compile("I claim only the credit commensurate")).check()
    page.get_by_role("button", name="Claim credit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Certificate of Credit")
    assert ActivityCompletion.objects.get(learner=physician).claim is not None
    prints_on_one_page(page)
