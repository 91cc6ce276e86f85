"""A test LMS: what a real LTI 1.3 platform does, served over HTTP on a free port.

It holds an RSA key pair and serves its public key-set; signs RS256 id_tokens with the claims a
platform sends; answers the tool's token requests only after checking the client-assertion JWT
against the key-set the tool publishes; serves a gradebook column (line item) and keeps the
scores posted to it; and, for a browser, answers the OIDC auth request with a page that posts
the id_token to the tool, as a platform does.
"""

import json
import secrets
import threading
import time
import urllib.request
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
DEEP_LINKING = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM_READ_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def new_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem(key):
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


class Platform:
    """One LMS. `url` is its issuer too; the tool's key-set URL is `tool_jwks_url`."""

    client_id = "celmod-tool"
    deployment_id = "deployment-1"

    def __init__(self, host="localhost"):
        from tests.test_two_servers import free_port  # which imports tests.conftest, this one's

        self.key, self.kid = new_key(), "platform-key-1"
        self.port = free_port()
        self.url = f"http://{host}:{self.port}"
        self.issuer = self.url
        self.tool_jwks_url = ""
        self.tool_jwks = None  # or the key-set itself, as the tool's page served it
        self.score_maximum = 50
        self.refuse_scores = 0  # how many score posts to answer with a 500 first
        self.scores, self.assertions, self.lineitem_reads = [], [], 0
        self.tokens = set()
        self.next_claims = {}  # the browser's next launch (`/auth`)
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    @property
    def lineitem_url(self):
        return f"{self.url}/lineitems/1"

    def public_jwk(self):
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return jwk | {"kid": self.kid, "alg": "RS256", "use": "sig"}

    def registration_fields(self):
        """What staff type into the admin for this platform."""
        return {
            "name": "Test LMS",
            "issuer": self.issuer,
            "client_id": self.client_id,
            "auth_url": f"{self.url}/auth",
            "token_url": f"{self.url}/token",
            "keyset_url": f"{self.url}/jwks",
        }

    def claims(self, *, nonce, target, sub="learner-1", **overrides):
        """The claims of a resource-link launch; `overrides` replace or (set to None) drop some."""
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "name": "Pat Learner, RN",
            "email": "pat.learner@lms.example.org",
            CLAIM + "message_type": "LtiResourceLinkRequest",
            CLAIM + "version": "1.3.0",
            CLAIM + "deployment_id": self.deployment_id,
            CLAIM + "target_link_uri": target,
            CLAIM + "resource_link": {"id": "resource-link-1", "title": "CELMoDs"},
            CLAIM + "context": {"id": "course-1", "title": "Oncology update"},
            CLAIM + "roles": [LEARNER],
            AGS: {
                "scope": [SCORE_SCOPE, LINEITEM_READ_SCOPE],
                "lineitem": self.lineitem_url,
                "lineitems": f"{self.url}/lineitems",
            },
        }
        claims.update(overrides)
        return {name: value for name, value in claims.items() if value is not None}

    def deep_linking_claims(self, *, nonce, target, **overrides):
        return self.claims(
            nonce=nonce,
            target=target,
            sub="instructor-1",
            **{
                CLAIM + "message_type": "LtiDeepLinkingRequest",
                CLAIM + "resource_link": None,
                CLAIM + "roles": [INSTRUCTOR],
                AGS: None,
                DEEP_LINKING: {
                    "deep_link_return_url": f"{self.url}/deep-link-return",
                    "accept_types": ["ltiResourceLink"],
                    "accept_presentation_document_targets": ["iframe", "window"],
                    "data": "platform-data-42",
                },
            },
            **overrides,
        )

    def sign(self, claims, key=None):
        return jwt.encode(
            claims, pem(key or self.key), algorithm="RS256", headers={"kid": self.kid}
        )

    def tool_keys(self):
        if self.tool_jwks is not None:
            return self.tool_jwks
        with urllib.request.urlopen(self.tool_jwks_url, timeout=5) as response:
            return json.load(response)

    def verify_tool_jwt(self, token, audience, keys=None):
        """The claims of a JWT the tool signed, checked against the tool's published key-set."""
        kid = jwt.get_unverified_header(token)["kid"]
        keys = keys or self.tool_keys()
        jwk = next(key for key in keys["keys"] if key["kid"] == kid)
        return jwt.decode(
            token, jwt.PyJWK(jwk).key, algorithms=["RS256"], audience=audience, leeway=5
        )


def _handler(platform):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def _send(self, status, body, content_type="application/json"):
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _authorized(self):
            header = self.headers.get("Authorization", "")
            return header.startswith("Bearer ") and header[7:] in platform.tokens

        def _body(self):
            return self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()

        def do_GET(self):
            path = urlsplit(self.path).path
            if path == "/jwks":
                return self._send(200, {"keys": [platform.public_jwk()]})
            if path == "/auth":
                return self._auth()
            if path == "/lineitems/1" and self._authorized():
                platform.lineitem_reads += 1
                item = {
                    "id": platform.lineitem_url,
                    "scoreMaximum": platform.score_maximum,
                    "label": "CELMoDs in Multiple Myeloma",
                }
                return self._send(200, item, "application/vnd.ims.lis.v2.lineitem+json")
            return self._send(401 if path.startswith("/lineitems") else 404, {})

        def do_POST(self):
            path = urlsplit(self.path).path
            if path == "/token":
                return self._token(parse_qs(self._body()))
            if path == "/lineitems/1/scores":
                if not self._authorized():
                    return self._send(401, {"error": "no valid access token"})
                if platform.refuse_scores:
                    platform.refuse_scores -= 1
                    return self._send(500, {"error": "try again later"})
                platform.scores.append(json.loads(self._body()))
                return self._send(200, {})
            return self._send(404, {})

        def _token(self, form):
            """OAuth 2 client credentials with a JWT client assertion (RFC 7523), as AGS asks."""
            try:
                assertion = form["client_assertion"][0]
                claims = platform.verify_tool_jwt(assertion, audience=f"{platform.url}/token")
            except (KeyError, StopIteration, jwt.InvalidTokenError, OSError) as error:
                platform.assertions.append({"verified": False, "error": str(error)})
                return self._send(401, {"error": "invalid_client"})
            if claims["iss"] != platform.client_id or claims["sub"] != platform.client_id:
                return self._send(401, {"error": "invalid_client"})
            platform.assertions.append({"verified": True, **claims})
            token = secrets.token_urlsafe(16)
            platform.tokens.add(token)
            scope = form.get("scope", [""])[0]
            return self._send(200, {"access_token": token, "token_type": "Bearer", "scope": scope})

        def _auth(self):
            """The OIDC auth request from the tool's login: the id_token, posted to the tool."""
            query = parse_qs(urlsplit(self.path).query)
            query = {name: values[0] for name, values in query.items()}
            claims = platform.next_claims | {"nonce": query["nonce"]}
            token = platform.sign(claims)
            page = (
                "<!doctype html><title>Test LMS</title><body>"
                f'<form id="launch" method="post" action="{escape(query["redirect_uri"])}">'
                f'<input type="hidden" name="id_token" value="{token}">'
                f'<input type="hidden" name="state" value="{escape(query["state"])}">'
                "<button>Continue to the activity</button></form>"
                "<script>document.getElementById('launch').submit()</script>"
            )
            return self._send(200, page.encode(), "text/html")

    return Handler
