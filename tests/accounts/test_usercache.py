"""The signed-in user from the cache: a warm logged-in page runs no query, and every write of
the account (a log-out, a password change, a deletion, an edit) shows on the next request."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from django.urls import reverse

from celmod_course.accounts import usercache
from celmod_course.accounts.models import User
from lessons.models import LessonCompletion
from tests.conftest import PASSWORD, make_learner
from tests.html import block_texts
from tests.lti.conftest import answer_the_welcome, launch, target_of

pytestmark = pytest.mark.django_db

SIGNED_IN = "Signed in as Jane Doe, MD"


@pytest.fixture(params=["memory", "redis"])
def cached_users(request, settings, tmp_path):
    """Users cached, in the process's own memory with the generations in a shared file (as
    without REDIS_URL), or in Redis (as with it)."""
    settings.USER_GENERATIONS_PATH = str(tmp_path / "user-generations.bin")
    if request.param == "redis":
        request.getfixturevalue("redis_db")


def logged_in(learner):
    """A browser of the learner's, logged in through the log-in page."""
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": learner.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def texts(client, url):
    return " ".join(block_texts(client.get(url)))


@pytest.fixture
def lesson_url(lessons):
    return lessons[1].get_absolute_url()


def warm(client, url):
    """Read the page once, signed in: the page and the user are cached from now on."""
    assert SIGNED_IN in texts(client, url)


@pytest.mark.parametrize("page", ["lesson", "overview", "knowledge check"])
def test_a_warm_logged_in_page_runs_no_query(
    cached_users, learner, activity, lesson_url, page, django_assert_num_queries
):
    url = {
        "lesson": lesson_url,
        "overview": activity.get_absolute_url(),
        "knowledge check": reverse("cme:knowledge_check", args=[activity.slug]),
    }[page]
    client = logged_in(learner)
    first = client.get(url)
    with django_assert_num_queries(0):
        again = client.get(url)
    assert again.status_code == 200
    assert SIGNED_IN in block_texts(again) and block_texts(again) == block_texts(first)


def test_a_learner_an_lms_launched_into_its_frame_gets_warm_pages_with_no_query(
    cached_users, settings, platform, registration, activity, lesson_url, django_assert_num_queries
):
    settings.HTTPS = True
    client = Client()
    target = target_of(activity, scheme="https")
    response = launch(client, platform, target=target, secure=True)
    answered = answer_the_welcome(client, response)
    assert answered.status_code == 302
    with_message = client.get(lesson_url, secure=True)
    assert "Thank you. Your profile is saved." in block_texts(with_message)  # so not cached
    client.get(lesson_url, secure=True)
    with django_assert_num_queries(0):
        again = client.get(lesson_url, secure=True)
    assert "Signed in as Pat Learner, RN" in block_texts(again)
    assert "frame-ancestors" in again["Content-Security-Policy"]


def test_a_log_out_ends_the_cached_page_at_once_here_on_another_device_and_for_a_copied_cookie(
    cached_users, learner, lesson_url
):
    here, there = logged_in(learner), logged_in(learner)
    warm(here, lesson_url)
    warm(there, lesson_url)
    copied = Client()
    copied.cookies["sessionid"] = here.cookies["sessionid"].value

    assert here.post(reverse("accounts:logout")).status_code == 302

    for client in (here, there, copied):
        assert SIGNED_IN not in texts(client, lesson_url)
        assert client.get(reverse("cme:progress")).status_code == 302  # to the log-in page


def test_a_password_change_keeps_this_session_and_ends_the_others_at_once(
    cached_users, learner, lesson_url
):
    here, there = logged_in(learner), logged_in(learner)
    warm(here, lesson_url)
    warm(there, lesson_url)
    new = "another-long-passphrase-2026"
    response = here.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response["Location"] == reverse("accounts:password_change_done")

    assert SIGNED_IN in texts(here, lesson_url)
    assert SIGNED_IN not in texts(there, lesson_url)
    assert there.get(reverse("cme:progress")).status_code == 302


