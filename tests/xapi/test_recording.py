"""What a learner does is recorded as xAPI statements, in the transaction that records it, when
an LRS is configured; and nothing at all when none is. (Sending them, to a real LRS through the
real worker, is tests/xapi/test_lrs.py.)"""

import json

import pytest
from django.db import transaction
from django.urls import reverse

from celmod_course.cme.exports import pseudonym
from celmod_course.cme.services import knowledge_check_submit, lesson_complete
from celmod_course.xapi.models import Statement, Status
from lessons.models import LessonCompletion
from quiz.models import Poll
from quiz.services import poll_answer_before
from tests.conftest import answer_sheet, complete, complete_all_lessons, make_learner
from tests.html import block_texts

SITE = "https://cme.example.org"


@pytest.fixture
def xapi_on(settings):
    settings.XAPI_ENDPOINT = "http://127.0.0.1:9/xAPI"
    settings.SITE_URL = SITE


def bodies(**filters):
    return [row.body for row in Statement.objects.filter(**filters).order_by("timestamp", "verb")]


def test_nothing_is_recorded_while_no_lrs_is_configured(learner_client, learner, activity):
    assert not Statement.objects.exists()
    lesson = activity.lessons.first()
    learner_client.post(reverse("cme:complete", args=[activity.slug, lesson.slug]))
    assert LessonCompletion.objects.filter(learner=learner).exists()
    assert not Statement.objects.exists()


def test_a_completed_lesson_states_completed_and_the_activitys_progress(
    xapi_on, learner_client, learner, activity, lessons
):
    learner_client.post(reverse("cme:complete", args=[activity.slug, lessons[1].slug]))
    completion = LessonCompletion.objects.get(learner=learner)
    completed, progressed = sorted(bodies(), key=lambda s: s["verb"]["display"]["en-US"])
    assert completed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert completed["object"]["id"] == SITE + lessons[1].get_absolute_url()
    assert completed["object"]["definition"]["name"]["en-US"].startswith("Lesson 2: ")
    assert completed["context"]["contextActivities"]["parent"][0]["id"] == (
        SITE + activity.get_absolute_url()
    )
    assert progressed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/progressed"
    assert progressed["object"]["id"] == SITE + activity.get_absolute_url()
    progress = progressed["result"]["extensions"][
        "https://w3id.org/xapi/cmi5/result/extensions/progress"
    ]
    assert progress == 25  # one lesson of four: the progress bar's figure
    for statement in (completed, progressed):
        assert statement["timestamp"] == completion.completed_at.isoformat()


def test_the_actor_is_the_learners_pseudonym_never_their_name_or_email(
    xapi_on, learner, activity, lessons
):
    lesson_complete(learner=learner, lesson=lessons[0])
    for row in Statement.objects.all():
        assert row.body["actor"] == {
            "objectType": "Agent",
            "account": {"homePage": SITE, "name": pseudonym(learner.pk)},
        }
        assert row.body["id"] == str(row.pk)
        text = json.dumps(row.body)
        assert learner.email not in text and "Jane" not in text


def test_staff_trying_the_activity_make_no_statements(xapi_on, staff, activity, lessons):
    lesson_complete(learner=staff, lesson=lessons[0])
    assert LessonCompletion.objects.filter(learner=staff).exists()
    assert not Statement.objects.exists()


def test_a_poll_answer_states_the_option_and_a_second_vote_states_nothing(
    xapi_on, learner_client, activity
):
    poll = Poll.objects.get(activity=activity)
    option = poll.options.get(value=4)
    field = f"poll-{poll.pk}-option"
    learner_client.post(poll.get_vote_url(), {field: option.pk})
    learner_client.post(poll.get_vote_url(), {field: poll.options.get(value=1).pk})  # final
    [answered] = bodies()
    assert answered["verb"]["display"] == {"en-US": "answered"}
    assert answered["object"]["id"] == (
        SITE + reverse("quiz:your_thoughts", args=[activity.slug]) + f"#poll-{poll.slug}"
    )
    assert answered["object"]["definition"]["interactionType"] == "likert"
    assert answered["object"]["definition"]["name"]["en-US"] == poll.question
    assert answered["result"] == {"response": "4"}


def test_a_knowledge_check_attempt_states_its_score_and_each_answer(xapi_on, learner, activity):
    questions = list(activity.questions.prefetch_related("choices").order_by("order"))
    chosen = {
        q: next(c for c in q.choices.all() if c.is_correct == (n < 3))
        for n, q in enumerate(questions)
    }
    attempt = knowledge_check_submit(learner=learner, activity=activity, chosen=chosen)
    [failed] = bodies(verb="failed")
    kc = SITE + reverse("cme:knowledge_check", args=[activity.slug])
    assert failed["object"]["id"] == kc
    assert failed["result"]["score"] == {"scaled": 0.3, "raw": 3, "min": 0, "max": 10}
    assert failed["result"]["success"] is False
    assert failed["context"]["extensions"] == {
        "https://w3id.org/xapi/cmi5/context/extensions/masteryscore": 0.7
    }
    assert failed["timestamp"] == attempt.submitted_at.isoformat()
    answered = bodies(verb="answered")
    assert [a["object"]["id"] for a in answered] == [f"{kc}#question-{q.pk}" for q in questions]
    assert [a["result"]["success"] for a in answered] == [True] * 3 + [False] * 7
    assert answered[0]["result"]["response"] == f"choice-{chosen[questions[0]].pk}"
    # The key is not in them: the learner's own data download holds them.
    assert "correctResponsesPattern" not in json.dumps(answered)


