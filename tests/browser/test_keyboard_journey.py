"""The whole learner journey with the keyboard alone: no mouse, no clicks."""

import re

from django.urls import reverse
from playwright.sync_api import expect

from quiz.models import Question
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD, open_link

FOCUSED = "el => el === document.activeElement"


def tab_to(page, locator, limit=150):
    """Press Tab until the element has the focus, as a keyboard user moves through a page."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate(FOCUSED):
            return
    raise AssertionError(f"Tab never reached {locator}")


def activate(page, locator):
    tab_to(page, locator)
    page.keyboard.press("Enter")


def choose(page, group, index):
    """Pick a radio button: Tab into the group, then the arrow keys (Space for the first)."""
    tab_to(page, group.locator("input[type=radio]").first)
    if index == 0:
        page.keyboard.press("Space")
    for _ in range(index):
        page.keyboard.press("ArrowDown")
    expect(group.locator("input[type=radio]").nth(index)).to_be_checked()


def answer_with_keys(page, questions, right):
    """Answer the first `right` questions correctly and the rest wrongly, wherever the shuffled
    order put their choices."""
    for number, question in enumerate(questions, start=1):
        group = page.get_by_role("group", name=f"{number}. {question.prompt}")
        shown = [text.strip() for text in group.locator("label").all_inner_texts()]
        pick = next(c for c in question.choices.all() if c.is_correct == (number <= right))
        choose(page, group, shown.index(pick.text))


def test_the_learner_journey_works_with_the_keyboard_alone(page, activity):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate(FOCUSED)
    expect(skip).to_be_visible()
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none", "focus must be visible"
    page.keyboard.press("Enter")

    activate(page, page.get_by_role("link", name="CELMoDs in Multiple Myeloma"))
    expect(page.get_by_role("heading", level=1)).to_have_text("CELMoDs in Multiple Myeloma")
    activate(page, page.get_by_role("main").get_by_role("link", name="sign up"))

    email = page.get_by_label("Email address")
    expect(email).to_be_focused()  # the form puts the cursor in its first field
    page.keyboard.type("keys.only@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type("Kim Keys, NP")
    page.keyboard.press("Tab")
    page.keyboard.type("Nurse")
    expect(page.get_by_label("Profession")).to_have_value("nurse")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    activate(page, page.get_by_role("button", name="Create account"))
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    page.goto(open_link("keys.only@example.org"))
    activate(page, page.get_by_role("button", name="Open my account"))
    expect(page.get_by_text("Welcome, Kim Keys, NP. Your account is ready.")).to_be_visible()

    activate(page, page.get_by_role("link", name=re.compile(r"^Start")))
    for number in range(1, 5):
        expect(page.get_by_text(f"Lesson {number} of 4")).to_be_visible()
        button = page.get_by_role("button", name="Complete and continue")
        activate(page, button)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your Thoughts")

    choose(page, page.get_by_role("group", name=re.compile("How confident")), 3)
    activate(page, page.get_by_role("button", name="Submit", exact=True))
    expect(page.get_by_text("Your answer: Very confident. Answers are final.")).to_be_visible()

    tab_to(page, page.get_by_label("Your comment"))
    page.keyboard.type("Typed without a mouse.")
    activate(page, page.get_by_role("button", name="Post comment"))
    expect(page.get_by_text("Typed without a mouse.")).to_be_visible()

    activate(page, page.get_by_role("link", name="Continue to the knowledge check"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Knowledge check")
    questions = list(Question.objects.for_activity(activity).prefetch_related("choices"))
    answer_with_keys(page, questions, right=4)
    activate(page, page.get_by_role("button", name="Submit answers"))
    expect(page.get_by_role("heading", name="Not passed")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^Correct answer"))).to_have_count(0)

    activate(page, page.get_by_role("link", name=re.compile(r"^Read lesson \d")).first)
    expect(page.get_by_text(re.compile(r"^Lesson \d of 4$"))).to_be_visible()
    activate(page, page.get_by_role("link", name=re.compile(r"Knowledge check$")))
    expect(page.get_by_role("heading", level=1)).to_have_text("Knowledge check")
    answer_with_keys(page, questions, right=10)
    activate(page, page.get_by_role("button", name="Submit answers"))
    expect(page.get_by_role("heading", name="Passed", exact=True)).to_be_visible()

    activate(page, page.get_by_role("link", name="View your certificate"))
    expect(page.get_by_text("Kim Keys, NP", exact=True)).to_be_visible()


def test_enter_on_an_answer_goes_on_to_the_next_unanswered_question_and_sends_nothing(
    page, activity, learner
):
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, learner.email, PASSWORD)
    url = reverse("cme:knowledge_check", args=[activity.slug])
    page.goto(url)
    questions = Question.objects.for_activity(activity)
    first_choices = [
        page.get_by_role("group", name=f"{number}. {question.prompt}").get_by_role("radio").first
        for number, question in enumerate(questions, start=1)
    ]
    count = page.locator("#answered-count")
    expect(count).to_have_text("0 of 10 answered")

    choose(page, page.get_by_role("group", name=f"1. {questions[0].prompt}"), 1)
    page.keyboard.press("Enter")
    expect(first_choices[1]).to_be_focused()
    expect(page).to_have_url(re.compile(f"{url}$"))
    expect(page.get_by_text("Your answers were not submitted.")).to_have_count(0)

    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    expect(first_choices[2]).to_be_focused()
    page.keyboard.press("Space")
    expect(count).to_have_text("3 of 10 answered")


def test_answers_sent_with_questions_left_open_bring_the_focus_to_the_list_of_errors(
    page, activity, learner
):
    log_in(page, learner.email, PASSWORD)
    page.goto(reverse("cme:knowledge_check", args=[activity.slug]))
    activate(page, page.get_by_role("button", name="Submit answers"))
    summary = page.get_by_role("alert").filter(has_text="Your answers were not submitted.")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    expect(page.locator("#answered-count")).to_have_text("0 of 10 answered")
