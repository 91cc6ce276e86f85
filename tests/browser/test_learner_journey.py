"""A new learner's whole journey, in a real browser, with the mouse."""

import re

from playwright.sync_api import expect

from quiz.models import Question
from tests.browser.conftest import answer_knowledge_check, sign_up
from tests.conftest import PASSWORD


def test_a_new_learner_goes_from_sign_up_to_a_verified_certificate(page, activity):
    page.goto("/")
    page.get_by_role("link", name="CELMoDs in Multiple Myeloma").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("CELMoDs in Multiple Myeloma")
    expect(page.get_by_text("Key Takeaways")).to_be_visible()

    page.get_by_role("main").get_by_role("link", name="sign up").click()
    sign_up(page, "new.learner@example.org", "Maria Lopez, PharmD", "Pharmacist", PASSWORD)
    expect(page).to_have_url(re.compile(r"/activities/celmods-in-multiple-myeloma/$"))
    expect(page.get_by_text("0 of 4 lessons completed")).to_be_visible()

    page.get_by_role("link", name=re.compile(r"^Start")).click()
    for number in range(1, 5):
        expect(page.get_by_text(f"Lesson {number} of 4", exact=True)).to_be_visible()
        page.get_by_role("button", name="Complete and continue").click()
        if number < 4:
            expect(page.get_by_text(f"Lesson {number} of 4 complete.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your Thoughts")
    expect(page.get_by_text("You have completed every lesson.")).to_be_visible()

    page.get_by_label("Very confident").check()
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_text("Your answer: Very confident. Answers are final.")).to_be_visible()

    page.get_by_label("Your comment").fill("Would you sequence mezigdomide before CAR T?")
    page.get_by_role("button", name="Post comment").click()
    expect(page.get_by_text("Would you sequence mezigdomide before CAR T?")).to_be_visible()
    expect(page.get_by_text("Maria Lopez, PharmD ·")).to_be_visible()

    page.get_by_role("link", name="Continue to the knowledge check").click()
    questions = list(Question.objects.for_activity(activity).prefetch_related("choices"))
    answer_knowledge_check(page, questions, right=5)
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", name="Not passed")).to_be_visible()
    expect(page.get_by_text("You answered 5 of 10 questions correctly (50%).")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Correct answer"))).to_have_count(0)

    page.get_by_role("link", name=re.compile(r"^Read lesson \d")).first.click()
    expect(page.get_by_text(re.compile(r"^Lesson \d of 4$"))).to_be_visible()
    page.get_by_role("link", name="Knowledge check").first.click()
    expect(page.get_by_role("link", name="Review", exact=False).first).to_be_visible()
    answer_knowledge_check(page, questions, right=10)
    page.get_by_role("button", name="Submit answers").click()
    expect(page.get_by_role("heading", name="Passed", exact=True)).to_be_visible()

    page.get_by_role("link", name="My progress").click()
    expect(page.get_by_text("Progress: 1 activity completed")).to_be_visible()
    expect(page.locator("dd", has_text=re.compile(r"^Completed on"))).to_be_visible()

    page.get_by_role("link", name="Certificate").click()
    expect(page.get_by_text("Maria Lopez, PharmD", exact=True)).to_be_visible()
    number = page.locator(".certificate-details dd").nth(2).inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", number)

    page.get_by_role("link", name=re.compile(r"verify")).click()
    expect(page.get_by_role("heading", name=f"Certificate {number} is genuine")).to_be_visible()
    expect(page.get_by_text("new.learner@example.org")).to_have_count(0)
