"""Deep linking: an instructor in the LMS picks an activity from a list, and the tool answers
with a signed content item, a link with a gradebook column, that the platform verifies against
the tool's published key-set; launching that link opens the activity."""

import re
from html import unescape
from urllib.parse import urlencode

from django.contrib.sessions.models import Session
from django.urls import reverse

from celmod_course.accounts.models import User
from tests.html import block_texts
from tests.lti.conftest import launch, target_of
from tests.lti.platform import CLAIM

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


def open_the_picker(client, platform):
    target = f"http://testserver{reverse('lti:launch')}"
    response = launch(client, platform, target=target, claims=platform.deep_linking_claims)
    assert response.status_code == 302
    return response["Location"]


def test_an_instructor_picks_the_activity_and_the_platform_gets_a_signed_link_with_a_column(
    client, platform, registration, activity
):
    picker = open_the_picker(client, platform)
    page = client.get(picker)
    assert page.status_code == 200
    assert activity.title in " ".join(block_texts(page))
    picked = client.post(picker, {"activity": activity.slug})
    assert picked.status_code == 302
    answer = client.get(picked["Location"])
    html = answer.content.decode()
    return_url = unescape(re.search(r'<form method="post" action="([^"]+)"', html).group(1))
    assert return_url == f"{platform.url}/deep-link-return"
    token = re.search(r'name="JWT" value="([^"]+)"', html).group(1)
    claims = platform.verify_tool_jwt(
        token, audience=platform.issuer, keys=client.get(reverse("lti:jwks")).json()
    )
    assert claims["iss"] == platform.client_id
    assert claims[CLAIM + "message_type"] == "LtiDeepLinkingResponse"
    assert claims[CLAIM + "deployment_id"] == platform.deployment_id
    assert claims[DL + "data"] == "platform-data-42"
    [item] = claims[DL + "content_items"]
    assert item["type"] == "ltiResourceLink"
    assert item["url"] == target_of(activity)
    assert item["title"] == activity.title
    assert item["custom"] == {"activity": activity.slug}
    assert item["lineItem"]["scoreMaximum"] == 100
    assert "form-action 'self' " + platform.url in answer["Content-Security-Policy"]
    assert Session.objects.count() == 0 and not User.objects.exists()  # nobody signed in

    client.cookies.clear()
    opened = launch(client, platform, target=item["url"], **{CLAIM + "custom": item["custom"]})
    assert opened["Location"].startswith(reverse("lti:welcome"))
    assert opened["Location"].endswith(f"?{urlencode({'next': activity.get_absolute_url()})}")


def test_the_picker_asks_again_when_no_activity_is_chosen(client, platform, registration, activity):
    picker = open_the_picker(client, platform)
    response = client.post(picker, {})
    assert response.status_code == 200
    assert "Choose the activity to add." in " ".join(block_texts(response))


def test_a_forged_or_expired_picker_is_refused(client, platform, registration, activity):
    response = client.get(reverse("lti:deep_link", args=["not-a-signed-token"]))
    assert response.status_code == 404
    assert "This page has expired" in " ".join(block_texts(response))
