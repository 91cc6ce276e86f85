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
    minutes = math.ceil(words / WORDS_PER_MINUTE)
    return f"About {minutes} minutes ({words:,} words to read, at {WORDS_PER_MINUTE} a minute)"


def test_the_catalog_and_the_overview_say_how_long_it_takes(client, activity):
    words = words_to_read(activity)
    assert 1000 < words < 10_000
    assert f"{estimate_line(words)}." in block_texts(client.get(reverse("cme:catalog")))
    assert estimate_line(words) in block_texts(client.get(activity.get_absolute_url()))


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
    assert estimate_line(after) in block_texts(client.get(activity.get_absolute_url()))
    assert f"{estimate_line(after)}." in block_texts(client.get(reverse("cme:catalog")))