def test_deleting_the_account_ends_its_cached_pages_at_once_on_every_device(
    cached_users, learner, lesson_url
):
    here, there = logged_in(learner), logged_in(learner)
    warm(here, lesson_url)
    warm(there, lesson_url)
    copied = Client()
    copied.cookies["sessionid"] = there.cookies["sessionid"].value

    response = here.post(reverse("cme:delete_account"), {"password": PASSWORD}, follow=True)
    assert "Your account is deleted." in block_texts(response)

    for client in (here, there, copied):
        assert "Signed in as" not in texts(client, lesson_url)
        assert client.get(reverse("cme:progress")).status_code == 302


def test_a_learner_never_gets_another_learners_page(cached_users, learner, lesson_url):
    jane = logged_in(learner)
    otto = logged_in(make_learner("other@example.org", "Otto Other"))
    for _ in range(2):
        assert SIGNED_IN in texts(jane, lesson_url)
        assert "Signed in as Otto Other" in texts(otto, lesson_url)
        assert "Jane Doe" not in texts(otto, lesson_url)
    shared = Client()
    shared.force_login(learner)
    warm(shared, lesson_url)
    shared.force_login(User.objects.get(email="other@example.org"))  # on the same browser
    assert "Signed in as Otto Other" in texts(shared, lesson_url)


def test_a_staff_flag_set_in_the_admin_shows_on_the_next_page(
    cached_users, learner, staff, lesson_url
):
    client = logged_in(learner)
    warm(client, lesson_url)
    assert "Admin" not in block_texts(client.get(lesson_url))
    admin = Client()
    admin.force_login(staff)
    change = {
        "email": learner.email,
        "full_name": learner.full_name,
        "profession": learner.profession,
        "is_active": "on",
        "is_staff": "on",
        "date_joined_0": learner.date_joined.date().isoformat(),
        "date_joined_1": "09:00:00",
    }
    response = admin.post(reverse("admin:accounts_user_change", args=[learner.pk]), change)
    assert response.status_code == 302
    assert "Admin" in block_texts(client.get(lesson_url))


def test_a_profile_edit_shows_on_the_next_page(cached_users, learner, lesson_url):
    client = logged_in(learner)
    warm(client, lesson_url)
    profile = {"full_name": "Jane Q. Doe, MD", "profession": "nurse", "email": learner.email}
    assert client.post(reverse("accounts:profile"), profile).status_code == 302
    assert "Signed in as Jane Q. Doe, MD" in texts(client, lesson_url)


def test_an_email_change_shows_at_once_and_its_link_then_works_no_more(cached_users, learner):
    client = logged_in(learner)
    profile = {
        "full_name": learner.full_name,
        "profession": learner.profession,
        "email": "new@example.org",
        "current_password": PASSWORD,
    }
    client.post(reverse("accounts:profile"), profile)
    link = re.search(r"https?://[^/\s]+(/accounts/email/confirm/\S+)", mail.outbox[0].body)[1]
    assert "new@example.org" in texts(client, link)  # the user, now cached with the old one
    done = client.post(link, follow=True)
    assert "Your email address is now new@example.org." in block_texts(done)
    assert client.post(link).status_code == 404  # the account's address is the new one
    my_data = client.get(reverse("cme:my_data")).json()
    assert my_data["profile"]["email"] == "new@example.org"


def test_a_log_in_on_another_device_shows_in_the_learners_data_at_once(cached_users, learner):
    """A log-in changes the row (`last_login`) but no page: the save itself forgets the user."""
    client = logged_in(learner)
    first = client.get(reverse("cme:my_data")).json()["profile"]["last_login"]
    logged_in(learner)
    again = client.get(reverse("cme:my_data")).json()["profile"]["last_login"]
    assert again > first


