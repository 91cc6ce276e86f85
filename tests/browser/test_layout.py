"""What the eye sees: nothing drawn over anything else, controls big enough to tap and easy to
see, and the learner brought to what needs their attention."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from quiz.models import Comment
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD


def test_an_asks_attribution_sits_below_its_quoted_passage(page, activity):
    page.goto(reverse("lessons:ask", args=[activity.slug]) + "?q=neutropenia")
    quotes = page.locator("ol.answers figure")
    assert quotes.count() >= 2
    for n in range(quotes.count()):
        passage = quotes.nth(n).locator("blockquote").bounding_box()
        attribution = quotes.nth(n).locator("figcaption").bounding_box()
        assert attribution["y"] >= passage["y"] + passage["height"]


def luminance(rgb):
    def channel(value):
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(v) for v in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first, second):
    lighter, darker = sorted([luminance(first), luminance(second)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def rgb(css):
    return [int(part) for part in re.findall(r"\d+", css)[:3]]


# The edge of each radio button and the colour of the box it sits on (the first ancestor with a
# background that is not transparent).
CONTROL_COLOURS = """(input) => {
  let up = input.parentElement;
  while (up && getComputedStyle(up).backgroundColor === "rgba(0, 0, 0, 0)") up = up.parentElement;
  return [getComputedStyle(input).borderTopColor, getComputedStyle(up).backgroundColor];
}"""


@pytest.mark.parametrize("width", [320, 390])
def test_the_knowledge_checks_controls_are_big_enough_and_stand_out(
    browser, live_server, activity, learner, width
):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}
    )
    page = context.new_page()
    log_in(page, learner.email, PASSWORD)
    page.goto(reverse("cme:knowledge_check", args=[activity.slug]))
    radios = page.locator('input[type="radio"]')
    assert radios.count() == 40
    for n in range(radios.count()):
        box = radios.nth(n).bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24, box
        edge, ground = radios.nth(n).evaluate(CONTROL_COLOURS)
        assert contrast(rgb(edge), rgb(ground)) >= 3, (edge, ground)
    # Each question stands apart: its own box, with space before the next.
    first, second = page.locator(".knowledge-check fieldset").all()[:2]
    gap = second.bounding_box()["y"] - (first.bounding_box()["y"] + first.bounding_box()["height"])
    assert gap >= 16
    assert first.evaluate("(el) => getComputedStyle(el).borderTopStyle") == "solid"
    context.close()


@pytest.mark.parametrize("width", [320, 390])
def test_each_question_on_a_phone_sits_inside_its_box_below_the_border(
    browser, live_server, activity, learner, width
):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}
    )
    page = context.new_page()
    log_in(page, learner.email, PASSWORD)
    page.goto(reverse("cme:knowledge_check", args=[activity.slug]))
    boxes = page.locator(".knowledge-check fieldset").all()
    assert len(boxes) == 10
    wrapped = 0
    for box in boxes:
        outer, legend = box.bounding_box(), box.locator("legend").bounding_box()
        border = box.evaluate("(el) => parseFloat(getComputedStyle(el).borderTopWidth)")
        assert legend["y"] >= outer["y"] + border, (outer, legend)  # below the top border
        assert legend["y"] + legend["height"] <= outer["y"] + outer["height"]
        assert outer["x"] <= legend["x"]
        assert legend["x"] + legend["width"] <= outer["x"] + outer["width"]
        wrapped += legend["height"] > 40  # two lines or more
    assert wrapped  # the case that matters: questions that wrap
    context.close()


def test_an_empty_comment_brings_the_learner_back_to_the_form_and_its_error(
    browser, live_server, activity, learner
):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, learner.email, PASSWORD)
    for n in range(12):  # enough comments to push the form far down the page
        Comment.objects.create(learner=learner, activity=activity, body=f"Comment {n}. " * 40)
    page.goto(reverse("quiz:your_thoughts", args=[activity.slug]))
    page.get_by_role("button", name="Post comment").click()
    error = page.get_by_text("Write a comment before posting it.")
    expect(error).to_be_in_viewport()
    expect(page.get_by_label("Your comment")).to_be_in_viewport()
    context.close()


def test_after_voting_on_a_phone_the_thank_you_is_in_view(browser, live_server, activity, learner):
    for n in range(12):  # enough comments that the poll's box scrolls to the window's top
        Comment.objects.create(learner=learner, activity=activity, body=f"Comment {n}. " * 40)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, learner.email, PASSWORD)
    page.goto(reverse("quiz:your_thoughts", args=[activity.slug]))
    page.get_by_label("Very confident").check()
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page).to_have_url(re.compile("#poll-confidence$"))
    page.wait_for_function("window.scrollY > 0")  # gone down to the poll's box
    expect(page.get_by_text("Thank you. Your answer is recorded.")).to_be_in_viewport()
    context.close()


def test_the_admin_keeps_long_titles_clear_of_its_buttons_and_the_hidden_column_in_view(
    browser, live_server, activity, lessons, staff, learner
):
    lesson = lessons[0]  # the seed's longest heading runs to two lines
    Comment.objects.create(learner=learner, activity=activity, body="Word " * 200)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, staff.email, PASSWORD)
    page.goto(reverse("admin:lessons_lesson_change", args=[lesson.pk]))
    title = page.locator("#content h2").first.bounding_box()
    for button in page.locator(".object-tools a").all():
        box = button.bounding_box()
        overlaps_across = (
            box["x"] < title["x"] + title["width"] and title["x"] < box["x"] + box["width"]
        )
        overlaps_down = (
            box["y"] < title["y"] + title["height"] and title["y"] < box["y"] + box["height"]
        )
        assert not (overlaps_across and overlaps_down), (box, title)
    page.goto(reverse("admin:quiz_comment_changelist"))
    hidden = page.locator("#result_list th.column-is_hidden").bounding_box()
    assert hidden["x"] + hidden["width"] <= 1280
    context.close()


def test_the_activity_form_fits_a_laptop_with_a_designation(browser, live_server, offering, staff):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    log_in(page, staff.email, PASSWORD)
    page.goto(reverse("admin:lessons_activity_change", args=[offering.pk]))
    expect(page.get_by_role("heading", name=re.compile("Change activity"))).to_be_visible()
    from tests.browser.test_accessibility import SIDEWAYS

    assert page.evaluate(SIDEWAYS) == []
    context.close()
