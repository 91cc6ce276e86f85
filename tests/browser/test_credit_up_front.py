"""What a clinician and an accreditor expect, on a phone (390 px) and a laptop (1366 px): the
front matter before Start, credit and time on the catalog card, one main button at each step
from the pass to the certificate, and the certificate as a PDF that holds what it certifies."""

import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from celmod_course.cme.models import ActivityCompletion
from tests.browser.conftest import answer_knowledge_check, browser_tab, log_in
from tests.conftest import AMA, PASSWORD, STATEMENT, complete_all_lessons, make_learner
from tests.lessons.test_front_matter import ACCREDITATION, with_front_matter

WIDTHS = [390, 1366]

# The page's main actions: Bootstrap's filled primary and success buttons, in the main content.
MAIN_BUTTONS = "main .btn-primary:visible, main .btn-success:visible"


@pytest.fixture(params=WIDTHS, ids=lambda width: f"{width}px")
def tab(request, browser, live_server):
    with browser_tab(browser, live_server, width=request.param) as page:
        yield page


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def above(page, first, second):
    """Whether `first` sits above `second` on the page."""
    return first.bounding_box()["y"] < second.bounding_box()["y"]


def test_the_overview_shows_the_front_matter_before_start(tab, offering):
    with_front_matter(offering)
    tab.goto(offering.get_absolute_url())
    start = tab.get_by_role("link", name=re.compile(r"^Start"))
    headings = ["Learning objectives", "Credit", "Faculty disclosures", "Commercial support"]
    for name in headings:
        heading = tab.get_by_role("heading", name=name, exact=True)
        expect(heading).to_be_visible()
        assert above(tab, heading, start), name
    expect(tab.get_by_text(ACCREDITATION)).to_be_visible()
    expect(tab.get_by_text(STATEMENT)).to_be_visible()
    expect(tab.get_by_text("Nothing to disclose.").first).to_be_visible()
    no_sideways_scroll(tab)


def test_an_overview_without_front_matter_shows_none(tab, activity):
    tab.goto(activity.get_absolute_url())
    expect(tab.get_by_role("link", name=re.compile(r"^Start"))).to_be_visible()
    for name in ["Learning objectives", "Faculty disclosures", "Commercial support"]:
        expect(tab.get_by_role("heading", name=name, exact=True)).to_have_count(0)
    expect(tab.get_by_text("Provided by")).to_have_count(0)


def test_the_catalog_card_shows_credit_and_time(tab, offering):
    tab.goto("/")
    card = tab.locator(".card").filter(has_text=offering.title)
    expect(card).to_contain_text("About 10 minutes")
    expect(card).to_contain_text(f"Physician: up to 1 {AMA}")
    log_in(tab, make_learner("doc@example.org").email, PASSWORD)
    expect(card).to_contain_text(f"Credit: up to 1 {AMA}")
    no_sideways_scroll(tab)


def one_main_button(page, name):
    """The page's one main action is `name`; it is pressed."""
    buttons = page.locator(MAIN_BUTTONS)
    expect(buttons).to_have_count(1)
    expect(buttons).to_have_accessible_name(name)
    no_sideways_scroll(page)
    buttons.click()


def test_a_physician_goes_from_pass_to_certificate_with_one_main_button_at_each_step(tab, offering):
    physician = make_learner("phys@example.org", "Pat Physician, MD")
    complete_all_lessons(physician, offering)
    log_in(tab, physician.email, PASSWORD)
    tab.goto(f"/activities/{offering.slug}/knowledge-check/")
    answer_knowledge_check(tab, list(offering.questions.prefetch_related("choices")), right=10)
    tab.get_by_role("button", name="Submit answers").click()

    expect(tab.get_by_text("You have completed the activity.")).to_be_visible()
    one_main_button(tab, "Next: evaluation and credit")

    expect(tab.get_by_role("heading", level=1)).to_have_text("Evaluation")
    for prompt, answer in [
        ("1. The activity met its stated objectives.", "Agree"),
        ("2. The content is relevant to my practice.", "Agree"),
        ("3. Was the content free of commercial bias?", "Yes"),
        ("5. Overall, how would you rate this activity?", "Very good"),
    ]:
        group = tab.get_by_role("group", name=re.compile(re.escape(prompt)))
        group.get_by_label(answer, exact=True).check()
    one_main_button(tab, "Submit the evaluation")

    expect(tab.get_by_role("heading", level=1)).to_have_text("Claim credit")
    tab.get_by_label("Credit to claim").select_option("0.5")
    tab.get_by_label(re.compile("I claim only the credit commensurate")).check()
    one_main_button(tab, "Claim credit")

    expect(tab.get_by_role("heading", level=1)).to_have_text("Certificate of Credit")
    completion = ActivityCompletion.objects.get(learner=physician)
    with tab.expect_download() as download:
        one_main_button(tab, "Download the PDF")
    pdf = Path(download.value.path()).read_bytes()
    text = " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split()
    )
    assert "Pat Physician, MD" in text
    assert "CELMoDs in Multiple Myeloma" in text
    assert f"on {completion.completed_on:%B} {completion.completed_on.day}, " in text
    assert f"and was awarded 0.5 {AMA}." in text
    assert completion.certificate_number in text
