"""The learner's data and the closing of their account (the sign-in, password and profile
pages are the accounts app's own)."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from celmod_course.accounts.throttling import count_wrong_password, wrong_password_limit_reached
from celmod_course.cme.personal_data import personal_data
from celmod_course.lti.personal_data import lms_identities
from celmod_course.lti.services import account_delete
from celmod_course.xapi.models import Statement

from .forms import DeleteAccountForm


@login_required
def my_data(request):
    """Everything the site holds about the learner, as a JSON download."""
    data = {**personal_data(request.user), "lms_identities": lms_identities(request.user)}
    # The xAPI statements about them, as the provider's LRS receives them.
    data["learning_records"] = Statement.objects.about(request.user)
    response = JsonResponse(data, encoder=DjangoJSONEncoder, json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="my-cme-data.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    """Delete the account after the password is typed again; say first what stays and why."""
    if request.method == "POST" and wrong_password_limit_reached(request.user):
        return render(request, "registration/too_many.html", status=429)
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            account_delete(user=request.user)
            logout(request)
            messages.success(request, "Your account is deleted.")
            return redirect("cme:catalog")
        if form.has_error("password", "password_incorrect"):
            count_wrong_password(request.user)
    return render(request, "cme/delete_account.html", {"form": form})
