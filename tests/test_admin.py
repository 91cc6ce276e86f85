"""Staff run the content from the Django admin; learners cannot."""

import re
from decimal import Decimal

from django.contrib import admin
from django.db.models import UniqueConstraint
from django.urls import reverse

from celmod_course.accounts.models import Profession
from celmod_course.admin import RecordAdmin
from celmod_course.cme.models import CreditDesignation
from lessons.models import Activity, LessonCompletion
from quiz.models import Attempt, Comment, Poll, PollResponse, Question
from tests.conftest import AMA, STATEMENT, answer_sheet
from tests.html import form_data


def test_staff_open_every_admin_page_of_the_content(staff_client, activity, lessons, learner):
    LessonCompletion.objects.record(learner=learner, lesson=lessons[0])
    for name, args in [
        ("admin:index", []),
        ("admin:lessons_activity_changelist", []),
        ("admin:lessons_activity_change", [activity.pk]),
        ("admin:lessons_lesson_changelist", []),
        ("admin:lessons_lesson_change", [lessons[0].pk]),
        ("admin:lessons_lessoncompletion_changelist", []),
        ("admin:accounts_user_changelist", []),
        ("admin:accounts_user_change", [learner.pk]),
        ("admin:accounts_user_add", []),
    ]:
        response = staff_client.get(reverse(name, args=args))
        assert response.status_code == 200, name


def test_the_lesson_admin_shows_its_paragraphs_inline(staff_client, lessons):
    html = staff_client.get(reverse("admin:lessons_lesson_change", args=[lessons[0].pk]))
    assert "paragraphs-TOTAL_FORMS" in html.content.decode()
    assert 'value="4"' in html.content.decode()


def test_the_activity_admin_shows_its_takeaways_inline(staff_client, activity):
    html = staff_client.get(reverse("admin:lessons_activity_change", args=[activity.pk]))
    assert "key_takeaways-TOTAL_FORMS" in html.content.decode()


