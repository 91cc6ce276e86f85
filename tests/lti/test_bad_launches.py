"""Every bad launch gets a page saying why, a 4xx, and no session: an unknown platform or
client, an unregistered deployment, a bad signature, an expired token, a replayed nonce, a
state that does not match, a missing claim, a message type this tool does not take."""

import time
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from lti_tool.models import LtiDeployment

from celmod_course.accounts.models import User
from tests.html import block_texts
from tests.lti.conftest import launch, log_in_from, target_of
from tests.lti.platform import AGS, CLAIM, new_key


def assert_refused(response, status, *words):
    """A clear page (its heading and the reason), the status, and no session or account."""
    assert response.status_code == status, response.content.decode()[:300]
    text = " ".join(block_texts(response))
    assert "This launch could not be opened" in text
    for word in words:
        assert word in text, text
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert Session.objects.count() == 0
    assert not User.objects.exists()


def test_a_login_from_an_unknown_platform_is_refused(client, platform, registration, activity):
    data = {"iss": "https://lms.elsewhere.example", "login_hint": "x"}
    response = client.post(reverse("lti:login"), data | {"target_link_uri": target_of(activity)})
    assert_refused(response, 403, "does not know the LMS that sent you here")


def test_a_login_for_a_page_of_another_site_is_refused(client, platform, registration):
    data = {"iss": platform.issuer, "login_hint": "x", "client_id": platform.client_id}
    response = client.post(
        reverse("lti:login"), data | {"target_link_uri": "https://evil.example/activities/x/"}
    )
    assert_refused(response, 400, "did not name a page of this site")


@pytest.mark.parametrize(
    ("overrides", "status", "words"),
    [
        ({"iss": "https://lms.elsewhere.example"}, 403, "does not know the LMS"),
        ({"aud": "someone-elses-client"}, 403, "does not know the LMS"),
        ({CLAIM + "deployment_id": "deployment-nobody-added"}, 403, "deployment of this tool"),
        ({"exp": int(time.time()) - 60, "iat": int(time.time()) - 400}, 400, "has expired"),
        ({"sub": None}, 400, "the learner's id, sub"),
        ({CLAIM + "roles": None}, 400, "the roles"),
        ({CLAIM + "resource_link": None}, 400, "the resource link"),
        ({CLAIM + "deployment_id": None}, 400, "the deployment id"),
        ({"exp": None}, 400, "issue and expiry times"),
        ({CLAIM + "message_type": "LtiStartProctoring"}, 400, "kind of launch is not supported"),
        (
            {
                CLAIM + "message_type": "LtiSubmissionReviewRequest",
                CLAIM + "for_user": {"user_id": "learner-2"},
                AGS: {"scope": [], "lineitem": "http://localhost/lineitems/1"},
            },
            400,
            "kind of launch is not supported",
        ),
    ],
    ids=[
        "unknown issuer",
        "unknown client",
        "deployment not registered",
        "expired token",
        "no subject",
        "no roles",
        "no resource link",
        "no deployment id",
        "no expiry",
        "unknown message type",
        "submission review",
    ],
)
def test_a_launch_is_refused_with_a_page_saying_why(
    client, platform, registration, activity, overrides, status, words
):
    response = launch(client, platform, target=target_of(activity), **overrides)
    assert_refused(response, status, words)


def test_a_deployment_staff_have_switched_off_is_refused(client, platform, registration, activity):
    LtiDeployment.objects.update(is_active=False)
    response = launch(client, platform, target=target_of(activity))
    assert_refused(response, 403, "deployment of this tool is not registered here, or is switched")


def test_a_token_signed_with_another_key_is_refused(client, platform, registration, activity):
    response = launch(client, platform, target=target_of(activity), key=new_key())
    assert_refused(response, 400, "signature does not match")


def test_a_state_that_does_not_match_is_refused(client, platform, registration, activity):
    query = log_in_from(client, platform, target=target_of(activity))
    token = platform.sign(platform.claims(nonce=query["nonce"], target=target_of(activity)))
    response = client.post(reverse("lti:launch"), {"id_token": token, "state": "state-forged"})
    assert_refused(response, 400, "did not start in this browser")


def test_a_launch_from_another_browser_than_its_login_is_refused(
    client, platform, registration, activity
):
    query = log_in_from(client, platform, target=target_of(activity))
    token = platform.sign(platform.claims(nonce=query["nonce"], target=target_of(activity)))
    response = Client().post(reverse("lti:launch"), {"id_token": token, "state": query["state"]})
    assert_refused(response, 400, "did not start in this browser")


def test_a_nonce_the_tool_never_issued_is_refused(client, platform, registration, activity):
    query = log_in_from(client, platform, target=target_of(activity))
    token = platform.sign(platform.claims(nonce="made-up", target=target_of(activity)))
    response = client.post(reverse("lti:launch"), {"id_token": token, "state": query["state"]})
    assert_refused(response, 400, "already been used")


def test_a_replayed_launch_is_refused(client, platform, registration, activity):
    query = log_in_from(client, platform, target=target_of(activity))
    token = platform.sign(platform.claims(nonce=query["nonce"], target=target_of(activity)))
    form = {"id_token": token, "state": query["state"]}
    assert client.post(reverse("lti:launch"), form).status_code == 302
    Session.objects.all().delete()
    User.objects.all().delete()
    replayed = Client().post(reverse("lti:launch"), form)  # captured, sent again elsewhere
    assert_refused(replayed, 400, "already been used")


def test_a_launch_for_an_activity_not_on_this_site_is_refused(
    client, platform, registration, activity
):
    activity.published = False
    activity.save()
    response = launch(client, platform, target=target_of(activity))
    assert_refused(response, 404, "not on this site, or not open yet")


def test_a_launch_without_a_token_is_refused(client, platform, registration):
    response = client.post(reverse("lti:launch"), {"state": "state-x"})
    assert_refused(response, 400, "did not send everything a launch needs (the id_token)")


def test_a_launch_is_refused_while_the_tool_has_no_key(client, platform, registration, activity):
    from lti_tool.models import Key

    Key.objects.all().delete()
    query_target = target_of(activity)
    data = {"iss": platform.issuer, "login_hint": "x", "client_id": platform.client_id}
    response = client.post(reverse("lti:login"), data | {"target_link_uri": query_target})
    assert_refused(response, 503, "no key")
    assert urlsplit(response.get("Location", "")).netloc == ""


def test_a_token_that_is_no_jwt_is_refused(client, platform, registration, activity):
    query = log_in_from(client, platform, target=target_of(activity))
    for token in ["not-a-jwt", "a.b.c", "e30.W10.x"]:  # the last: a JSON list for its claims
        response = client.post(reverse("lti:launch"), {"id_token": token, "state": query["state"]})
        assert_refused(response, 400, "Go back to your course")
