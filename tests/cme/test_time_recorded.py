"""The time a learner spent, as the site recorded it: from opening each lesson's page to
completing the lesson, and each knowledge-check attempt; shown beside the claim, kept with it."""

import re
from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from celmod_course.cme.models import CreditClaim
from lessons.models import LessonCompletion
from tests.cme.test_credit import claim_form, claim_url, evaluate
from tests.conftest import answer_sheet
from tests.html import block_texts


def opened_token(response):
    return re.search(r'name="opened" value="([^"]+)"', response.content.decode()).group(1)


def complete_url(lesson):
    return reverse("cme:complete", args=[lesson.activity.slug, lesson.slug])


def test_completing_a_lesson_records_when_its_page_was_opened(learner_client, learner, lessons):
    with time_machine.travel("2025-10-01 15:00Z", tick=False):
        learner_client.get(lessons[1].get_absolute_url())  # rendered, and cached
    with time_machine.travel("2025-10-01 15:00:30Z", tick=False):
        page = learner_client.get(lessons[1].get_absolute_url())  # from the cache
    with time_machine.travel("2025-10-01 15:06:30Z", tick=False):
        learner_client.post(complete_url(lessons[1]), {"opened": opened_token(page)})
    completion = LessonCompletion.objects.get(learner=learner)
    assert completion.opened_at == parse_datetime("2025-10-01 15:00:30Z")
    assert completion.time_spent == timedelta(minutes=6)


def test_a_forged_or_missing_opening_records_none(learner_client, learner, lessons):
    learner_client.post(complete_url(lessons[0]), {"opened": "1759330800"})
    learner_client.post(complete_url(lessons[1]))
    assert list(LessonCompletion.objects.values_list("opened_at", flat=True)) == [None, None]


def test_opening_a_lesson_writes_nothing(learner_client, learner, lessons):
    learner_client.get(lessons[0].get_absolute_url())
    assert not LessonCompletion.objects.exists()


def test_the_claim_page_shows_the_time_recorded_and_the_claim_keeps_it(
    learner_client, learner, activity, lessons, designation
):
    start = parse_datetime("2025-10-01 15:00Z")
    for n, lesson in enumerate(lessons):
        with time_machine.travel(start + timedelta(minutes=10 * n), tick=False):
            page = learner_client.get(lesson.get_absolute_url())
        with time_machine.travel(start + timedelta(minutes=10 * n + 4), tick=False):
            learner_client.post(complete_url(lesson), {"opened": opened_token(page)})
    kc = reverse("cme:knowledge_check", args=[activity.slug])
    with time_machine.travel(start + timedelta(minutes=50), tick=False):
        started = re.search(
            r'name="started" value="([^"]+)"', learner_client.get(kc).content.decode()
        ).group(1)
    with time_machine.travel(start + timedelta(minutes=53), tick=False):
        sheet = answer_sheet(activity, right=10) | {"started": started}
        learner_client.post(reverse("cme:submit", args=[activity.slug]), sheet)
        evaluate(learner, activity)
        claim_page = " ".join(
            block_texts(learner_client.get(reverse("cme:claim", args=[activity.slug])))
        )
        assert "The site recorded 19 minutes on this activity" in claim_page  # 4 x 4 + 3
        learner_client.post(claim_url(activity), claim_form(amount="0.25"))
    claim = CreditClaim.objects.get()
    assert claim.time_recorded == timedelta(minutes=19)
    assert str(claim.amount) == "0.25"
