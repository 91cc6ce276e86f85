"""The attempt policy: a learner who fails the knowledge check a number of times in a row waits
before the next attempt, so that nobody passes by trying answers until the score says so."""

import re

import time_machine
from django.urls import reverse

from quiz.models import Attempt
from tests.conftest import answer_sheet
from tests.html import block_texts

START = "2026-03-02 09:00Z"


def kc_url(activity):
    return reverse("cme:knowledge_check", args=[activity.slug])


def submit_url(activity):
    return reverse("cme:submit", args=[activity.slug])


def test_after_three_failed_attempts_the_next_opens_a_day_later(learner_client, learner, activity):
    with time_machine.travel(START, tick=False):
        for _ in range(3):
            learner_client.post(submit_url(activity), answer_sheet(activity, right=2))
        response = learner_client.post(submit_url(activity), answer_sheet(activity, right=10))
        assert response["Location"] == kc_url(activity)
        assert Attempt.objects.filter(learner=learner).count() == 3
        page = " ".join(block_texts(learner_client.get(kc_url(activity))))
        assert "You have used the 3 attempts in a row the knowledge check allows." in page
        assert "Your next attempt opens on March 3, 2026 at 9 a.m. (UTC)." in page
        assert 'name="question_' not in learner_client.get(kc_url(activity)).content.decode()
    with time_machine.travel("2026-03-03 08:59Z", tick=False):
        learner_client.post(submit_url(activity), answer_sheet(activity, right=10))
        assert Attempt.objects.filter(learner=learner).count() == 3
    with time_machine.travel("2026-03-03 09:00Z", tick=False):
        learner_client.post(submit_url(activity), answer_sheet(activity, right=10))
        assert Attempt.objects.filter(learner=learner, passed=True).count() == 1


def test_the_wait_is_said_in_the_sites_time_zone(learner_client, activity, settings):
    settings.TIME_ZONE = "America/New_York"
    with time_machine.travel(START, tick=False):
        for _ in range(3):
            learner_client.post(submit_url(activity), answer_sheet(activity, right=2))
        page = " ".join(block_texts(learner_client.get(kc_url(activity))))
    assert "Your next attempt opens on March 3, 2026 at 4 a.m. (EST)." in page


def test_staff_set_the_policy_for_each_activity(learner_client, learner, activity):
    activity.attempts_before_wait, activity.wait_hours = 1, 2
    activity.save()
    with time_machine.travel(START, tick=False):
        learner_client.post(submit_url(activity), answer_sheet(activity, right=2))
        learner_client.post(submit_url(activity), answer_sheet(activity, right=10))
        assert Attempt.objects.filter(learner=learner).count() == 1
    with time_machine.travel("2026-03-02 11:00Z", tick=False):
        learner_client.post(submit_url(activity), answer_sheet(activity, right=2))
        assert Attempt.objects.filter(learner=learner).count() == 2
        learner_client.post(submit_url(activity), answer_sheet(activity, right=10))
        assert Attempt.objects.filter(learner=learner).count() == 2


def test_a_learner_who_passed_may_retake_it_at_once(learner_client, learner, activity):
    with time_machine.travel(START, tick=False):
        for right in (2, 2, 10, 2, 2, 2):
            learner_client.post(submit_url(activity), answer_sheet(activity, right=right))
    assert Attempt.objects.filter(learner=learner).count() == 6


def shown_questions(html):
    """{field name: [choice values as offered]} from the knowledge-check form."""
    groups = {}
    for name, value in re.findall(r'name="(question_\d+)" value="(\d+)"', html):
        groups.setdefault(name, []).append(int(value))
    return groups


def test_a_learner_who_never_reads_cannot_reach_a_pass_from_what_the_pages_show(
    learner_client, learner, activity
):
    """A player who opens no lesson and uses only the score each attempt shows: start somewhere,
    change one answer an attempt, keep a change that raised the score. Within the policy's
    attempts they reach no pass, and the pages never mark an answer right or wrong."""
    client = learner_client
    with time_machine.travel(START, tick=False):
        html = client.get(kc_url(activity)).content.decode()
        token = re.search(r'name="started" value="([^"]+)"', html).group(1)
        offered = shown_questions(html)
        sheet = {name: min(values) for name, values in offered.items()}
        best, changing = -1, iter(sorted(offered))
        for _ in range(10):
            response = client.post(submit_url(activity), {**sheet, "started": token})
            if response["Location"] == kc_url(activity):
                break  # refused: the policy's wait
            result = client.get(response["Location"])
            page = result.content.decode()
            assert "Answered correctly" not in page and "Answered incorrectly" not in page
            assert "Correct answer" not in page
            score = int(re.search(r"You answered (\d+) of", page).group(1))
            assert "Passed" not in block_texts(result)
            best = max(best, score)
            name = next(changing)
            options = sorted(offered[name])
            sheet[name] = options[options.index(sheet[name]) + 1]
        assert Attempt.objects.filter(learner=learner).count() == 3
        assert not Attempt.objects.filter(learner=learner, passed=True).exists()
        assert best < 7
