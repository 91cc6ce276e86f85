"""The tool's configuration, shown to staff ready to paste into an LMS; its keys made and rotated
with `manage.py rotate_keys` and published as a key-set."""

import json

from django.core.management import call_command
from django.urls import reverse

from tests.html import block_texts


def test_staff_see_every_url_key_and_registration_to_paste_into_an_lms(staff_client, registration):
    response = staff_client.get(reverse("lti:configuration"))
    html = response.content.decode()
    for url in ("lti:login", "lti:launch", "lti:jwks"):
        assert f"http://testserver{reverse(url)}" in html
    login = reverse("lti:registration_login", args=[registration.uuid])
    assert f"http://testserver{login}" in html
    canvas = json.loads(response.context["canvas"])
    assert canvas["oidc_initiation_url"] == f"http://testserver{reverse('lti:login')}"
    assert canvas["public_jwk_url"] == f"http://testserver{reverse('lti:jwks')}"
    kid = staff_client.get(reverse("lti:jwks")).json()["keys"][0]["kid"]
    assert kid in html
    assert "deployment-1" in " ".join(block_texts(response))
    change = staff_client.get(
        reverse("admin:lti_tool_ltiregistration_change", args=[registration.pk])
    )
    assert login in change.content.decode()


def test_learners_and_visitors_never_see_the_configuration(client, learner_client):
    assert learner_client.get(reverse("lti:configuration")).status_code == 403
    learner_client.logout()
    response = client.get(reverse("lti:configuration"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_without_a_key_the_page_says_how_to_make_one(staff_client):
    text = " ".join(block_texts(staff_client.get(reverse("lti:configuration"))))
    assert "The tool has no key yet. Make one with manage.py rotate_keys" in text


def test_rotating_the_keys_publishes_the_new_one_and_retires_the_old(client, db):
    assert client.get(reverse("lti:jwks")).json() == {"keys": []}
    call_command("rotate_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    [old] = client.get(reverse("lti:jwks")).json()["keys"]
    call_command("rotate_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115
    kids = {key["kid"] for key in client.get(reverse("lti:jwks")).json()["keys"]}
    assert len(kids) == 2 and old["kid"] in kids  # the old one stays while platforms catch up
    call_command("rotate_keys", "--deactivate-after", "0", stdout=open("/dev/null", "w"))  # noqa: SIM115
    [new] = client.get(reverse("lti:jwks")).json()["keys"]
    assert new["kid"] not in kids
