"""The results' kept figures equal a full recount, whatever learners and staff do."""

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from celmod_course.accounts.models import Profession
from celmod_course.cme.models import CertificateCorrection, Correction, ResultCount
from celmod_course.cme.services import account_delete, knowledge_check_submit
from celmod_course.cme.tallies import kept, rebuild, recount
from lessons.models import Activity, Lesson, LessonCompletion
from quiz.models import Comment, Poll
from quiz.services import comment_post, poll_answer, poll_answer_before
from tests.cme.test_credit import IN_CREDIT_PERIOD, evaluate
from tests.concurrency import client_of, run_at_once
from tests.conftest import claim_credit, complete, complete_all_lessons, make_learner


def agrees(activity):
    """The kept figures are a full recount's, and there is something to count."""
    figures = kept(activity)
    assert figures == recount(activity)
    return figures


def vote(learner, poll, after, before=None):
    if before is not None:
        poll_answer_before(learner=learner, poll=poll, option=poll.options.get(value=before))
    poll_answer(learner=learner, option=poll.options.get(value=after))


def fail_once(learner, activity):
    """A first attempt with every answer wrong."""
    questions = activity.questions.prefetch_related("choices")
    knowledge_check_submit(
        learner=learner,
        activity=activity,
        chosen={q: next(c for c in q.choices.all() if not c.is_correct) for q in questions},
    )


@time_machine.travel(IN_CREDIT_PERIOD, tick=False)
def test_a_mixed_day_of_answers_edits_deletions_and_corrections_keeps_the_figures_exact(
    activity, designation, staff
):
    poll = Poll.objects.get(activity=activity, slug="confidence")
    first_lesson = Lesson.objects.for_activity(activity).first()
    ann = make_learner("ann@example.org", "Ann Lee, MD")
    bob = make_learner("bob@example.org", "Bob Kay, RN", profession=Profession.NURSE)
    cat = make_learner("cat@example.org", "Cat Roe, MD")
    dan = make_learner("dan@example.org", "Dan Poe, MD")
    eve = make_learner("eve@example.org", "Eve Fox, MD")

    # Answers before and after the lessons, a skip, lessons, failed and passed attempts.
    vote(ann, poll, after=4, before=2)
    poll_answer_before(learner=bob, poll=poll)
    vote(bob, poll, after=3)
    vote(cat, poll, after=5)
    LessonCompletion.objects.record(learner=cat, lesson=first_lesson)
    fail_once(ann, activity)
    completion = complete(ann, activity)
    complete(bob, activity)
    figures = agrees(activity)
    assert (
        figures[
            f"pair:{poll.pk}:physician:{poll.options.get(value=2).pk}:"
            f"{poll.options.get(value=4).pk}"
        ]
        == 1
    )
    assert (figures["attempts:all"], figures["attempts:learners"], figures["attempts:passed"]) == (
        3,
        2,
        2,
    )
    assert figures["started"] == 3

    # An evaluation, a claim, a comment the staff hide, a certificate the staff revoke.
    evaluate(ann, activity)
    claim_credit(ann, activity, amount="0.75")
    assert agrees(activity)["credit:AMA PRA Category 1 Credit™:hundredths"] == 75
    comment_post(learner=ann, activity=activity, body="Useful.")
    Comment.objects.filter(learner=ann).set_hidden(True)
    CertificateCorrection.objects.create(
        completion=completion, kind=Correction.REVOKE, reason="Asked by the provider.", staff=staff
    )
    assert "credit:AMA PRA Category 1 Credit™:claims" not in agrees(activity)

    # Dan completes and claims, becomes staff (his share leaves), then a learner again.
    complete(dan, activity)
    evaluate(dan, activity)
    claim_credit(dan, activity)
    vote(dan, poll, after=1, before=1)
    with_dan = agrees(activity)
    dan.is_staff = True
    dan.save()
    assert agrees(activity)["completed"] == with_dan["completed"] - 1
    dan.is_staff = False
    dan.save()
    assert agrees(activity) == with_dan

    # A profile edit; an account closed by its owner; an account deleted outright.
    cat.profession = Profession.PHARMACIST
    cat.save()
    complete(eve, activity)
    evaluate(eve, activity)
    vote(eve, poll, after=2, before=3)
    written = [key for key in agrees(activity) if key.endswith(":written")]
    assert [agrees(activity)[key] for key in written] == [3]  # ann's, dan's and eve's
    account_delete(user=eve)
    assert [agrees(activity)[key] for key in written] == [2]  # eve's text is gone
    assert agrees(activity)["completed"] == with_dan["completed"] + 1  # kept, unnamed
    eve.delete()
    figures = agrees(activity)
    assert (figures["signed-up"], figures["started"], figures["completed"]) == (4, 4, 3)

    # A new activity counts the learners already signed up.
    other = Activity.objects.create(
        slug="another",
        title="Another",
        released_on=activity.released_on,
        expires_on=activity.expires_on,
    )
    assert agrees(other) == {"signed-up": 4}


@pytest.mark.django_db(transaction=True)
def test_learners_answering_at_once_are_all_counted(activity):
    poll = Poll.objects.get(activity=activity, slug="confidence")
    learners = [make_learner(f"l{n}@example.org", f"Learner {n}") for n in range(6)]
    option = poll.options.get(value=3)
    data = {f"poll-{poll.pk}-option": str(option.pk)}
    statuses = run_at_once(
        [
            lambda client=client: client.post(poll.get_vote_url(), data).status_code
            for client in map(client_of, learners)
        ]
    )
    assert statuses == [302] * 6
    assert agrees(activity)[f"poll:{poll.pk}:physician:{option.pk}"] == 6


def test_recount_results_checks_and_rebuilds_the_kept_figures(activity, learner, capsys):
    complete_all_lessons(learner, activity)
    call_command("recount_results", "--check")
    assert "no difference" in capsys.readouterr().out

    ResultCount.objects.filter(activity=activity, key="started").update(value=7)
    with pytest.raises(CommandError, match="1 figure"):
        call_command("recount_results", "--check")
    assert "started kept 7, recounted 1" in capsys.readouterr().out

    call_command("recount_results")
    assert kept(activity)["started"] == 1


def test_a_rebuild_after_a_bulk_load_counts_what_the_receivers_never_saw(activity, learner):
    lesson = Lesson.objects.for_activity(activity).first()
    LessonCompletion.objects.bulk_create([LessonCompletion(learner=learner, lesson=lesson)])
    assert kept(activity)["started"] == 0
    rebuild(activity)
    assert agrees(activity)["started"] == 1
