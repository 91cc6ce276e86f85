"""Launches from an LMS (LTI 1.3): the OIDC login and the launch, the first launch's question,
linking the LMS to an account of one's own, the deep-linking picker and its answer to the LMS,
and the tool's configuration for staff.

The login and the launch come from the platform, not from a form of this site, so they are
CSRF-exempt: the id_token's signature, the state (its cookie) and the one-time nonce are what
prove them. A refused launch gets a page saying why, a 4xx, and no session.
"""

import json
from urllib.parse import urlencode, urlsplit

from django.contrib import messages
from django.contrib.auth import login as sign_in
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from lti_tool.models import Key, LtiRegistration

from celmod_course.accounts.decorators import staff_required
from celmod_course.accounts.usercache import BACKEND
from celmod_course.lti.launches import (
    DEEP_LINKING_REQUEST,
    LAUNCH_DATA_SECONDS,
    NO_ACTIVITY,
    NOT_OURS,
    RESOURCE_LINK_REQUEST,
    UNSUPPORTED,
    LaunchRefused,
    kept_launch,
    launch_of,
    oidc_login,
)
from celmod_course.lti.models import SCORE_SCOPE, Identity
from celmod_course.lti.services import (
    UNNAMED,
    account_link,
    launch_sign_in,
    made_by_a_launch,
    profile_complete,
)
from celmod_course.refusal import Refused
from lessons.models import Activity

from .forms import DeepLinkForm, LaunchProfileForm, LinkAccountForm
from .framing import allow_framing, frame_session, session_origins

PICKER_SALT = "lti.deep-link-picker"
PICKER_EXPIRED = ("This page has expired. Choose the activity again from your LMS.", 404)


def _refused(request, refusal):
    """The page of a refused launch: framed by any HTTPS page (it offers nothing to click
    into), so that it shows inside the LMS too."""
    response = render(
        request,
        "lti/refused.html",
        {"message": str(refusal)},
        status=getattr(refusal, "status", 403),
    )
    return allow_framing(response, ["https:"])


@csrf_exempt
@require_http_methods(["GET", "POST"])
def login(request, registration=None):
    """The platform's login initiation: on to its auth URL, with a state and a nonce."""
    params = request.POST if request.method == "POST" else request.GET
    target = params.get("target_link_uri", "")
    if not target or not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return _refused(request, LaunchRefused(NOT_OURS))
    launch_url = request.build_absolute_uri(reverse("lti:launch"))
    try:
        return oidc_login(request, registration_uuid=registration, launch_url=launch_url)
    except LaunchRefused as refusal:
        return _refused(request, refusal)


@csrf_exempt
@require_POST
def launch(request):
    """The platform's launch: a learner signed in and sent to the activity (by way of the first
    launch's question), or an instructor to the deep-linking picker."""
    try:
        launch = launch_of(request)
        if launch.message_type == DEEP_LINKING_REQUEST:
            return redirect("lti:deep_link", _picker_token(launch))
        if launch.message_type != RESOURCE_LINK_REQUEST:
            raise LaunchRefused(UNSUPPORTED)
        activity = _launched_activity(launch)
        identity = launch_sign_in(launch=launch, activity=activity)
    except Refused as refusal:
        return _refused(request, refusal)
    sign_in(request, identity.user, backend=BACKEND)
    frame_session(request, launch.frame_origins)
    if identity.asks_profession:
        query = urlencode({"next": activity.get_absolute_url()})
        return redirect(f"{reverse('lti:welcome')}?{query}")
    return redirect(activity)


def _launched_activity(launch):
    """The activity a launch opens: the one its custom parameter `activity` names (a slug), or
    the one whose page its target link is."""
    slug = launch.custom.get("activity") or _slug_in(launch.target_link_uri)
    activity = Activity.objects.published().filter(slug=str(slug)).first() if slug else None
    if activity is None:
        raise LaunchRefused(NO_ACTIVITY)
    return activity


def _slug_in(url):
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return ""
    return match.kwargs.get("slug") or match.kwargs.get("activity_slug") or ""


def _posted(request):
    """The form's data when posted, even empty (an empty POST is a form with errors)."""
    return request.POST if request.method == "POST" else None


