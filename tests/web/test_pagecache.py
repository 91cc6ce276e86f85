"""The caches: what no visitor can flood, and a site that goes on when the shared cache is gone."""

import re
import socket
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine
from django.core.cache import caches
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse

from celmod_course.web.reading import QUESTIONS_PER_MINUTE
from lessons.models import LessonCompletion, Paragraph
from quiz.models import Comment
from tests.conftest import AMA, PASSWORD, make_learner
from tests.html import block_texts


def ask(client, activity, n=0):
    return client.get(reverse("lessons:ask", args=[activity.slug]), {"q": f"cereblon {n}"})


def without_csrf_tokens(response):
    """The page with its forms' CSRF tokens and served times left out (each request gets its
    own)."""
    return re.sub(rb'name="(csrfmiddlewaretoken|opened)" value="[^"]*"', b"", response.content)


@pytest.mark.parametrize("query", ["?ref=phish-campaign-42", "?next=/evil", "?token=SECRET123"])
def test_a_query_string_on_one_readers_request_never_appears_in_another_readers_page(
    client, lessons, query
):
    url = lessons[0].get_absolute_url()
    words = query[1:].split("=")[1]
    own = client.get(url + query).content.decode()
    other = Client().get(url).content.decode()
    assert words not in own and words not in other
    assert f'href="{reverse("accounts:login")}?next={url}"' in other


def test_a_query_string_on_a_learners_request_never_appears_in_their_cached_pages(
    learner_client, activity
):
    for url in [activity.get_absolute_url(), reverse("quiz:your_thoughts", args=[activity.slug])]:
        assert "phish" not in learner_client.get(url + "?ref=phish").content.decode()
        assert "phish" not in learner_client.get(url).content.decode()


def test_a_comment_hidden_with_the_admin_action_leaves_learners_pages_at_once(
    learner_client, staff, activity
):
    other = make_learner("other@example.org", "Otto Other")
    comment = Comment.objects.create(learner=other, activity=activity, body="Buy pills here.")
    url = reverse("quiz:your_thoughts", args=[activity.slug])
    learner_client.get(url)
    assert "Buy pills here." in block_texts(learner_client.get(url))  # from the cache
    staff_client = Client()
    staff_client.force_login(staff)
    changelist = reverse("admin:quiz_comment_changelist")
    action = {"action": "hide", "_selected_action": [comment.pk]}
    assert staff_client.post(changelist, action).status_code == 302
    assert "Buy pills here." not in " ".join(block_texts(learner_client.get(url)))
    staff_client.post(changelist, action | {"action": "show"})
    assert "Buy pills here." in block_texts(learner_client.get(url))


def test_chosen_cookies_and_page_numbers_neither_grow_the_cache_nor_evict_a_limit(
    redis_db, learner, activity, lessons
):
    """The bound the page cache states: one entry per page and learner for their versions,
    whatever CSRF cookie or `?page=` the client sends (2,000 requests here)."""
    with time_machine.travel("2026-11-24 10:00:00Z", tick=False):  # all in one minute
        flood(redis_db, learner, activity, lessons)


def flood(redis_db, learner, activity, lessons):
    client = Client()
    client.force_login(learner)
    for n in range(QUESTIONS_PER_MINUTE):
        assert ask(client, activity, n).status_code == 200
    lesson = lessons[0].get_absolute_url()
    thoughts = reverse("quiz:your_thoughts", args=[activity.slug])
    client.get(lesson)
    client.get(thoughts)
    entries = redis_db.dbsize()
    for n in range(1000):
        client.cookies["csrftoken"] = f"{n:032d}"  # a well-formed token the client chose
        assert client.get(lesson).status_code == 200
    for n in range(1000):
        assert client.get(thoughts, {"page": n + 2}).status_code == 302  # to the page it means
    assert redis_db.dbsize() == entries
    assert ask(client, activity).status_code == 429  # the limit's count is still there


