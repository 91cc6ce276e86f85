"""The Your Thoughts page and its discussion: plain-text comments, escaped, moderated."""

import re

import pytest
import time_machine
from django.urls import reverse

from quiz.models import Comment, Poll, PollResponse
from tests.conftest import make_learner
from tests.html import block_texts


def page_url(activity):
    return reverse("quiz:your_thoughts", args=[activity.slug])


def post(client, activity, body):
    return client.post(reverse("quiz:comment", args=[activity.slug]), {"body": body})


def test_the_page_opens_with_the_seeds_prompt(client, activity):
    blocks = block_texts(client.get(page_url(activity)))
    assert "Your Thoughts" in blocks
    assert (
        "What are your questions about CELMoDs in the management of patients with MM? Please "
        "answer the polling question or leave a comment to join the discussion." in blocks
    )


def test_a_posted_comment_is_shown_with_the_authors_name_and_date(
    learner_client, learner, activity
):
    with time_machine.travel("2026-11-24 10:00Z", tick=False):
        response = post(learner_client, activity, "  How do CELMoDs fit after CAR T?  ")
    comment = Comment.objects.get()
    assert comment.body == "How do CELMoDs fit after CAR T?"
    assert response["Location"] == f"{page_url(activity)}?page=1#comment-{comment.pk}"
    blocks = block_texts(learner_client.get(page_url(activity)))
    assert "Your comment is posted." in blocks
    assert "Jane Doe, MD · November 24, 2026" in blocks
    assert "How do CELMoDs fit after CAR T?" in blocks


def test_comments_are_listed_oldest_first(learner_client, activity):
    for n, moment in enumerate(["2026-11-20 10:00Z", "2026-11-21 10:00Z", "2026-11-22 10:00Z"]):
        with time_machine.travel(moment, tick=False):
            Comment.objects.create(
                learner=make_learner(email=f"l{n}@example.org", full_name=f"Learner {n}"),
                activity=activity,
                body=f"Comment {n}",
            )
    blocks = block_texts(learner_client.get(page_url(activity)))
    positions = [blocks.index(f"Comment {n}") for n in range(3)]
    assert positions == sorted(positions)


def test_a_comment_that_looks_like_html_is_shown_as_text(learner_client, activity):
    body = '<script>alert("x")</script><b>bold</b> & <img src=x onerror=alert(1)>'
    post(learner_client, activity, body)
    html = learner_client.get(page_url(activity)).content.decode()
    assert "<script>alert" not in html
    assert "<b>bold</b>" not in html
    assert "<img src=x" not in html
    assert (
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt; &amp; "
        "&lt;img src=x onerror=alert(1)&gt;" in html
    )


def test_line_breaks_in_a_comment_are_kept(learner_client, activity):
    post(learner_client, activity, "First line\nSecond line")
    html = learner_client.get(page_url(activity)).content.decode()
    assert "First line<br>Second line" in html


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write a comment before posting it."),
        ("   \n  ", "Write a comment before posting it."),
        (
            "x" * 2001,
            "A comment can be up to 2,000 characters; yours has 2001. Shorten it and post again.",
        ),
    ],
)
def test_an_empty_or_too_long_comment_is_refused_with_a_clear_message(
    learner_client, activity, body, message
):
    response = post(learner_client, activity, body)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Comment.objects.exists()


def test_a_refused_comment_keeps_what_the_learner_wrote(learner_client, activity):
    response = post(learner_client, activity, "y" * 2001)
    assert "y" * 2001 in response.content.decode()


def test_a_comment_of_exactly_2000_characters_is_accepted(learner_client, activity):
    post(learner_client, activity, "z" * 2000)
    assert Comment.objects.get().body == "z" * 2000


