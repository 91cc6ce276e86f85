"""The confidence poll: one final answer per learner, and results once five have answered."""

import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from celmod_course.cme.models import ActivityCompletion
from celmod_course.cme.tallies import poll_tallies
from quiz.models import Poll, PollOption, PollResponse
from tests.concurrency import client_of, run_at_once
from tests.conftest import PASSWORD, answer_sheet, complete_all_lessons, make_learner
from tests.html import block_texts, block_texts_of, text_of_id

OPTIONS = [
    "Not at all confident",
    "Slightly confident",
    "Moderately confident",
    "Very confident",
    "Extremely confident",
]


@pytest.fixture
def poll(activity):
    return Poll.objects.get(activity=activity, slug="confidence")


def page_url(activity):
    return reverse("quiz:your_thoughts", args=[activity.slug])


def vote(client, poll, option):
    return client.post(poll.get_vote_url(), {f"poll-{poll.pk}-option": str(option.pk)})


def option(poll, value):
    return poll.options.get(value=value)


def test_the_fixture_holds_the_seeds_poll_with_five_options_valued_1_to_5(poll):
    assert poll.question == (
        "How confident are you to discuss available clinical trials evaluating CELMoDs "
        "with your patients with MM?"
    )
    assert [(o.text, o.value) for o in poll.options.all()] == list(
        zip(OPTIONS, range(1, 6), strict=True)
    )


def test_the_poll_is_a_radio_group_with_a_legend(learner_client, activity, poll):
    response = learner_client.get(page_url(activity))
    html = response.content.decode()
    assert html.count("<fieldset") == 1
    legend = html[html.index("<legend") : html.index("</legend>")]
    assert poll.question in legend
    assert html.count('type="radio"') == 5
    for text in OPTIONS:
        assert text in block_texts(response) or text in html


def test_a_learner_answers_once_and_sees_their_answer(learner_client, learner, activity, poll):
    response = vote(learner_client, poll, option(poll, 4))
    assert response.status_code == 302
    assert response["Location"] == page_url(activity) + "#poll-confidence"
    assert PollResponse.objects.get(learner=learner).option.value == 4
    blocks = block_texts(learner_client.get(page_url(activity)))
    assert "Thank you. Your answer is recorded." in blocks
    assert "Your answer: Very confident. Answers are final." in blocks


def test_what_a_vote_says_is_shown_in_the_polls_box_where_the_vote_returns(
    learner_client, activity, poll
):
    response = learner_client.post(poll.get_vote_url(), {})
    assert response["Location"].endswith("#poll-confidence")
    html = learner_client.get(response["Location"]).content.decode()
    assert "Choose one of the options to answer the poll." in text_of_id(html, "poll-confidence")

    response = vote(learner_client, poll, option(poll, 4))
    assert response["Location"].endswith("#poll-confidence")
    html = learner_client.get(response["Location"]).content.decode()
    assert "Thank you. Your answer is recorded." in text_of_id(html, "poll-confidence")
    assert html.count("Thank you. Your answer is recorded.") == 1  # not at the top as well


def test_a_second_answer_changes_nothing_and_says_why(learner_client, learner, activity, poll):
    vote(learner_client, poll, option(poll, 2))
    response = vote(learner_client, poll, option(poll, 5))
    assert response.status_code == 302
    assert PollResponse.objects.get(learner=learner).option.value == 2
    blocks = block_texts(learner_client.get(page_url(activity)))
    assert (
        "You have already answered this poll. Your answer is final and was not changed." in blocks
    )


@pytest.mark.parametrize("bad", ["foreign", "999999", "abc", "", "-3"])
def test_an_option_of_another_poll_or_none_is_refused(learner_client, activity, poll, bad):
    if bad == "foreign":
        other = Poll.objects.create(
            activity=activity, order=2, slug="before", question="Before lesson 1?"
        )
        bad = str(PollOption.objects.create(poll=other, order=1, text="Yes", value=1).pk)
    response = learner_client.post(poll.get_vote_url(), {f"poll-{poll.pk}-option": bad})
    assert response.status_code == 302
    assert not PollResponse.objects.exists()
    blocks = block_texts(learner_client.get(page_url(activity)))
    assert any(
        message in blocks
        for message in (
            "That answer is not one of this poll's options. Choose one of the options shown.",
            "Choose one of the options to answer the poll.",
        )
    )


