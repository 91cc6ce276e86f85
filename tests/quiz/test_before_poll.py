"""The confidence question asked before the first lesson too: once, skippable, never blocking."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from quiz.models import Moment, Poll, PollResponse
from tests.concurrency import client_of, posting, run_at_once
from tests.conftest import make_learner
from tests.html import block_texts

BEFORE_YOU_START = "Before you start"


@pytest.fixture
def poll(activity):
    return Poll.objects.get(activity=activity, slug="confidence")


def answer(client, poll, value=None, skip=False):
    data = {"skip": "1"} if skip else {f"poll-{poll.pk}-option": str(value)}
    return client.post(poll.get_before_url(), data, follow=True)


def option_pk(poll, value):
    return poll.options.get(value=value).pk


def test_the_seed_asks_its_confidence_question_before_the_lessons_too(poll):
    assert poll.asked_before
    assert poll.question == (
        "How confident are you to discuss available clinical trials evaluating CELMoDs with "
        "your patients with MM?"
    )


def test_a_new_learner_is_asked_on_the_first_lesson_and_can_read_on(learner_client, lessons, poll):
    response = learner_client.get(lessons[0].get_absolute_url())
    blocks = block_texts(response)
    assert BEFORE_YOU_START in blocks
    assert poll.question in blocks  # no asterisk: the question is optional
    assert blocks.count("Not at all confident") == 1
    assert "Skip this question" in response.content.decode()
    assert lessons[0].paragraphs.first().text in " ".join(blocks)  # the lesson is all there
    assert BEFORE_YOU_START not in block_texts(learner_client.get(lessons[1].get_absolute_url()))


def test_readers_without_an_account_and_learners_who_started_are_not_asked(
    client, learner, lessons
):
    assert BEFORE_YOU_START not in block_texts(client.get(lessons[0].get_absolute_url()))
    client.force_login(learner)
    client.post(reverse("cme:complete", args=[lessons[1].activity.slug, lessons[1].slug]))
    assert BEFORE_YOU_START not in block_texts(client.get(lessons[0].get_absolute_url()))


def test_an_answer_before_is_kept_once_and_not_asked_again(learner_client, learner, lessons, poll):
    response = answer(learner_client, poll, option_pk(poll, 2))
    assert response.redirect_chain[-1][0] == lessons[0].get_absolute_url()
    assert "Thank you. At Your Thoughts you will be asked again" in " ".join(block_texts(response))
    assert BEFORE_YOU_START not in block_texts(response)
    again = answer(learner_client, poll, option_pk(poll, 5))
    assert "You have already answered this question before the lessons." in block_texts(again)
    row = PollResponse.objects.get(learner=learner)
    assert (row.moment, row.option.value) == (Moment.BEFORE, 2)


def test_a_skip_is_kept_and_the_question_not_asked_again(learner_client, learner, lessons, poll):
    response = answer(learner_client, poll, skip=True)
    assert "Skipped. You will not be asked this again." in block_texts(response)
    assert BEFORE_YOU_START not in block_texts(learner_client.get(lessons[0].get_absolute_url()))
    row = PollResponse.objects.get(learner=learner)
    assert (row.moment, row.option) == (Moment.BEFORE, None)
    assert "You have already answered" in " ".join(block_texts(answer(learner_client, poll, 3)))
    assert PollResponse.objects.count() == 1


def test_no_answer_before_once_answered_at_your_thoughts(learner_client, learner, poll):
    learner_client.post(poll.get_vote_url(), {f"poll-{poll.pk}-option": option_pk(poll, 4)})
    response = answer(learner_client, poll, option_pk(poll, 1))
    assert "You have already answered this question at Your Thoughts" in " ".join(
        block_texts(response)
    )
    assert not PollResponse.objects.filter(moment=Moment.BEFORE).exists()


@pytest.mark.parametrize("value", ["", "999999", "abc", "-1"])
def test_a_bad_or_foreign_option_is_refused_and_nothing_stored(learner_client, poll, value):
    response = learner_client.post(
        poll.get_before_url(), {f"poll-{poll.pk}-option": value}, follow=True
    )
    assert response.status_code == 200
    text = " ".join(block_texts(response))
    assert "Choose one of the options" in text or "not one of this poll's options" in text
    assert not PollResponse.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, poll):
    response = client.post(poll.get_before_url(), {f"poll-{poll.pk}-option": option_pk(poll, 3)})
    assert response["Location"].startswith(reverse("accounts:login"))
    assert not PollResponse.objects.exists()


def test_your_thoughts_shows_the_learners_own_change(learner_client, activity, poll):
    answer(learner_client, poll, option_pk(poll, 2))
    learner_client.post(poll.get_vote_url(), {f"poll-{poll.pk}-option": option_pk(poll, 4)})
    blocks = block_texts(learner_client.get(reverse("quiz:your_thoughts", args=[activity.slug])))
    assert "Before: Slightly confident. Now: Very confident." in blocks


def test_after_a_skip_your_thoughts_shows_no_change(learner_client, activity, poll):
    answer(learner_client, poll, skip=True)
    learner_client.post(poll.get_vote_url(), {f"poll-{poll.pk}-option": option_pk(poll, 4)})
    text = " ".join(
        block_texts(learner_client.get(reverse("quiz:your_thoughts", args=[activity.slug])))
    )
    assert "Your answer: Very confident. Answers are final." in text
    assert "Before:" not in text


def test_the_database_holds_one_answer_per_moment_and_skips_only_before(learner, poll):
    option = poll.options.get(value=3)
    PollResponse.objects.create(
        learner=learner, poll=poll, option=option, moment=Moment.BEFORE, profession="other"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PollResponse.objects.create(
            learner=learner, poll=poll, option=None, moment=Moment.BEFORE, profession="other"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        PollResponse.objects.create(
            learner=learner, poll=poll, option=None, moment=Moment.AFTER, profession="other"
        )
    other = make_learner("other@example.org", "Other")
    foreign = Poll.objects.create(activity=poll.activity, order=2, slug="other", question="Q?")
    with pytest.raises(IntegrityError), transaction.atomic():
        PollResponse.objects.create(
            learner=other, poll=foreign, option=option, moment=Moment.BEFORE, profession="other"
        )


@pytest.mark.django_db(transaction=True)
def test_concurrent_answers_before_store_one(learner, activity):
    poll = Poll.objects.get(activity=activity, slug="confidence")
    client = client_of(learner)
    data = {f"poll-{poll.pk}-option": option_pk(poll, 2)}
    statuses = run_at_once(
        [posting(client, poll.get_before_url(), data)] * 2
        + [posting(client, poll.get_before_url(), {"skip": "1"})]
    )
    assert statuses == [302, 302, 302]
    assert PollResponse.objects.filter(learner=learner).count() == 1


def test_the_question_before_is_marked_optional_and_an_empty_submit_asks_again(
    learner_client, learner, activity, lessons
):
    from django.urls import reverse as url_of

    from quiz.models import Poll, PollResponse

    html = learner_client.get(lessons[0].get_absolute_url()).content.decode()
    section = html.split('class="card mb-4 before-poll"', 1)[1].split("</section>", 1)[0]
    assert "asteriskField" not in section and " required" not in section
    poll = Poll.objects.get(activity=activity)
    response = learner_client.post(
        url_of("quiz:answer_before", args=[activity.slug, poll.slug]), follow=True
    )
    assert "Choose one of the options, or skip the question." in " ".join(block_texts(response))
    assert not PollResponse.objects.filter(learner=learner).exists()
