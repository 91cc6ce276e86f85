"""Pages inside an LMS's frame: everything the site relaxes for an LTI launch, and nothing else.

By default no page may be framed (`frame-ancestors 'none'`, `X-Frame-Options: DENY`) and the
session and CSRF cookies are `SameSite=Lax`, which a browser does not send from inside another
site's frame. An LMS shows a launched activity in an iframe, so for the pages of a session an LTI
launch started (and for the launch's own pages), and only over HTTPS (`settings.HTTPS` and a
secure request):

- `frame-ancestors` names the launching platform's origins (its issuer, its auth URL and the page
  that posted the launch), instead of none, and `X-Frame-Options` is left out;
- the session and CSRF cookies are `SameSite=None; Secure; Partitioned`, so that the browser
  sends them inside the frame, partitioned by the LMS's site where third-party cookies are
  blocked. CSRF protection is unchanged: every POST still needs the token, and Django still
  checks its Origin; `SameSite` was only a second line;
- PyLTI1p3's own cookies (`lti1p3-*`: the launch's state, its browser id) are `Partitioned`
  too (the library already makes them `SameSite=None; Secure` over HTTPS).

A session started by logging in on the site itself keeps every default. Over plain HTTP (in
development) nothing is relaxed: a launch then works in a new window on the same site only.
"""

from http.cookies import Morsel

from django.conf import settings

SESSION_KEY = "lti_frame_origins"
LTI_COOKIE_PREFIX = "lti1p3-"


def frame_session(request, origins):
    """Let the pages of this session (an LTI launch's) be framed by `origins`."""
    request.session[SESSION_KEY] = list(origins)


def session_origins(request):
    session = getattr(request, "session", None)
    return session.get(SESSION_KEY, []) if session is not None else []


def allow_framing(response, origins):
    """Let this one response (a launch's page without a session) be framed by `origins`."""
    response.frame_origins = list(origins)
    return response


class _PartitionedMorsel(Morsel):
    """A cookie with the `Partitioned` attribute, which Python's cookies know only from 3.14."""

    def OutputString(self, attrs=None):
        return super().OutputString(attrs) + "; Partitioned"


def _relax(response, name, *, same_site_none):
    morsel = response.cookies.get(name)
    if morsel is None:
        return
    if same_site_none:
        morsel["samesite"], morsel["secure"] = "None", True
    partitioned = _PartitionedMorsel()
    partitioned.set(morsel.key, morsel.value, morsel.coded_value)
    partitioned.update(morsel)
    dict.__setitem__(response.cookies, name, partitioned)


def framed_sessions(get_response):
    def middleware(request):
        response = get_response(request)
        if not (settings.HTTPS and request.is_secure()):
            return response
        for name in [name for name in response.cookies if name.startswith(LTI_COOKIE_PREFIX)]:
            _relax(response, name, same_site_none=False)
        origins = getattr(response, "frame_origins", None) or session_origins(request)
        if origins:
            response._csp_replace = {"frame-ancestors": origins}
            if "X-Frame-Options" in response:
                del response["X-Frame-Options"]
            for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME):
                _relax(response, name, same_site_none=True)
        return response

    return middleware
