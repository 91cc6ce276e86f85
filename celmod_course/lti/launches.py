"""The LTI 1.3 messages, checked by PyLTI1p3 against django-lti's registrations: the OIDC login,
the launch (resource link or deep linking), a launch kept for the deep-linking picker, and why a
launch is refused, in words for the person the LMS sent.

Two rules of this site on top of the libraries' own checks (issuer and client registered, the
id_token's RS256 signature against the platform's key-set, expiry, state, nonce, claims):

- a deployment must be registered by staff and switched on (django-lti would register any
  deployment a platform names);
- a nonce is taken by the launch that uses it, so that the same id_token sent again is refused
  (PyLTI1p3 only checks that the nonce was issued).

What a login and its launch share (the nonce, the state's id-token hash, the launch's claims) is
kept in the database (`LaunchData`), so that any server may answer either step.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from urllib.parse import urlsplit

import requests
from django.utils import timezone
from lti_tool.models import Key, LtiDeployment, LtiRegistration
from lti_tool.utils import DjangoToolConfig
from pylti1p3.contrib.django import DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.contrib.django.session import DjangoSessionService
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.deployment import Deployment
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.launch_data_storage.base import LaunchDataStorage
from pylti1p3.lineitem import LineItem

from celmod_course.refusal import Refused

from .models import SCORE_MAXIMUM, LaunchData

log = logging.getLogger(__name__)

LAUNCH_DATA_SECONDS = 60 * 60  # a login's nonce, and a launch kept for the picker, last an hour
HTTP_TIMEOUT_SECONDS = 10  # every call to a platform (its key-set, token, gradebook)

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = CLAIM + "message_type"
RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"


class LaunchRefused(Refused):
    """A launch this site will not go on with; `status` is the page's HTTP status."""

    def __init__(self, reason):
        message, self.status = reason
        super().__init__(message)


# Why a launch is refused: what the page says, and its status.
UNKNOWN_PLATFORM = (
    "This site does not know the LMS that sent you here: its issuer and client ID are not "
    "registered. Ask the site's staff to register your LMS.",
    403,
)
UNKNOWN_DEPLOYMENT = (
    "Your LMS's deployment of this tool is not registered here, or is switched off. Ask the "
    "site's staff to add it to your LMS's registration.",
    403,
)
NO_KEY = (
    "This site has no key to sign its answers to your LMS yet. Ask the site's staff to make "
    "one (manage.py rotate_keys).",
    503,
)
EXPIRED = ("This launch has expired. Go back to your course and open the activity again.", 400)
REPLAYED = (
    "This launch has already been used. Go back to your course and open the activity again.",
    400,
)
NOT_STARTED_HERE = (
    "This launch did not start in this browser, or your browser did not keep this site's "
    "cookie. Go back to your course and open the activity again (in a new window if it is "
    "shown inside your course's page).",
    400,
)
BAD_SIGNATURE = (
    "This launch's signature does not match your LMS's keys, so it cannot be trusted. "
    "Go back to your course and try again; if this happens again, tell the site's staff.",
    400,
)
UNSUPPORTED = (
    "This kind of launch is not supported: this tool opens activities, and lets instructors "
    "choose one for their course.",
    400,
)
NOT_OURS = (
    "Your LMS did not name a page of this site to open (its target link). Tell your LMS's "
    "administrator: the tool's registration there may name another site.",
    400,
)
NO_ACTIVITY = (
    "The activity your course links to is not on this site, or not open yet. Tell your instructor.",
    404,
)
UNCHECKED = (
    "This launch could not be checked. Go back to your course and open the activity again.",
    400,
)


def missing(what):
    return (
        f"Your LMS did not send everything a launch needs ({what}). Tell your LMS's "
        "administrator; going back and trying again will not help.",
        400,
    )


