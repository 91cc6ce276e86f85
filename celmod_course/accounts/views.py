from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from .forms import ChangePasswordForm, ProfileForm, ResetForm, SignUpForm
from .limits import hit
from .models import User
from .services import account_open, account_to_open, sign_up
from .throttling import client_address, count_wrong_password, wrong_password_limit_reached
from .usercache import BACKEND


def _safe_next(request):
    """The page to return to after signing up: a path on this site, or nothing."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if next_url.startswith("/") and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return ""


SIGNUPS_PER_ADDRESS = 10  # per client address per hour


@require_http_methods(["GET", "POST"])
def signup(request):
    """Every sign-up is answered alike: check your email (see `services.sign_up`)."""
    next_url = _safe_next(request)
    if request.user.is_authenticated:
        return HttpResponseRedirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if hit("signup-address", client_address(request), seconds=3600) > SIGNUPS_PER_ADDRESS:
            return render(request, "registration/too_many.html", status=429)
        data = form.cleaned_data
        sign_up(
            email=data["email"],
            full_name=data["full_name"],
            profession=data["profession"],
            password=data["password1"],
            next_url=next_url,
            absolute=request.build_absolute_uri,
        )
        return redirect("accounts:signup_sent")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


@require_http_methods(["GET", "POST"])
def signup_open(request, token):
    """The link mailed to a new address: a page to open the account (GET changes nothing),
    then the account opened and its owner logged in."""
    user, next_url = account_to_open(token)
    if user is None:
        return render(request, "accounts/signup_open.html", {"invalid": True}, status=404)
    if request.method == "POST" and account_open(user=user):
        user.refresh_from_db()
        login(request, user, backend=BACKEND)
        messages.success(request, f"Welcome, {user.full_name}. Your account is ready.")
        return HttpResponseRedirect(next_url or resolve_url(settings.LOGIN_REDIRECT_URL))
    return render(request, "accounts/signup_open.html", {"email": user.email})


EMAIL_CHANGE_SALT = "accounts.email-change"
EMAIL_CHANGE_MAX_AGE = 60 * 60 * 24  # a link to confirm a new address works for a day
RESETS_PER_ADDRESS = 10  # per client address per hour
RESETS_PER_EMAIL = 3  # per email address per hour


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset by email, throttled per client address (a clear 429) and per email address
    (quietly: the page says the same whether or not the email has an account)."""

    form_class = ResetForm
    success_url = reverse_lazy("accounts:password_reset_done")
    email_template_name = "registration/password_reset_email.txt"

    def form_valid(self, form):
        if hit("reset-address", client_address(self.request), seconds=3600) > RESETS_PER_ADDRESS:
            return render(self.request, "registration/too_many.html", status=429)
        if hit("reset-email", form.cleaned_data["email"].lower(), seconds=3600) > RESETS_PER_EMAIL:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, with wrong current passwords counted like wrong log-ins."""

    form_class = ChangePasswordForm
    success_url = reverse_lazy("accounts:password_change_done")

    def post(self, request, *args, **kwargs):
        if wrong_password_limit_reached(request.user):
            return render(request, "registration/too_many.html", status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        if form.has_error("old_password", "password_incorrect"):
            count_wrong_password(self.request.user)
        return super().form_invalid(form)


EMAIL_CHANGES_PER_HOUR = 3  # per account, and per new address


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """The learner's name, profession and email address (a new one needs the password)."""
    if request.method == "POST" and wrong_password_limit_reached(request.user):
        return render(request, "registration/too_many.html", status=429)
    # A copy of the user: a form with errors leaves the page's header as it was.
    form = ProfileForm(request.POST or None, instance=User.objects.get(pk=request.user.pk))
    if request.method == "POST" and form.has_error("current_password", "password_incorrect"):
        count_wrong_password(request.user)
    if request.method == "POST" and form.email_changes:
        _limit_email_changes(request.user, form)
    if request.method == "POST" and form.is_valid():
        form.save()
        new_email = form.cleaned_data.get("email", request.user.email)
        if new_email == request.user.email:
            messages.success(request, "Your profile is saved.")
        else:
            _send_email_change_mails(request, new_email)
            messages.info(
                request,
                f"We sent a link to {new_email}: your email address changes when you open it. "
                f"Until then it stays {request.user.email}; the rest of your profile is saved.",
            )
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


def _limit_email_changes(user, form):
    """A few changes an hour per account and per new address, so that nobody can mail an
    address over and over through this form."""
    new_email = form.cleaned_data["email"]
    if (
        hit("email-change", user.pk, seconds=3600) > EMAIL_CHANGES_PER_HOUR
        or hit("email-change-to", new_email, seconds=3600) > EMAIL_CHANGES_PER_HOUR
    ):
        form.add_error(
            "email",
            "You have asked to change your email address too often in the last hour. "
            "Try again later.",
        )


def _send_email_change_mails(request, new_email):
    """The link to the new address, which says nothing the learner typed (it may be anyone's);
    a notice to the address in use, so its owner learns of a change they did not ask for."""
    token = signing.dumps(
        {"user": request.user.pk, "from": request.user.email, "to": new_email},
        salt=EMAIL_CHANGE_SALT,
    )
    link = request.build_absolute_uri(reverse("accounts:email_confirm", args=[token]))
    body = render_to_string("accounts/email_change_email.txt", {"link": link})
    send_mail("Confirm your new email address", body, None, [new_email])
    reset = request.build_absolute_uri(reverse("accounts:password_reset"))
    notice = render_to_string("accounts/email_change_notice.txt", {"reset": reset})
    send_mail("A change of your email address was asked for", notice, None, [request.user.email])


@login_required
@require_http_methods(["GET", "POST"])
def email_confirm(request, token):
    """The link sent to a new address: a page to confirm (GET changes nothing), then the change."""
    try:
        change = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE)
    except signing.BadSignature:
        change = None
    if not change or change["user"] != request.user.pk or change["from"] != request.user.email:
        return render(request, "accounts/email_confirm.html", {"invalid": True}, status=404)
    if request.method == "POST":
        try:
            with transaction.atomic():
                User.objects.filter(pk=request.user.pk).update(email=change["to"])
        except IntegrityError:
            messages.error(request, "Another account uses this email address now.")
        else:
            messages.success(request, f"Your email address is now {change['to']}.")
        return redirect("accounts:profile")
    return render(request, "accounts/email_confirm.html", {"new_email": change["to"]})
