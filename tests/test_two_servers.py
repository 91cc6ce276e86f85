"""Several servers, one truth: two gunicorn servers sharing the database and Redis.

Needs Redis at REDIS_TEST_URL (default redis://127.0.0.1:6379/15, a database it empties);
without it the test is skipped and says so, and with REQUIRE_REDIS=1 (as in CI) that is a
failure.
"""

import contextlib
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from celmod_course.web.reading import QUESTIONS_PER_MINUTE
from quiz.models import Poll, PollResponse
from tests.cme.test_content_edits import FIXED
from tests.conftest import PASSWORD, make_learner, unavailable
from tests.html import form_data_of

ROOT = Path(__file__).resolve().parent.parent
REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def redis_url():
    import redis

    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).flushdb()
    except redis.exceptions.RedisError as error:
        unavailable(f"Redis is not answering at {REDIS_TEST_URL} ({error}).", "REQUIRE_REDIS")
    return REDIS_TEST_URL


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_env():
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return {"DATABASE_URL": "", "SQLITE_PATH": str(db["NAME"])}
    user = urllib.parse.quote(db["USER"] or "")
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    url = f"postgres://{user}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    return {"DATABASE_URL": url}


@pytest.fixture
def servers(redis_url, activity):
    """Two servers (gunicorn, one worker each) on two ports sharing Redis; their base URLs."""
    with running_servers(REDIS_URL=redis_url) as urls:
        yield urls


@contextlib.contextmanager
def running_servers(**environment):
    """Two servers (gunicorn, one worker each) on two ports, with `environment` set."""
    env = {
        **os.environ,
        **database_env(),
        "DEBUG": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "ENV_FILE": "",
        "CONN_MAX_AGE": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        **environment,
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    ports = [free_port(), free_port()]
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    processes = [
        subprocess.Popen(
            [gunicorn, "celmod_course.wsgi", "--workers", "1", "--bind", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url in urls:
            wait_for(url + "/health/")
        yield urls
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def wait_for(url, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not start")


class Browser:
    """A visitor with their own cookies, who may talk to either server."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, url):
        try:
            with self.opener.open(url, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(self, url, data, referer):
        _, page = self.get(referer)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}, doseq=True)
        request = urllib.request.Request(
            url, data=body.encode(), headers={"Referer": referer}, method="POST"
        )
        try:
            with self.opener.open(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def log_in(self, base, email):
        login = base + "/accounts/login/"
        status, _ = self.post(login, {"username": email, "password": PASSWORD}, login)
        assert status == 200  # followed to the catalog


def real_password(user):
    """The servers know Django's own hashers, not the fast one the tests use."""
    user.set_password(PASSWORD)
    user.save()
    return user


def test_two_servers_share_sessions_limits_edits_and_votes(
    servers, activity, lessons, staff, settings
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    a, b = servers
    learner = real_password(make_learner("two@example.org", "Tess Two"))
    real_password(staff)

    # A session made on one server is valid on the other.
    visitor = Browser()
    visitor.log_in(a, learner.email)
    status, page = visitor.get(b + "/progress/")
    assert status == 200 and "Signed in as Tess Two" in page

    # The Ask limit counts the questions sent to both together.
    asker = Browser()
    ask = "/activities/celmods-in-multiple-myeloma/ask/?q=cereblon"
    statuses = [asker.get((a, b)[n % 2] + ask)[0] for n in range(QUESTIONS_PER_MINUTE)]
    assert statuses == [200] * QUESTIONS_PER_MINUTE
    assert asker.get(b + ask)[0] == 429

    # An admin edit made through one server shows on the other at once.
    reader = Browser()
    lesson_url = lessons[0].get_absolute_url()
    assert FIXED not in reader.get(b + lesson_url)[1]  # now cached on b
    editor = Browser()
    editor.log_in(a, staff.email)
    change = f"/admin/lessons/lesson/{lessons[0].pk}/change/"
    data = form_data_of(editor.get(a + change)[1], "lesson_form") | {"paragraphs-0-text": FIXED}
    assert editor.post(a + change, data, a + change)[0] == 200
    assert FIXED in reader.get(b + lesson_url)[1]

    # A vote on one server is counted on the other.
    poll = Poll.objects.get(activity=activity)
    form = {f"poll-{poll.pk}-option": poll.options.get(value=4).pk}
    thoughts = "/activities/celmods-in-multiple-myeloma/your-thoughts/"
    visitor.get(b + thoughts)  # cached on b before the vote
    visitor.post(a + poll.get_vote_url(), form, a + thoughts)
    assert "Your answer: <strong>Very confident</strong>" in visitor.get(b + thoughts)[1]

    # Votes sent to both at once store one row.
    twin = Browser()
    other = real_password(make_learner("twin@example.org", "Twin Votes"))
    twin.log_in(a, other.email)
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(
            pool.map(
                lambda base: twin.post(base + poll.get_vote_url(), form, base + thoughts), servers
            )
        )
    assert PollResponse.objects.filter(learner=other).count() == 1


PAGE_CACHE_SECONDS = 3  # the stated time, shortened for the test (60 by default)


def test_without_redis_an_edit_shows_on_the_other_server_in_the_stated_time_and_limits_hold(
    activity, lessons, staff, settings
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    real_password(staff)
    with running_servers(REDIS_URL="", PAGE_CACHE_SECONDS=str(PAGE_CACHE_SECONDS)) as (a, b):
        reader = Browser()
        lesson_url = lessons[0].get_absolute_url()
        overview_url = activity.get_absolute_url()
        words = re.search(r'title="([\d,]+) words', reader.get(b + overview_url)[1]).group(1)
        assert FIXED not in reader.get(b + lesson_url)[1]  # both now cached on b

        editor = Browser()
        editor.log_in(a, staff.email)
        change = f"/admin/lessons/lesson/{lessons[0].pk}/change/"
        page = editor.get(a + change)[1]
        data = form_data_of(page, "lesson_form") | {"paragraphs-0-text": FIXED}
        assert editor.post(a + change, data, a + change)[0] == 200
        assert FIXED in reader.get(a + lesson_url)[1]  # at once where it was made

        # The limit on wrong current passwords counts both servers' tries together.
        thief = Browser()
        thief.log_in(a, staff.email)
        change = "/accounts/password/"
        wrong = {"old_password": "not it", "new_password1": "x", "new_password2": "x"}
        statuses = [thief.post(base + change, wrong, base + change)[0] for base in (a, b) * 3]
        assert statuses == [200] * 5 + [429]

        deadline = time.monotonic() + PAGE_CACHE_SECONDS + 2
        while time.monotonic() < deadline:
            overview = reader.get(b + overview_url)[1]
            if FIXED in reader.get(b + lesson_url)[1] and f'title="{words} words' not in overview:
                break
            time.sleep(0.25)
        else:
            raise AssertionError("the edit did not reach the other server in the stated time")
