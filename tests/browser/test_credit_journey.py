"""A physician claims credit, by mouse and by keyboard: evaluation, claim, certificate,
verification, transcript, and the staff's reporting file."""

import csv
import re
from pathlib import Path

from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.browser.test_keyboard_journey import activate, choose, tab_to
from tests.conftest import AMA, PASSWORD


def check_the_certificate_verification_and_transcript(page, number_holder):
    expect(
        page.get_by_text(f"You have claimed 0.5 {AMA}. Your certificate states it.")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Certificate of Credit")).to_be_visible()
    expect(page.get_by_text(f"and was awarded 0.5 {AMA}.")).to_be_visible()
    number_holder.append(page.locator(".certificate-details dd").nth(2).inner_text())


def test_a_physician_claims_credit_with_the_mouse(page, offering, physician, staff):
    log_in(page, physician.email, PASSWORD)
    page.goto(offering.get_absolute_url())
    page.get_by_role("link", name="Next: evaluation and credit").click()
    for prompt, answer in [
        ("1. The activity met its stated objectives.", "Agree"),
        ("2. The content is relevant to my practice.", "Strongly agree"),
        ("3. Was the content free of commercial bias?", "Yes"),
        ("5. Overall, how would you rate this activity?", "Very good"),
    ]:
        page.get_by_role("group", name=re.compile(re.escape(prompt))).get_by_label(
            answer, exact=True
        ).check()
    page.get_by_label(re.compile("What will you change")).fill("Talk about trials with patients.")
    page.get_by_role("button", name="Submit the evaluation").click()

    expect(page.get_by_text("Thank you: your evaluation is recorded.")).to_be_visible()
    page.get_by_label("Credit to claim").select_option("0.5")
    page.get_by_label(re.compile("I claim only the credit commensurate")).check()
    page.get_by_role("button", name="Claim credit").click()
    numbers = []
    check_the_certificate_verification_and_transcript(page, numbers)

    page.get_by_role("link", name=re.compile("verify")).click()
    expect(page.get_by_text(f"Awarded 0.5 {AMA}.")).to_be_visible()
    page.get_by_role("link", name="My progress").click()
    expect(page.get_by_role("cell", name=f"0.5 {AMA}")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text=f"0.5 {AMA}")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    log_in(page, staff.email, PASSWORD)
    page.goto(f"/activities/{offering.slug}/results/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download credit claims for reporting (CSV)").click()
    with Path(download.value.path()).open(newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    assert rows[1][:2] == ["Pat", "Physician"]
    assert rows[1][5:7] == [AMA, "0.5"]


def test_a_physician_claims_credit_with_the_keyboard(page, offering, physician):
    log_in(page, physician.email, PASSWORD)
    page.goto(offering.get_absolute_url())
    activate(page, page.get_by_role("link", name="Next: evaluation and credit"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Evaluation")
    for prompt, index in [
        ("1. The activity", 3),
        ("2. The content", 4),
        ("3. Was", 0),
        ("5. Overall", 3),
    ]:
        choose(page, page.get_by_role("group", name=re.compile(re.escape(prompt))), index)
    activate(page, page.get_by_role("button", name="Submit the evaluation"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Claim credit")
    tab_to(page, page.get_by_label("Credit to claim"))
    page.keyboard.type("0.5")
    expect(page.get_by_label("Credit to claim")).to_have_value("0.5")
    tab_to(page, page.get_by_label(re.compile("I claim only the credit commensurate")))
    page.keyboard.press("Space")
    activate(page, page.get_by_role("button", name="Claim credit"))
    check_the_certificate_verification_and_transcript(page, [])

    activate(page, page.get_by_role("link", name=re.compile("verify")))
    expect(page.get_by_text(f"Awarded 0.5 {AMA}.")).to_be_visible()
    activate(page, page.get_by_role("link", name="My progress"))
    expect(page.get_by_role("cell", name=f"0.5 {AMA}")).to_be_visible()
