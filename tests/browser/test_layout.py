"""What the eye sees: nothing drawn over anything else."""

from django.urls import reverse


def test_an_asks_attribution_sits_below_its_quoted_passage(page, activity):
    page.goto(reverse("lessons:ask", args=[activity.slug]) + "?q=neutropenia")
    quotes = page.locator("ol.answers figure")
    assert quotes.count() >= 2
    for n in range(quotes.count()):
        passage = quotes.nth(n).locator("blockquote").bounding_box()
        attribution = quotes.nth(n).locator("figcaption").bounding_box()
        assert attribution["y"] >= passage["y"] + passage["height"]