def test_a_flood_of_pages_cannot_push_out_a_rate_limit(client, activity, lessons):
    # The clock stands still: on a loaded machine the flood could outlast the limit's minute.
    with time_machine.travel("2026-11-24 10:00:00Z", tick=False):
        for n in range(QUESTIONS_PER_MINUTE):
            assert ask(client, activity, n).status_code == 200
        for n in range(400):  # more than the page cache would ever hold of one visitor's pages
            client.get(lessons[n % 4].get_absolute_url(), {"flood": n})
            client.get(reverse("cme:verify", args=[f"FLOOD-{n}"]))
        assert ask(client, activity).status_code == 429


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # free now, and nothing listens on it


def gone_redis():
    location = f"redis://127.0.0.1:{closed_port()}/0"
    backend = "celmod_course.cache.FailOpenRedisCache"
    return {
        alias: {"BACKEND": backend, "LOCATION": location, "KEY_PREFIX": alias}
        for alias in ("default", "limits")
    }


@pytest.fixture
def redis_gone(settings):
    with override_settings(CACHES=gone_redis()):
        yield


def test_without_redis_the_site_serves_pages_and_logs_learners_in(
    client, learner, activity, lessons, redis_gone
):
    assert type(caches["default"]).__name__ == "FailOpenRedisCache"
    assert client.get(lessons[0].get_absolute_url()).status_code == 200
    response = client.post(
        reverse("accounts:login"), {"username": learner.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    page = client.get(lessons[1].get_absolute_url())
    assert "Signed in as Jane Doe, MD" in block_texts(page)
    client.post(reverse("cme:complete", args=[activity.slug, lessons[1].slug]))
    assert "1 of 4 lessons completed" in block_texts(client.get(activity.get_absolute_url()))


def test_without_redis_rate_limits_fail_open(client, activity, redis_gone):
    for n in range(QUESTIONS_PER_MINUTE + 5):
        assert ask(client, activity, n).status_code == 200


def test_a_learners_lesson_page_comes_from_the_cache_with_no_query_once_warm(
    learner_client, lessons, django_assert_num_queries
):
    url = lessons[1].get_absolute_url()
    first = learner_client.get(url)
    with django_assert_num_queries(0):  # the session and the user from the cache too
        again = learner_client.get(url)
    assert without_csrf_tokens(again) == without_csrf_tokens(first)
    assert "no-store" in again["Cache-Control"]


def test_a_learners_own_write_shows_at_once_on_every_server(learner_client, learner, lessons):
    url = lessons[0].get_absolute_url()
    learner_client.get(url)  # the CSRF cookie; the next page is cached
    assert "You completed this lesson." not in " ".join(block_texts(learner_client.get(url)))
    # Written elsewhere (another server process, whose cache this one does not share): the
    # version the pages are keyed by lives in the learner's row, which every request reads.
    LessonCompletion.objects.record(learner=learner, lesson=lessons[0])
    assert "You completed this lesson." in " ".join(block_texts(learner_client.get(url)))


def test_a_learner_never_gets_another_learners_page(client, learner, lessons):
    url = lessons[0].get_absolute_url()
    client.force_login(learner)
    mine = client.get(url).content.decode()
    client.force_login(make_learner("other@example.org", "Otto Other"))
    theirs = client.get(url).content.decode()
    assert "Signed in as Jane Doe, MD" in mine and "Signed in as Otto Other" in theirs


def test_a_staff_edit_to_the_credit_shows_on_the_overview_at_once(
    learner_client, activity, designation
):
    url = activity.get_absolute_url()
    learner_client.get(url)  # the CSRF cookie; the next page is cached
    assert f"Physician: up to 1 {AMA}" in block_texts(learner_client.get(url))
    designation.max_amount = 2
    designation.save()
    assert f"Physician: up to 2 {AMA}" in block_texts(learner_client.get(url))


def test_your_thoughts_comes_from_the_cache_until_anyone_answers_or_comments(
    learner_client, activity, django_assert_max_num_queries
):
    url = reverse("quiz:your_thoughts", args=[activity.slug])
    learner_client.get(url)
    learner_client.get(url)
    with django_assert_max_num_queries(1):
        learner_client.get(url)
    other = make_learner("other@example.org", "Otto Other")
    Comment.objects.create(learner=other, activity=activity, body="A new thought.")
    assert "A new thought." in block_texts(learner_client.get(url))


def test_learners_get_your_thoughts_with_a_form_they_can_send(activity, learner):
    url = reverse("quiz:your_thoughts", args=[activity.slug])
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(make_learner("first@example.org"))
    second.force_login(learner)
    first.get(url)
    second.get(url)  # a CSRF cookie of its own
    html = second.get(url).content.decode()
    token = html.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    poll = activity.polls.get()
    data = {"csrfmiddlewaretoken": token, f"poll-{poll.pk}-option": poll.options.first().pk}
    response = second.post(poll.get_vote_url(), data)
    assert response.status_code == 302  # recorded, not a CSRF failure
    assert poll.responses.filter(learner=learner).exists()


def test_the_overview_comes_from_the_cache_once_warm(
    learner_client, activity, django_assert_max_num_queries
):
    learner_client.get(activity.get_absolute_url())
    learner_client.get(activity.get_absolute_url())
    with django_assert_max_num_queries(1):
        learner_client.get(activity.get_absolute_url())


def test_a_limit_cannot_be_doubled_at_a_windows_edge(client, activity):
    with time_machine.travel("2026-11-24 10:00:58Z", tick=False):
        for n in range(QUESTIONS_PER_MINUTE):
            assert ask(client, activity, n).status_code == 200
    with time_machine.travel("2026-11-24 10:01:02Z", tick=False):
        # A new fixed minute has begun, but the last minute already holds the limit.
        assert ask(client, activity).status_code == 429
    with time_machine.travel("2026-11-24 10:02:30Z", tick=False):
        assert ask(client, activity).status_code == 200


def test_with_redis_gone_the_limits_that_guard_accounts_still_hold(client, learner, redis_gone):
    """Wrong current passwords and password resets are counted in the database."""
    client.force_login(learner)
    url = reverse("accounts:password_change")
    wrong = {"old_password": "not it", "new_password1": "x", "new_password2": "x"}
    for _ in range(5):
        assert client.post(url, wrong).status_code == 200
    assert client.post(url, wrong).status_code == 429
    for n in range(10):
        client.post(reverse("accounts:password_reset"), {"email": f"r{n}@example.org"})
    assert (
        client.post(reverse("accounts:password_reset"), {"email": "x@example.org"}).status_code
        == 429
    )


def test_each_warm_lesson_page_carries_a_csrf_token_of_its_own_that_its_form_accepts(
    learner, lessons
):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    url = lessons[0].get_absolute_url()
    client.get(url)  # the CSRF cookie; the next pages come from the cache
    pages = [client.get(url).content.decode() for _ in range(2)]
    tokens = [re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', page)[1] for page in pages]
    assert tokens[0] != tokens[1]  # masked afresh for every response, as Django's own
    opened = re.search(r'name="opened" value="([^"]+)"', pages[1])[1]
    complete = reverse("cme:complete", args=[lessons[0].activity.slug, lessons[0].slug])
    response = client.post(complete, {"csrfmiddlewaretoken": tokens[0], "opened": opened})
    assert response.status_code == 302  # recorded, not a CSRF failure
    assert LessonCompletion.objects.get(learner=learner, lesson=lessons[0]).opened_at is not None


def read_in_another_connection(url):
    """The page's text as another request reads it, on a connection of its own."""

    def read():
        try:
            return " ".join(block_texts(Client().get(url)))
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(read).result()


@pytest.mark.django_db(transaction=True)
def test_a_page_read_while_an_edit_commits_is_not_kept_past_the_commit(activity, lessons):
    url = lessons[1].get_absolute_url()
    paragraph = Paragraph.objects.get(lesson=lessons[1], order=1)
    with transaction.atomic():
        paragraph.text = paragraph.text.replace("EXCALIBER", "EXCALIBUR")
        paragraph.save()
        # Another request reads the lesson meanwhile, as it was, and keeps the page.
        assert "EXCALIBER Maintenance" in read_in_another_connection(url)
    assert "EXCALIBUR Maintenance" in " ".join(block_texts(Client().get(url)))