def test_hidden_comments_are_not_shown(learner_client, learner, activity):
    Comment.objects.create(learner=learner, activity=activity, body="Visible comment")
    Comment.objects.create(learner=learner, activity=activity, body="Hidden one", is_hidden=True)
    blocks = block_texts(learner_client.get(page_url(activity)))
    assert "Visible comment" in blocks
    assert "Hidden one" not in " ".join(blocks)


def test_staff_hide_and_show_comments_from_the_admin(staff_client, learner, activity):
    comment = Comment.objects.create(learner=learner, activity=activity, body="Off topic")
    url = reverse("admin:quiz_comment_changelist")
    staff_client.post(url, {"action": "hide", "_selected_action": [comment.pk]})
    comment.refresh_from_db()
    assert comment.is_hidden
    staff_client.post(url, {"action": "show", "_selected_action": [comment.pk]})
    comment.refresh_from_db()
    assert not comment.is_hidden


def test_anonymous_visitors_are_sent_to_log_in_to_comment(client, activity):
    response = post(client, activity, "Hello")
    assert response["Location"] == f"{reverse('accounts:login')}?next={page_url(activity)}"
    assert not Comment.objects.exists()
    blocks = block_texts(client.get(page_url(activity)))
    text = "The discussion is among learners: log in or sign up to read it and join in."
    assert text in blocks


def test_visitors_without_an_account_do_not_see_learners_names_or_comments(client, activity):
    author = make_learner("author@example.org", "Dana Author, MD")
    Comment.objects.create(learner=author, activity=activity, body="Seen by learners only.")
    html = client.get(page_url(activity)).content.decode()
    assert "Dana Author" not in html
    assert "Seen by learners only." not in html
    client.force_login(make_learner("reader@example.org", "Rea Reader"))
    blocks = block_texts(client.get(page_url(activity)))
    assert "Seen by learners only." in blocks
    assert any(block.startswith("Dana Author, MD · ") for block in blocks)


def test_comments_are_paged_fifty_at_a_time(learner_client, learner, activity):
    client = learner_client
    Comment.objects.bulk_create(
        Comment(learner=learner, activity=activity, body=f"Note {n}") for n in range(60)
    )
    first = block_texts(client.get(page_url(activity)))
    assert "Note 0" in first and "Note 49" in first and "Note 50" not in first
    second = block_texts(client.get(page_url(activity), {"page": 2}))
    assert "Note 50" in second and "Note 59" in second
    # Any other value goes to the page it means, so each page has one address.
    for asked, meant in [("nonsense", 1), ("99", 2), ("02", 2), ("-1", 2)]:
        response = client.get(page_url(activity), {"page": asked})
        assert response["Location"] == f"{page_url(activity)}?page={meant}", asked


def test_the_page_runs_a_bounded_number_of_queries_however_many_comments_and_responses(
    learner_client, learner, activity, django_assert_max_num_queries
):
    poll = Poll.objects.get(activity=activity)
    others = [make_learner(email=f"l{n}@example.org") for n in range(30)]
    for n, other in enumerate(others):
        PollResponse.objects.record(learner=other, option=poll.options.get(value=n % 5 + 1))
    PollResponse.objects.record(learner=learner, option=poll.options.get(value=3))
    Comment.objects.bulk_create(
        Comment(learner=others[n % 30], activity=activity, body=f"Note {n}") for n in range(120)
    )
    with django_assert_max_num_queries(9):
        response = learner_client.get(page_url(activity))
    assert "How 31 learners answered" in block_texts(response)


def test_an_empty_comment_comes_back_on_the_form_with_its_error(learner_client, activity):
    page = learner_client.get(page_url(activity)).content.decode()
    form = re.search(r'<form method="post" action="([^"]+)" id="comment-form"', page)
    assert form.group(1) == reverse("quiz:comment", args=[activity.slug]) + "#comment-form"
    response = post(learner_client, activity, "   ")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="comment-form"' in html
    assert "Write a comment before posting it." in " ".join(block_texts(response))
    assert not Comment.objects.exists()