def test_a_write_made_elsewhere_shows_on_the_next_page(cached_users, learner, lessons):
    """A lesson completed by another server process counts up the page version, an update()
    of the user's row: the cached user is forgotten with it."""
    client = logged_in(learner)
    url = lessons[0].get_absolute_url()
    warm(client, url)
    LessonCompletion.objects.record(learner=learner, lesson=lessons[0])
    assert "You completed this lesson." in texts(client, url)


def test_a_user_read_before_a_log_out_and_stored_after_it_is_never_served(
    cached_users, learner, lesson_url
):
    """The race: one request reads the user, a log-out on another device commits and forgets
    it, and only then does the first request store what it read."""
    here, there = logged_in(learner), logged_in(learner)  # the user is not cached yet
    key = usercache.user_key(learner.pk)  # a request of `there` finds where to store it...
    before = User.objects.get(pk=learner.pk)  # ...and reads the row, still logged in

    here.post(reverse("accounts:logout"))  # meanwhile: the log-out commits
    cache.set(key, before, 60)  # the first request stores what it read

    assert SIGNED_IN not in texts(there, lesson_url)
    assert there.get(reverse("cme:progress")).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_a_user_cached_before_a_log_out_commits_is_forgotten_when_it_commits(
    cached_users, learner, lesson_url
):
    """A request on another connection, while the log-out's transaction is still open, reads
    the row as it was and caches it; the commit forgets it again."""
    there = logged_in(learner)
    warm(there, lesson_url)
    with transaction.atomic():
        User.objects.filter(pk=learner.pk).update(session_version=F("session_version") + 1)
        with ThreadPoolExecutor(max_workers=1) as other_connection:
            page = other_connection.submit(texts_on_own_connection, there, lesson_url).result()
        assert SIGNED_IN in page  # the log-out is not committed yet
    assert SIGNED_IN not in texts(there, lesson_url)


def texts_on_own_connection(client, url):
    try:
        return texts(client, url)
    finally:
        connection.close()


def test_a_user_whose_row_is_deleted_is_logged_out_at_once(cached_users, learner, lesson_url):
    """Staff cannot delete accounts (a learner closes theirs); `seed_learners --delete` deletes
    synthetic learners' rows, a demo's sessions with them."""
    client = logged_in(learner)
    warm(client, lesson_url)
    learner.delete()
    assert "Signed in as" not in texts(client, lesson_url)


def test_every_update_of_user_rows_forgets_them(cached_users, learner, lesson_url):
    client = logged_in(learner)
    warm(client, lesson_url)
    User.objects.filter(pk=learner.pk).update(session_version=F("session_version") + 1)
    assert SIGNED_IN not in texts(client, lesson_url)


def test_with_users_not_cached_every_request_reads_the_user(
    settings, learner, lesson_url, django_assert_num_queries
):
    settings.CACHE_USERS = False
    client = logged_in(learner)
    warm(client, lesson_url)
    with django_assert_num_queries(1):
        assert SIGNED_IN in texts(client, lesson_url)


def test_without_redis_a_log_out_in_one_server_process_reaches_the_others_at_once(
    settings, tmp_path, learner, lesson_url
):
    """Each process keeps users in its own memory; the generations file they all map tells
    every one of them, at once, that the user changed."""
    path = tmp_path / "user-generations.bin"
    settings.USER_GENERATIONS_PATH = str(path)
    client = logged_in(learner)
    warm(client, lesson_url)
    key = usercache.user_key(learner.pk)
    another_process = usercache.SharedGenerations(path)  # the same file, mapped again
    assert usercache.user_key(learner.pk) == key

    another_process.renew([learner.pk])  # a log-out through another server process
    assert usercache.user_key(learner.pk) != key
    User.objects.filter(pk=learner.pk).update(session_version=F("session_version") + 1)
    assert SIGNED_IN not in texts(client, lesson_url)