def test_completing_the_activity_states_it_with_the_time_recorded(xapi_on, learner, activity):
    complete(learner, activity)
    [passed] = bodies(verb="passed")
    assert passed["result"]["success"] is True and passed["result"]["score"]["scaled"] == 1
    [completed] = [
        s
        for s in bodies(verb="completed")
        if s["object"]["id"].endswith(activity.get_absolute_url())
    ]
    assert completed["result"]["completion"] is True
    assert completed["result"]["duration"] == "PT0S"  # no page was opened: nothing recorded


def test_a_statement_is_kept_only_with_what_it_reports(xapi_on, learner, activity, lessons):
    with pytest.raises(RuntimeError), transaction.atomic():
        lesson_complete(learner=learner, lesson=lessons[0])
        assert Statement.objects.count() == 2
        raise RuntimeError("the request fails after the write")
    assert not LessonCompletion.objects.exists()
    assert not Statement.objects.exists()


def test_the_send_is_queued_when_the_transaction_commits(
    xapi_on, learner, lessons, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        lesson_complete(learner=learner, lesson=lessons[0])
    sends = [c for c in callbacks if c.__module__ == "celmod_course.xapi.models"]
    assert len(sends) == 2
    assert Statement.objects.filter(status=Status.PENDING).count() == 2


def test_my_data_holds_the_statements_about_me(xapi_on, learner_client, learner, lessons):
    lesson_complete(learner=learner, lesson=lessons[0])
    data = learner_client.get(reverse("cme:my_data")).json()
    records = data["learning_records"]
    assert {r["statement"]["id"] for r in records} == {
        str(pk) for pk in Statement.objects.values_list("pk", flat=True)
    }
    assert all(r["sent_at"] is None for r in records)


def test_staff_read_a_refused_statement_with_the_lrss_reason(
    xapi_on, staff_client, learner, lessons
):
    lesson_complete(learner=learner, lesson=lessons[0])
    row = Statement.objects.filter(verb="completed").get()
    Statement.objects.filter(pk=row.pk).update(
        status=Status.REFUSED, attempts=1, last_error="HTTP 409 Conflict: a different statement"
    )
    listing = staff_client.get(reverse("admin:xapi_statement_changelist"), {"status": "refused"})
    text = " ".join(block_texts(listing))
    assert "Refused by the LRS" in text and lessons[0].get_absolute_url() in text
    page = staff_client.get(reverse("admin:xapi_statement_change", args=[row.pk]))
    assert "HTTP 409 Conflict: a different statement" in page.content.decode()
    delete = reverse("admin:xapi_statement_delete", args=[row.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    changelist = reverse("admin:xapi_statement_changelist")
    found = staff_client.get(changelist, {"q": str(row.pk)})
    assert lessons[0].get_absolute_url() in " ".join(block_texts(found))
    assert staff_client.get(changelist, {"q": "mechanism"}).status_code == 200


def test_the_question_before_the_lessons_is_its_own_activity_and_a_skip_states_nothing(
    xapi_on, learner, activity
):
    poll = Poll.objects.get(activity=activity)
    Poll.objects.filter(pk=poll.pk).update(asked_before=True)
    poll.refresh_from_db()
    other = make_learner("skipper@example.org", "Sam Skipper")
    poll_answer_before(learner=other, poll=poll)
    assert not Statement.objects.exists()
    poll_answer_before(learner=learner, poll=poll, option=poll.options.get(value=2))
    [answered] = bodies()
    assert answered["object"]["id"] == SITE + poll.get_before_url()
    assert answered["result"] == {"response": "2"}


def test_my_data_says_which_answers_were_right_only_after_a_pass(
    xapi_on, learner_client, learner, activity
):
    """A failed attempt's answers, in the data download and its statements, do not mark which
    were right: a learner could otherwise pass by elimination."""
    complete_all_lessons(learner, activity)
    sheet = answer_sheet(activity, right=3)
    learner_client.post(reverse("cme:submit", args=[activity.slug]), sheet)

    def marks():
        data = learner_client.get(reverse("cme:my_data")).json()
        answers = [a for attempt in data["knowledge_check_attempts"] for a in attempt["answers"]]
        answered = [
            r["statement"]["result"]
            for r in data["learning_records"]
            if r["statement"]["verb"]["id"].endswith("/answered")
            and "choice-" in r["statement"]["result"].get("response", "")
        ]
        return answers, answered

    answers, answered = marks()
    assert len(answers) == len(answered) == 10
    assert not any("correct" in answer for answer in answers)
    assert not any("success" in result for result in answered)

    learner_client.post(reverse("cme:submit", args=[activity.slug]), answer_sheet(activity, 10))
    answers, answered = marks()
    assert len(answers) == len(answered) == 20
    assert all("correct" in answer for answer in answers)
    assert all("success" in result for result in answered)