# PyLTI1p3 says why it refused only in its exception's message: the words it uses, in the order
# they must be matched (an expired signature before any other signature failure).
REASONS = [
    ("Signature has expired", EXPIRED),
    ("Invalid Nonce", REPLAYED),
    ('"nonce" is empty', missing("the nonce")),
    ("State not found", NOT_STARTED_HERE),
    ("Missing state", NOT_STARTED_HERE),
    ("cookie session-id", NOT_STARTED_HERE),
    ("Could not find registration", UNKNOWN_PLATFORM),
    ("Registration not found", UNKNOWN_PLATFORM),
    ("Client id not registered", UNKNOWN_PLATFORM),
    ("Unable to find deployment", UNKNOWN_DEPLOYMENT),
    ("Could not find issuer", missing("the issuer")),
    ('"iss" is empty', missing("the issuer")),
    ("Could not find login hint", missing("the login hint")),
    ("Must have a user", missing("the learner's id, sub")),
    ("Missing Roles Claim", missing("the roles")),
    ("Missing Resource Link Id", missing("the resource link")),
    ("deployment_id is not set", missing("the deployment id")),
    ("Incorrect version", missing("LTI version 1.3.0")),
    ("Missing Deep Linking", missing("the deep-linking settings")),
    ("Must support", missing("a content type and window this tool can use")),
    ("Missing id_token", missing("the id_token")),
    ("is missing the", missing("the token's issue and expiry times")),
    ("Invalid message type", missing("the message type")),
    ("Unrecognized message type", UNSUPPORTED),
    ("Can't decode id_token", BAD_SIGNATURE),
    ("Unable to find public key", BAD_SIGNATURE),
    ("JWT KID not found", BAD_SIGNATURE),
    ("JWT ALG not found", BAD_SIGNATURE),
    ("Invalid JWT format", BAD_SIGNATURE),
    ("JWT must contain 3 parts", BAD_SIGNATURE),
    ("Error during fetch URL", BAD_SIGNATURE),
    ("Invalid response from", BAD_SIGNATURE),
]
# What the libraries raise for a launch they cannot read (a token of the wrong shape included).
LAUNCH_ERRORS = (
    LaunchRefused,
    LtiException,
    OIDCException,
    ValueError,
    TypeError,
    AttributeError,
    KeyError,
)


def refusal(error):
    """The refusal to show for an exception of the libraries (`LAUNCH_ERRORS`)."""
    if isinstance(error, LaunchRefused):
        return error
    reason = next((reason for words, reason in REASONS if words in str(error)), UNCHECKED)
    log.warning("LTI launch refused: %s: %s", type(error).__name__, str(error)[:300])
    return LaunchRefused(reason)


class TimeoutSession(requests.Session):
    """A platform that does not answer is given up on, never waited for without end."""

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", HTTP_TIMEOUT_SECONDS)
        return super().request(*args, **kwargs)


class DatabaseStorage(LaunchDataStorage):
    """PyLTI1p3's launch data, in `LaunchData` rows. Over HTTPS each browser's keys are apart
    (PyLTI1p3's lti1p3-session-id cookie), as with PyLTI1p3's own cache storage."""

    def get_session_cookie_name(self):
        return super().get_session_cookie_name() if self._request.is_secure() else None

    def can_set_keys_expiration(self):
        return True

    def get_value(self, key):
        rows = LaunchData.objects.live().filter(key=self._prepare_key(key))
        return rows.values_list("value", flat=True).first()

    def set_value(self, key, value, exp=None):
        expires_at = timezone.now() + timedelta(seconds=exp or LAUNCH_DATA_SECONDS)
        LaunchData.objects.update_or_create(
            key=self._prepare_key(key), defaults={"value": value, "expires_at": expires_at}
        )

    def check_value(self, key):
        return LaunchData.objects.live().filter(key=self._prepare_key(key)).exists()

    def take(self, key):
        """Whether the key was there, removing it: true for one caller only."""
        deleted, _ = LaunchData.objects.live().filter(key=self._prepare_key(key)).delete()
        return deleted > 0


class OneTimeNonces(DjangoSessionService):
    _launch_data_lifetime = LAUNCH_DATA_SECONDS

    def check_nonce(self, nonce):
        return self.data_storage.take(self._get_key("nonce", nonce))


class ToolConfig(DjangoToolConfig):
    """django-lti's registrations, with this site's rules: a login at a registration's own URL
    needs no client id; a deployment must be registered and switched on; without a key of its
    own the tool says so instead of failing."""

    def find_registration_by_params(self, iss, client_id, *args, **kwargs):
        registrations = LtiRegistration.objects.active().filter(issuer=iss)
        if client_id:
            registrations = registrations.filter(client_id=client_id)
        if self.registration_uuid is not None:
            registrations = registrations.filter(uuid=self.registration_uuid)
        elif not client_id:
            return None
        self.registration = registrations.first()
        if self.registration is None:
            return None
        if not self.registration.has_key and not Key.objects.active().exists():
            raise LaunchRefused(NO_KEY)
        return self.registration.to_registration()

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        self.deployment = (
            LtiDeployment.objects.active()
            .filter(registration=self.registration, deployment_id=deployment_id)
            .first()
        )
        if self.deployment is None:
            return None
        return Deployment().set_deployment_id(deployment_id)