def test_a_learner_cannot_open_the_admin(learner_client):
    response = learner_client.get(reverse("admin:lessons_activity_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_staff_open_the_quiz_poll_and_discussion_admin(staff_client, activity, learner):
    poll = Poll.objects.get(activity=activity)
    PollResponse.objects.record(learner=learner, option=poll.options.first())
    Comment.objects.create(learner=learner, activity=activity, body="A comment")
    staff_client.post(reverse("cme:submit", args=[activity.slug]), answer_sheet(activity, 7))
    attempt = Attempt.objects.get()
    question = Question.objects.for_activity(activity).first()
    for name, args in [
        ("admin:quiz_question_changelist", []),
        ("admin:quiz_question_change", [question.pk]),
        ("admin:quiz_attempt_changelist", []),
        ("admin:quiz_attempt_change", [attempt.pk]),
        ("admin:quiz_poll_change", [poll.pk]),
        ("admin:quiz_pollresponse_changelist", []),
        ("admin:quiz_comment_changelist", []),
        ("admin:cme_activitycompletion_changelist", []),
    ]:
        assert staff_client.get(reverse(name, args=args)).status_code == 200, name
    html = staff_client.get(reverse("admin:quiz_question_change", args=[question.pk]))
    assert "choices-TOTAL_FORMS" in html.content.decode()
    html = staff_client.get(reverse("admin:quiz_poll_change", args=[poll.pk])).content.decode()
    assert "options-TOTAL_FORMS" in html


def test_attempts_and_responses_are_read_only_in_the_admin(staff_client, activity):
    staff_client.post(reverse("cme:submit", args=[activity.slug]), answer_sheet(activity, 7))
    attempt = Attempt.objects.get()
    page = staff_client.get(reverse("admin:quiz_attempt_change", args=[attempt.pk]))
    assert 'name="_save"' not in page.content.decode()
    assert staff_client.get(reverse("admin:quiz_attempt_add")).status_code == 403
    assert staff_client.get(reverse("admin:quiz_pollresponse_add")).status_code == 403


def designation_form(staff_client, activity, max_amount="1"):
    """The admin's form to add a physician's designation to `activity`, filled in."""
    url = reverse("admin:cme_creditdesignation_add")
    return url, form_data(staff_client.get(url), "creditdesignation_form") | {
        "activity": str(activity.pk),
        "profession": Profession.PHYSICIAN,
        "credit_type": AMA,
        "max_amount": max_amount,
        "statement": STATEMENT,
    }


def test_a_designation_off_the_quarter_steps_is_refused_in_plain_words(staff_client, activity):
    activity.published = False  # a draft may offer credit before its front matter is in
    activity.save()
    url, form = designation_form(staff_client, activity, max_amount="0.3")
    response = staff_client.post(url, form)
    assert response.status_code == 200
    assert (
        "Credit is counted in steps of 0.25 (for example 0.25, 0.5, 0.75 or 1)."
        in response.content.decode()
    )
    assert not CreditDesignation.objects.exists()
    assert staff_client.post(url, form | {"max_amount": "0.75"}).status_code == 302
    assert CreditDesignation.objects.get().max_amount == Decimal("0.75")


def test_an_expiry_before_the_release_is_refused_in_plain_words(staff_client, activity):
    url = reverse("admin:lessons_activity_change", args=[activity.pk])
    form = form_data(staff_client.get(url), "activity_form") | {"expires_on": "2025-07-01"}
    response = staff_client.post(url, form)
    assert response.status_code == 200
    page = response.content.decode()
    assert "The expiration date must come after the release date." in page
    assert "is violated" not in page
    activity.refresh_from_db()
    assert str(activity.expires_on) == "2026-01-27"


def test_every_database_rule_staff_can_break_in_the_admin_has_a_sentence():
    """Check constraints and conditional unique constraints on what staff edit (not the
    read-only records of what learners did) say what is wrong, not the constraint's name."""
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, RecordAdmin) or model._meta.app_label in {"auth", "axes"}:
            continue
        models = [model, *(inline.model for inline in model_admin.inlines)]
        for edited in models:
            for constraint in edited._meta.constraints:
                if isinstance(constraint, UniqueConstraint) and not constraint.condition:
                    continue  # Django says "… with this … already exists."
                message = constraint.violation_error_message
                assert message != constraint.default_violation_error_message, constraint.name
                assert "%(name)s" not in message and "_" not in message, message


def test_staff_reach_each_lesson_and_its_paragraphs_from_the_activity(staff_client, lessons):
    activity = lessons[0].activity
    page = staff_client.get(reverse("admin:lessons_activity_change", args=[activity.pk]))
    html = page.content.decode()
    for lesson in lessons:
        assert reverse("admin:lessons_lesson_change", args=[lesson.pk]) in html
    lesson_page = staff_client.get(reverse("admin:lessons_lesson_change", args=[lessons[0].pk]))
    assert 'name="paragraphs-0-text"' in lesson_page.content.decode()


def test_a_new_activity_from_the_admin_is_a_draft(staff_client, activity):
    page = staff_client.get(reverse("admin:lessons_activity_add")).content.decode()
    checkbox = re.search(r'<input type="checkbox" name="published"[^>]*>', page).group(0)
    assert "checked" not in checkbox


def choice_rows(staff_client, question):
    url = reverse("admin:quiz_question_change", args=[question.pk])
    data = form_data(staff_client.get(url), "question_form")
    rows = sorted(k for k in data if re.fullmatch(r"choices-\d+-id", k))
    return url, data, [k.removesuffix("-id") for k in rows]


def test_staff_move_the_correct_answer_to_another_choice_in_one_save(staff_client, activity):
    question = Question.objects.filter(activity=activity).first()
    old = question.choices.get(is_correct=True)
    new = question.choices.exclude(pk=old.pk).first()
    url, data, rows = choice_rows(staff_client, question)
    for row in rows:
        pk = int(data[f"{row}-id"])
        data.pop(f"{row}-correct", None)
        if pk == new.pk:
            data[f"{row}-correct"] = "on"
    assert staff_client.post(url, data).status_code == 302
    assert list(question.choices.filter(is_correct=True)) == [new]


def test_two_correct_choices_or_none_are_refused_in_plain_words(staff_client, activity):
    question = Question.objects.filter(activity=activity).first()
    url, data, rows = choice_rows(staff_client, question)
    for ticked in (rows[:2], []):
        for row in rows:
            data.pop(f"{row}-correct", None)
        data |= {f"{row}-correct": "on" for row in ticked}
        response = staff_client.post(url, data)
        assert response.status_code == 200
        assert "Tick exactly one choice as correct." in response.content.decode()
    assert question.choices.filter(is_correct=True).count() == 1


def test_a_second_designation_for_one_profession_is_refused_in_plain_words(
    staff_client, activity, designation
):
    activity.published = False
    activity.save()
    url, form = designation_form(staff_client, activity, max_amount="0.5")
    response = staff_client.post(url, form)
    assert response.status_code == 200
    assert "This activity already offers credit to that profession" in response.content.decode()
    assert CreditDesignation.objects.count() == 1


def test_every_field_of_an_activity_is_on_its_admin_page(staff_client, activity):
    html = staff_client.get(reverse("admin:lessons_activity_change", args=[activity.pk]))
    page = html.content.decode()
    for field in Activity._meta.get_fields():
        if field.concrete and not field.primary_key:
            assert f'name="{field.name}"' in page, field.name