def _next(request):
    """Where to go on: the path in `next`, if it is one of this site's, or the catalog."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if next_url.startswith("/") and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return reverse("cme:catalog")


@login_required
@require_http_methods(["GET", "POST"])
def welcome(request):
    """Asked once, after the launch that made the account: the name for certificates (the
    LMS's, to check) and the profession."""
    if not Identity.objects.filter(user=request.user, asks_profession=True).exists():
        return redirect(_next(request))
    shared = request.user.full_name
    initial = {"full_name": "" if shared == UNNAMED else shared}
    form = LaunchProfileForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        profile_complete(user=request.user, **form.cleaned_data)
        messages.success(request, "Thank you. Your profile is saved.")
        return redirect(_next(request))
    context = {"form": form, "next": _next(request)}
    return render(request, "lti/welcome.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def link(request):
    """An account of one's own on this site, linked to the LMS with its password, so that later
    launches sign it in; the account the first launch made is removed."""
    if not made_by_a_launch(request.user):
        return render(request, "lti/link.html", {"own_account": True})
    form = LinkAccountForm(request, data=_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            account_link(user=request.user, account=form.get_user())
        except Refused as refusal:
            form.add_error(None, str(refusal))
        else:
            _sign_in_again(request, form.get_user())
            messages.success(request, "Your LMS now signs you in to this account.")
            return redirect(_next(request))
    return render(request, "lti/link.html", {"form": form, "next": _next(request)})


def _sign_in_again(request, account):
    """Sign `account` in instead, keeping the session's framing by the LMS."""
    origins = session_origins(request)
    sign_in(request, account, backend=BACKEND)
    frame_session(request, origins)


def _picker_token(launch):
    return signing.dumps(
        {"launch": launch.launch_id, "frame": launch.frame_origins}, salt=PICKER_SALT
    )


def _picked_launch(request, token):
    """The deep-linking launch a picker's token names, and who may frame its pages."""
    try:
        value = signing.loads(token, salt=PICKER_SALT, max_age=LAUNCH_DATA_SECONDS)
    except signing.BadSignature:
        raise LaunchRefused(PICKER_EXPIRED) from None
    return kept_launch(request, value["launch"]), value["frame"]


@require_http_methods(["GET", "POST"])
def deep_link(request, token):
    """The instructor picks, from the published activities, the one their course links to."""
    try:
        _launch, origins = _picked_launch(request, token)
    except Refused as refusal:
        return _refused(request, refusal)
    form = DeepLinkForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        slug = form.cleaned_data["activity"].slug
        return redirect("lti:deep_link_return", token, slug)
    response = render(request, "lti/deep_link.html", {"form": form})
    return allow_framing(response, origins)


@require_GET
def deep_link_return(request, token, slug):
    """The picked activity, signed for the LMS and posted back to it (by the page's script, or
    the instructor's click): a link to the activity, with a gradebook column."""
    try:
        launch, origins = _picked_launch(request, token)
    except Refused as refusal:
        return _refused(request, refusal)
    activity = get_object_or_404(Activity.objects.published(), slug=slug)
    url = request.build_absolute_uri(activity.get_absolute_url())
    answer = launch.deep_link_answer(url=url, title=activity.title, activity_slug=activity.slug)
    context = {"activity": activity, "return_url": launch.deep_link_return_url, "jwt": answer}
    response = render(request, "lti/deep_link_return.html", context)
    return_to = urlsplit(launch.deep_link_return_url)
    response._csp_update = {"form-action": [f"{return_to.scheme}://{return_to.netloc}"]}
    return allow_framing(response, origins)


@staff_required
@require_GET
def configuration(request):
    """Everything to paste into an LMS to register the tool, and the platforms registered."""
    urls = {name: _absolute(request, f"lti:{name}") for name in ("login", "launch", "jwks")}
    registrations = [
        (
            registration,
            request.build_absolute_uri(reverse("lti:registration_login", args=[registration.uuid])),
        )
        for registration in LtiRegistration.objects.prefetch_related("deployments")
    ]
    context = {
        **urls,
        "registrations": registrations,
        "keys": [json.dumps(key.as_jwk(), indent=2) for key in Key.objects.active()],
        "canvas": json.dumps(_canvas_configuration(request, urls), indent=2),
    }
    return render(request, "lti/configuration.html", context)


def _absolute(request, name, *args):
    return request.build_absolute_uri(reverse(name, args=args))


CANVAS_SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    SCORE_SCOPE,
]


def _canvas_configuration(request, urls):
    """The JSON Canvas takes for a developer key (LTI Key, "Paste JSON")."""
    placement = {"message_type": DEEP_LINKING_REQUEST, "target_link_uri": urls["launch"]}
    placements = [
        {"placement": name, **placement} for name in ("assignment_selection", "link_selection")
    ]
    canvas = {
        "platform": "canvas.instructure.com",
        "domain": request.get_host(),
        "privacy_level": "public",
        "settings": {"placements": placements},
    }
    return {
        "title": "CME activities",
        "description": "Accredited CME activities: lessons, knowledge check and certificate.",
        "oidc_initiation_url": urls["login"],
        "target_link_uri": urls["launch"],
        "public_jwk_url": urls["jwks"],
        "scopes": CANVAS_SCOPES,
        "extensions": [canvas],
    }
