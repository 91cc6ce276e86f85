"""A launch works inside the LMS's frame over HTTPS: the pages of a session a launch started may
be framed by that platform, and its session and CSRF cookies are SameSite=None; Secure;
Partitioned. CSRF protection still holds. A session started on the site itself, and anything
over plain HTTP, keeps every default: no framing, SameSite=Lax."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.lti.conftest import launch, target_of

LMS_PAGE = "https://school.lms.example"


def policy(response):
    return {
        directive.split()[0]: set(directive.split()[1:])
        for directive in response["Content-Security-Policy"].split(";")
        if directive.strip()
    }


def cookie_line(response, name):
    return response.cookies[name].OutputString()


@pytest.fixture
def https(settings):
    settings.HTTPS = True


def test_a_launch_over_https_may_be_framed_by_its_lms_with_cookies_that_work_there(
    https, platform, registration, activity
):
    client = Client(enforce_csrf_checks=True)
    target = target_of(activity, scheme="https")
    response = launch(client, platform, target=target, secure=True, headers={"Origin": LMS_PAGE})
    assert response.status_code == 302
    session = cookie_line(response, settings.SESSION_COOKIE_NAME)
    assert "SameSite=None" in session and "Secure" in session and "Partitioned" in session
    assert "HttpOnly" in session
    assert policy(response)["frame-ancestors"] == {LMS_PAGE}
    welcome = client.get(response["Location"], secure=True)
    assert policy(welcome)["frame-ancestors"] == {LMS_PAGE}
    assert "X-Frame-Options" not in welcome
    csrf = cookie_line(welcome, settings.CSRF_COOKIE_NAME)
    assert "SameSite=None" in csrf and "Secure" in csrf and "Partitioned" in csrf
    answer = {"full_name": "Pat Learner, RN", "profession": "nurse"}
    forged = client.post(response["Location"], answer, secure=True, headers={"Origin": LMS_PAGE})
    assert forged.status_code == 403  # no CSRF token: refused, framed or not
    token = welcome.context["csrf_token"]
    answered = client.post(
        response["Location"],
        answer | {"csrfmiddlewaretoken": token},
        secure=True,
        headers={"Origin": "https://testserver"},
    )
    assert answered.status_code == 302


def test_the_state_cookie_of_a_login_over_https_is_partitioned(https, platform, registration):
    response = Client().post(
        reverse("lti:login"),
        {
            "iss": platform.issuer,
            "login_hint": "x",
            "client_id": platform.client_id,
            "target_link_uri": "https://testserver/activities/x/",
        },
        secure=True,
    )
    lti_cookies = [name for name in response.cookies if name.startswith("lti1p3-")]
    assert len(lti_cookies) == 2  # the state, and the browser's id for the launch data
    for name in lti_cookies:
        line = cookie_line(response, name)
        assert "SameSite=None" in line and "Secure" in line and "Partitioned" in line


def test_a_session_started_on_the_site_keeps_same_site_lax_and_is_never_framed(
    https, client, learner, activity
):
    login = client.post(
        reverse("accounts:login"), {"username": learner.email, "password": PASSWORD}, secure=True
    )
    session = cookie_line(login, settings.SESSION_COOKIE_NAME)
    assert "SameSite=Lax" in session and "Partitioned" not in session
    page = client.get(activity.get_absolute_url(), secure=True)
    assert page["X-Frame-Options"] == "DENY"
    assert policy(page)["frame-ancestors"] == {"'none'"}


def test_over_plain_http_a_launch_relaxes_nothing(client, platform, registration, activity):
    response = launch(client, platform, target=target_of(activity), headers={"Origin": LMS_PAGE})
    session = cookie_line(response, settings.SESSION_COOKIE_NAME)
    assert "SameSite=Lax" in session and "Partitioned" not in session
    page = client.get(activity.get_absolute_url())
    assert page["X-Frame-Options"] == "DENY"
    assert policy(page)["frame-ancestors"] == {"'none'"}


def test_a_refused_launch_shows_inside_the_lms_frame(https, client, platform, registration):
    response = client.post(reverse("lti:launch"), {"state": "x"}, secure=True)
    assert response.status_code == 400
    assert policy(response)["frame-ancestors"] == {"https:"}
    assert "X-Frame-Options" not in response
