"""Launching as a browser does between the test LMS (`tests.lti.platform`) and the tool. The
fixtures (`lms`, `platform`, `tool_keys`, `registration`) are in tests/conftest.py."""

from urllib.parse import parse_qs, urlsplit

from django.urls import reverse

from tests.html import block_texts


def target_of(activity, host="testserver", scheme="http"):
    return f"{scheme}://{host}{activity.get_absolute_url()}"


def log_in_from(client, platform, *, target, secure=False, **params):
    """The platform's login initiation, in the browser; returns the tool's redirect's query (the
    state, the nonce, the redirect URI)."""
    data = {
        "iss": platform.issuer,
        "login_hint": "opaque-login-hint",
        "target_link_uri": target,
        "client_id": platform.client_id,
        "lti_message_hint": "opaque-message-hint",
        **params,
    }
    response = client.post(reverse("lti:login"), data, secure=secure)
    assert response.status_code == 302, response.content.decode()[:500]
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{platform.url}/auth"
    return {name: values[0] for name, values in parse_qs(location.query).items()}


def launch(
    client, platform, *, target, claims=None, secure=False, key=None, headers=None, **overrides
):
    """A whole launch as the browser carries it: login initiation, the platform's id_token (with
    the tool's nonce and `overrides`), posted to the tool's launch URL with the state."""
    query = log_in_from(client, platform, target=target, secure=secure)
    claims = claims or platform.claims
    token = platform.sign(claims(nonce=query["nonce"], target=target, **overrides), key=key)
    path = urlsplit(query["redirect_uri"]).path
    assert path == reverse("lti:launch")
    form = {"id_token": token, "state": query["state"]}
    return client.post(path, form, secure=secure, headers=headers)


def answer_the_welcome(client, response, profession="nurse", full_name=None):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("lti:welcome"))
    page = client.get(response["Location"])
    assert "Welcome" in block_texts(page)
    data = {"full_name": full_name or page.context["form"]["full_name"].value()}
    return client.post(response["Location"], data | {"profession": profession})
