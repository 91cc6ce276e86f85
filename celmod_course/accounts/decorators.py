from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.views.decorators.http import require_POST


def staff_required(view):
    """Anonymous visitors are sent to log in; logged-in learners get 403, never the page."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff:
            raise PermissionDenied("Staff only.")
        return view(request, *args, **kwargs)

    return wrapper


def login_required_post(back):
    """A view that takes a learner's POST: other methods get 405, and an anonymous visitor is
    sent to log in and then back to the page the form was on, `back(**view_kwargs)`, where
    they can send it again (a POST cannot be replayed through a log-in)."""

    def decorator(view):
        @require_POST
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(back(**kwargs))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
