"""Staff run the content from the Django admin; learners cannot."""

from django.urls import reverse

from lessons.models import LessonCompletion
from quiz.models import Attempt, Comment, Poll, PollResponse, Question
from tests.conftest import answer_sheet


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
