"""Redis is a convenience with a fuse: with Redis stalled (a server of the test's own, stopped
with SIGSTOP), pages still answer within a second, and a log-out made during the stall stays a
log-out when Redis comes back (with users cached, once the cached user expires)."""

import shutil
import signal
import subprocess
import time

import pytest
import redis
from django.test import Client, override_settings
from django.urls import reverse

from celmod_course import cache as cache_module
from tests.conftest import unavailable
from tests.test_two_servers import free_port


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test's own, and the site's caches on it."""
    binary = shutil.which("redis-server")
    if binary is None:
        unavailable("redis-server is not installed.", "REQUIRE_REDIS")
    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(50):
        try:
            client.ping()
            break
        except redis.exceptions.ConnectionError:
            time.sleep(0.1)
    backend = "celmod_course.cache.FailOpenRedisCache"
    options = {"socket_connect_timeout": 0.1, "socket_timeout": 0.1}
    caches = {
        alias: {"BACKEND": backend, "LOCATION": url, "KEY_PREFIX": alias, "OPTIONS": options}
        for alias in ("default", "limits")
    }
    try:
        with override_settings(CACHES=caches, REDIS_URL=url):
            yield process
    finally:
        process.send_signal(signal.SIGCONT)
        process.terminate()
        process.wait(timeout=10)


def timed_get(client, url):
    began = time.monotonic()
    response = client.get(url)
    return response, time.monotonic() - began


def test_with_redis_stalled_pages_answer_and_a_logout_stays_a_logout(
    own_redis, settings, learner, activity, lessons
):
    """With the user read from the database (`CACHE_USERS=0`); with users cached, the next test
    gives the bound of the same log-out."""
    settings.CACHE_USERS = False
    client = Client()
    client.force_login(learner)
    pages = [lesson.get_absolute_url() for lesson in lessons] + [activity.get_absolute_url()]
    for url in pages:
        assert client.get(url).status_code == 200  # the session and the pages now in Redis

    own_redis.send_signal(signal.SIGSTOP)
    for url in pages * 2:
        response, seconds = timed_get(client, url)
        assert response.status_code == 200
        assert seconds < 1, f"{url} took {seconds:.2f} s with Redis stalled"
    old_session = client.cookies["sessionid"].value  # as a copied cookie would keep it
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    own_redis.send_signal(signal.SIGCONT)
    cache_module._blown_until = 0.0  # as in another server process, or once the fuse is whole

    replay = Client()
    replay.cookies["sessionid"] = old_session
    # Redis kept the session (the log-out's delete was dropped), but the account voided it.
    assert replay.get(reverse("cme:progress")).status_code == 302  # to the log-in page
    assert "Signed in as" not in replay.get(pages[1]).content.decode()


def test_with_users_cached_a_log_out_redis_missed_holds_once_the_cached_user_expires(
    own_redis, settings, learner, lessons
):
    """The user cache's bound: the log-out's forgetting was dropped with Redis stalled, so the
    old user may be served until it expires, `PAGE_CACHE_SECONDS` after it was cached."""
    settings.PAGE_CACHE_SECONDS = 1
    client = Client()
    client.force_login(learner)
    page = lessons[1].get_absolute_url()
    assert "Signed in as" in client.get(page).content.decode()  # the user now in Redis

    own_redis.send_signal(signal.SIGSTOP)
    old_session = client.cookies["sessionid"].value
    assert client.post(reverse("accounts:logout")).status_code == 302
    own_redis.send_signal(signal.SIGCONT)
    cache_module._blown_until = 0.0
    time.sleep(settings.PAGE_CACHE_SECONDS + 0.2)

    replay = Client()
    replay.cookies["sessionid"] = old_session
    assert replay.get(reverse("cme:progress")).status_code == 302  # to the log-in page
    assert "Signed in as" not in replay.get(page).content.decode()


def test_with_redis_stalled_the_wrong_password_limit_holds(own_redis, learner):
    client = Client()
    client.force_login(learner)
    own_redis.send_signal(signal.SIGSTOP)
    url = reverse("accounts:password_change")
    wrong = {"old_password": "not it", "new_password1": "x", "new_password2": "x"}
    statuses = [client.post(url, wrong).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
