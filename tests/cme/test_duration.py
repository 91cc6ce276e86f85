"""How long the activity takes: computed from the words a learner reads, and kept true."""

import math

from django.urls import reverse

from celmod_course.cme.duration import WORDS_PER_MINUTE
from lessons.models import Paragraph
from quiz.models import Choice, Question
from tests.html import block_texts


def words_to_read(activity):
    texts = [p.text for p in Paragraph.objects.filter(lesson__activity=activity)]
    texts += [q.prompt for q in Question.objects.filter(activity=activity)]
    texts += [c.text for c in Choice.objects.filter(question__activity=activity)]
    return sum(len(text.split()) for text in texts)


def estimate_line(words):
    """The estimate as a page shows it: plain words, with what it rests on as its title."""
    minutes = math.ceil(words / WORDS_PER_MINUTE)
    basis = f"{words:,} words to read, at {WORDS_PER_MINUTE} a minute"
    return f'<span class="estimate" title="{basis}">About {minutes} minutes</span>'


def test_the_catalog_and_the_overview_say_how_long_it_takes(client, activity):
    words = words_to_read(activity)
    assert 1000 < words < 10_000
    assert estimate_line(words) in client.get(reverse("cme:catalog")).content.decode()
    assert estimate_line(words) in client.get(activity.get_absolute_url()).content.decode()


def test_the_estimate_follows_the_content(client, lessons):
    activity = lessons[0].activity
    before = words_to_read(activity)
    client.get(activity.get_absolute_url())  # cached, with the estimate
    Paragraph.objects.create(lesson=lessons[0], order=98, text="word " * 300)
    Paragraph.objects.create(lesson=lessons[0], order=99, text="word " * 300)  # read twice
    question = Question.objects.filter(activity=activity).first()
    question.prompt += " Answer in one word"
    question.save()
    after = words_to_read(activity)
    assert after == before + 600 + 4
    assert estimate_line(after) in client.get(activity.get_absolute_url()).content.decode()
    assert estimate_line(after) in client.get(reverse("cme:catalog")).content.decode()


def test_the_catalog_and_the_overview_put_the_credit_offered_up_front(
    client, activity, designation
):
    from tests.conftest import AMA, make_learner

    for page in (reverse("cme:catalog"), activity.get_absolute_url()):
        text = " ".join(block_texts(client.get(page)))
        assert f"Physician: up to 1 {AMA}" in text, page
    client.force_login(make_learner())  # a physician: their own credit, without the profession
    catalog = " ".join(block_texts(client.get(reverse("cme:catalog"))))
    assert f"About 10 minutes · Credit: up to 1 {AMA}" in catalog
    overview = block_texts(client.get(activity.get_absolute_url()))
    assert overview.index(f"up to 1 {AMA}") < overview.index("Your progress")