def _message_launch(request, launch_id=None):
    services = {
        "session_service": OneTimeNonces(request),
        "launch_data_storage": DatabaseStorage(),
        "requests_session": TimeoutSession(),
    }
    if launch_id is not None:
        return DjangoMessageLaunch.from_cache(launch_id, request, ToolConfig(), **services)
    message_launch = DjangoMessageLaunch(request, ToolConfig(), **services)
    message_launch.set_jwt_verify_options({"verify_aud": False, "require": ["exp", "iat"]})
    return message_launch.validate()


def oidc_login(request, *, registration_uuid, launch_url):
    """The answer to a platform's login initiation: a redirect to its auth URL carrying a new
    state (also in a cookie) and nonce, which the launch then checks. Raises LaunchRefused."""
    login = DjangoOIDCLogin(
        request,
        ToolConfig(registration_uuid),
        session_service=OneTimeNonces(request),
        launch_data_storage=DatabaseStorage(),
    )
    try:
        return login.redirect(launch_url)
    except LAUNCH_ERRORS as error:
        raise refusal(error) from error


def launch_of(request):
    """The launch the platform POSTed, checked; raises LaunchRefused."""
    try:
        return Launch(_message_launch(request), request.headers.get("Origin", ""))
    except LAUNCH_ERRORS as error:
        raise refusal(error) from error


def kept_launch(request, launch_id):
    """A launch checked earlier (the deep-linking picker's), or LaunchRefused once it expired."""
    try:
        return Launch(_message_launch(request, launch_id))
    except LAUNCH_ERRORS as error:
        log.warning("A kept LTI launch is gone: %s", type(error).__name__)
        raise LaunchRefused(EXPIRED) from error


def _origin(url):
    parts = urlsplit(url or "")
    return f"https://{parts.netloc}" if parts.scheme == "https" and parts.netloc else None


@dataclass
class Launch:
    """A checked launch: its claims, and the registration and deployment it came through."""

    message_launch: DjangoMessageLaunch
    origin: str = ""

    @cached_property
    def claims(self):
        return self.message_launch.get_launch_data()

    @property
    def registration(self):
        return self.message_launch.get_tool_conf().registration

    @property
    def deployment(self):
        return self.message_launch.get_tool_conf().deployment

    @property
    def launch_id(self):
        return self.message_launch.get_launch_id()

    @property
    def message_type(self):
        return self.claims.get(MESSAGE_TYPE)

    @property
    def issuer(self):
        return self.claims["iss"]

    @property
    def subject(self):
        return self.claims["sub"]

    @property
    def name(self):
        parts = [self.claims.get("given_name"), self.claims.get("family_name")]
        return str(self.claims.get("name") or " ".join(map(str, filter(None, parts))))

    @property
    def email(self):
        return str(self.claims.get("email") or "")

    @property
    def custom(self):
        custom = self.claims.get(CLAIM + "custom")
        return custom if isinstance(custom, dict) else {}

    @property
    def target_link_uri(self):
        return str(self.claims.get(CLAIM + "target_link_uri") or "")

    @property
    def context_id(self):
        context = self.claims.get(CLAIM + "context")
        return str(context.get("id", "")) if isinstance(context, dict) else ""

    @property
    def resource_link_id(self):
        return str(self.claims[CLAIM + "resource_link"]["id"])

    @property
    def grades(self):
        """The gradebook column (line item) and what the tool may do with it, if anything."""
        endpoint = self.claims.get(AGS_CLAIM)
        if not isinstance(endpoint, dict):
            return "", []
        scopes = endpoint.get("scope")
        return str(endpoint.get("lineitem") or ""), scopes if isinstance(scopes, list) else []

    @property
    def frame_origins(self):
        """Who may show this launch's pages in a frame: the platform, by its issuer and its
        auth URL, and the page that posted the launch."""
        urls = [self.registration.issuer, self.registration.auth_url, self.origin]
        return sorted({origin for origin in map(_origin, urls) if origin})

    @property
    def deep_link_return_url(self):
        return self.claims[DEEP_LINKING_SETTINGS]["deep_link_return_url"]

    def deep_link_answer(self, *, url, title, activity_slug):
        """The signed answer to a deep-linking launch (the JWT to post to
        `deep_link_return_url`): one resource link to `url`, which names the activity in its
        custom parameter too, with a gradebook column out of `SCORE_MAXIMUM`."""
        column = LineItem().set_score_maximum(SCORE_MAXIMUM).set_label(title)
        resource = (
            DeepLinkResource()
            .set_url(url)
            .set_title(title)
            .set_custom_params({"activity": activity_slug})
            .set_lineitem(column.set_resource_id(activity_slug))
        )
        return self.message_launch.get_deep_link().get_response_jwt([resource])
