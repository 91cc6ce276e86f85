"""Learner records are append-only: nobody deletes or edits them in the admin, a superuser
neither; content that learners have records of cannot be deleted from under them."""

import pytest
from django.contrib import admin
from django.db.models import ProtectedError
from django.test import RequestFactory
from django.urls import reverse

from celmod_course.cme.models import ActivityCompletion, CreditClaim, Evaluation
from lessons.models import LessonCompletion
from quiz.models import Attempt, Poll, PollResponse
from tests.conftest import complete

RECORDS = [LessonCompletion, Attempt, PollResponse, ActivityCompletion, Evaluation, CreditClaim]


@pytest.mark.parametrize("model", RECORDS, ids=lambda m: m._meta.label)
def test_a_superuser_may_not_add_change_or_delete_a_learner_record(model, staff):
    request = RequestFactory().get("/")
    request.user = staff
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_delete_selected_on_completions_is_refused_and_keeps_them(staff_client, learner, activity):
    completion = complete(learner, activity)
    url = reverse("admin:cme_activitycompletion_changelist")
    page = staff_client.get(url).content.decode()
    assert "delete_selected" not in page
    response = staff_client.post(
        url, {"action": "delete_selected", "_selected_action": [completion.pk], "post": "yes"}
    )
    assert response.status_code in (200, 302)
    assert ActivityCompletion.objects.filter(pk=completion.pk).exists()
    delete_url = reverse("admin:cme_activitycompletion_delete", args=[completion.pk])
    assert staff_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert ActivityCompletion.objects.filter(pk=completion.pk).exists()


def test_staff_cannot_delete_a_learner_and_with_them_their_records(staff_client, learner, activity):
    complete(learner, activity)
    delete_url = reverse("admin:accounts_user_delete", args=[learner.pk])
    assert staff_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert ActivityCompletion.objects.filter(learner=learner).exists()
    assert LessonCompletion.objects.filter(learner=learner).count() == 4


def test_content_with_learner_records_cannot_be_deleted(learner, activity, lessons):
    complete(learner, activity)
    PollResponse.objects.record(learner=learner, option=Poll.objects.get().options.first())
    for content in (lessons[0], Poll.objects.get(), activity):
        with pytest.raises(ProtectedError):
            content.delete()
    assert Attempt.objects.filter(learner=learner).exists()
    assert PollResponse.objects.filter(learner=learner).exists()