def test_the_database_refuses_a_response_with_another_polls_option(learner, activity, poll):
    other = Poll.objects.create(activity=activity, order=2, slug="before", question="Before?")
    foreign = PollOption.objects.create(poll=other, order=1, text="Yes", value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PollResponse.objects.create(learner=learner, poll=poll, option=foreign)


def test_results_stay_hidden_until_five_learners_have_answered(client, activity, poll):
    learners = [make_learner(email=f"l{n}@example.org") for n in range(5)]
    for learner in learners[:4]:
        PollResponse.objects.record(learner=learner, option=option(poll, 3))
    client.force_login(learners[0])
    blocks = block_texts(client.get(page_url(activity)))
    assert (
        "How other learners answered appears here once at least 5 learners have answered, "
        "so that no single answer can be singled out." in blocks
    )
    assert "Moderately confident Your answer" not in blocks

    PollResponse.objects.record(learner=learners[4], option=option(poll, 5))
    blocks = block_texts(client.get(page_url(activity)))
    assert "How 5 learners answered" in blocks


def test_results_show_counts_percentages_total_and_the_own_answer(client, activity, poll):
    values = [1, 3, 3, 4, 4, 4, 5, 5]
    learners = [make_learner(email=f"l{n}@example.org") for n in range(len(values))]
    for learner, value in zip(learners, values, strict=True):
        PollResponse.objects.record(learner=learner, option=option(poll, value))
    client.force_login(learners[3])
    response = client.get(page_url(activity))
    html = response.content.decode()
    blocks = block_texts(response)
    assert "How 8 learners answered" in blocks
    rows = re.findall(r"<tr[^>]*>\s*<th scope=\"row\".*?</tr>", html, flags=re.S)
    cells = [[cell for cell in block_texts_of(row) if cell] for row in rows]
    assert cells == [
        ["Not at all confident", "1", "13%"],
        ["Slightly confident", "0", "0%"],
        ["Moderately confident", "2", "25%"],
        ["Very confident Your answer", "3", "38%"],
        ["Extremely confident", "2", "25%"],
    ]
    assert html.count('class="own-answer"') == 1


def test_the_numbers_come_from_the_kept_counts(activity, poll, django_assert_num_queries):
    """The options, and the poll's kept counts: two queries, however many answers."""
    for n in range(7):
        PollResponse.objects.record(
            learner=make_learner(email=f"l{n}@example.org"), option=option(poll, n % 5 + 1)
        )
    with django_assert_num_queries(2):
        tally = poll_tallies([poll])[poll.pk]
        assert tally.total == 7
        assert [count for _, count, _ in tally.options] == [2, 2, 1, 1, 1]


def test_anonymous_visitors_are_sent_to_log_in_to_vote(client, activity, poll):
    response = vote(client, poll, option(poll, 3))
    assert response["Location"] == f"{reverse('accounts:login')}?next={page_url(activity)}"
    assert not PollResponse.objects.exists()


def test_the_overview_shows_whether_the_learner_answered_the_poll(
    learner_client, learner, activity, poll
):
    blocks = block_texts(learner_client.get(activity.get_absolute_url()))
    assert "5. Your Thoughts (poll and discussion) · poll not answered yet" in blocks
    vote(learner_client, poll, option(poll, 3))
    blocks = block_texts(learner_client.get(activity.get_absolute_url()))
    assert "5. Your Thoughts (poll and discussion) ✓(poll answered)" in blocks


def test_completing_the_activity_does_not_require_the_poll(learner_client, learner, activity):
    complete_all_lessons(learner, activity)
    learner_client.post(reverse("cme:submit", args=[activity.slug]), answer_sheet(activity, 10))
    assert ActivityCompletion.objects.filter(learner=learner).exists()
    assert not PollResponse.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_racing_votes_leave_one_response_and_no_error(learner, activity):
    poll = Poll.objects.get(activity=activity, slug="confidence")
    first, second = option(poll, 2), option(poll, 5)
    client = client_of(learner)
    statuses = run_at_once(
        [lambda choice=choice: vote(client, poll, choice).status_code for choice in (first, second)]
    )

    assert statuses == [302, 302]
    assert PollResponse.objects.filter(learner=learner).count() == 1


def test_staff_answers_count_neither_for_learners_nor_on_the_dashboard(
    client, learner, staff, activity, poll
):
    for n in range(4):
        vote(client_of(make_learner(f"l{n}@example.org", f"Learner {n}")), poll, option(poll, 4))
    vote(client_of(staff), poll, option(poll, 1))
    vote(client_of(learner), poll, option(poll, 2))  # the fifth learner
    ours = block_texts(client_of(learner).get(page_url(activity)))
    assert "How 5 learners answered" in ours
    assert "Not at all confident 0 0%" in " ".join(ours)
    dashboard = " ".join(
        block_texts(client_of(staff).get(reverse("cme:results", args=[activity.slug])))
    )
    assert "Not at all confident 1 0 0%" in dashboard  # option, value, learners, share
    assert "Very confident 4 4 80%" in dashboard


def test_a_staff_answer_does_not_bring_the_results_to_the_minimum(learner, staff, activity, poll):
    for n in range(3):
        vote(client_of(make_learner(f"l{n}@example.org", f"Learner {n}")), poll, option(poll, 4))
    vote(client_of(staff), poll, option(poll, 1))
    vote(client_of(learner), poll, option(poll, 2))
    blocks = block_texts(client_of(learner).get(page_url(activity)))
    assert not any(block.startswith("How 5 learners") for block in blocks)
    assert any("once at least 5 learners have answered" in block for block in blocks)


def test_a_reader_is_told_to_log_in_before_choosing_an_answer(client, activity, poll):
    response = client.get(page_url(activity))
    html = response.content.decode()
    blocks = block_texts(response)
    assert 'type="radio"' not in html  # nothing to pick that a log-in would lose
    assert poll.question in blocks
    for option in OPTIONS:
        assert option in blocks
    login = f"{reverse('accounts:login')}?next={page_url(activity)}%23poll-confidence"
    assert f'href="{login}">Log in to answer</a>' in html

    learner = make_learner()
    back = f"{page_url(activity)}#poll-confidence"
    logged_in = client.post(
        reverse("accounts:login"), {"username": learner.email, "password": PASSWORD, "next": back}
    )
    assert logged_in["Location"] == back  # to the question, ready to answer
