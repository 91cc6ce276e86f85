"""What a launch's login and its launch share (the state, the nonce) holds across servers: two
gunicorn servers without Redis, each with a cache of its own, the login answered by one and the
launch by the other."""

import re
import urllib.parse
import urllib.request
from html import unescape

import pytest

from tests.lti.conftest import target_of
from tests.test_two_servers import Browser, running_servers

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_login_answered_by_one_server_and_its_launch_by_another_agree(
    platform, registration, activity
):
    with running_servers(REDIS_URL="") as (a, b):
        platform.tool_jwks_url = b + "/lti/keys.json"
        host = urllib.parse.urlsplit(a).netloc
        target = target_of(activity, host=host)
        platform.next_claims = platform.claims(nonce="", target=target)
        browser = Browser()
        query = {
            "iss": platform.issuer,
            "login_hint": "hint",
            "client_id": platform.client_id,
            "target_link_uri": target,
        }
        status, auth_page = browser.get(f"{a}/lti/login/?{urllib.parse.urlencode(query)}")
        assert status == 200  # the platform's page that posts the launch
        fields = dict(re.findall(r'name="(id_token|state)" value="([^"]+)"', auth_page))
        action = unescape(re.search(r'action="([^"]+)"', auth_page).group(1))
        assert action == f"{a}/lti/launch/"
        request = urllib.request.Request(
            f"{b}/lti/launch/", data=urllib.parse.urlencode(fields).encode(), method="POST"
        )
        with browser.opener.open(request, timeout=10) as response:
            page = response.read().decode()
        assert "Welcome" in page and "Pat Learner, RN" in page
