"""Completing lessons, the marks and buttons that follow, and My progress."""

import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from celmod_course.accounts.models import Profession
from celmod_course.cme.services import evaluation_submit
from lessons.models import LessonCompletion
from tests.concurrency import client_of, posting, run_at_once
from tests.conftest import AMA, PASSWORD, claim_credit, complete, make_learner
from tests.html import block_texts

IN_CREDIT_PERIOD = "2025-10-01 15:00Z"  # the seed activity runs July 28, 2025 to January 27, 2026


def complete_url(lesson):
    return reverse("cme:complete", args=[lesson.activity.slug, lesson.slug])


def test_completing_a_lesson_records_it_and_moves_to_the_next(learner_client, learner, lessons):
    response = learner_client.post(complete_url(lessons[0]))
    assert response.status_code == 302
    assert response["Location"] == lessons[1].get_absolute_url()
    assert LessonCompletion.objects.filter(learner=learner, lesson=lessons[0]).exists()


def test_completing_every_lesson_leads_to_your_thoughts(learner_client, lessons, activity):
    for lesson in lessons:
        response = learner_client.post(complete_url(lesson), follow=True)
    assert response.redirect_chain[-1][0] == reverse("quiz:your_thoughts", args=[activity.slug])
    blocks = block_texts(response)
    assert (
        "You have completed every lesson. Share your thoughts here if you like; "
        "the knowledge check is the last step." in blocks
    )
    knowledge_check = reverse("cme:knowledge_check", args=[activity.slug])
    assert f'href="{knowledge_check}">Continue to the knowledge check' in (
        response.content.decode()
    )


def test_lessons_completed_out_of_order_show_the_right_marks_bar_and_continue_target(
    learner_client, activity, lessons
):
    learner_client.post(complete_url(lessons[2]))
    learner_client.post(complete_url(lessons[0]))

    page = learner_client.get(activity.get_absolute_url())
    blocks = block_texts(page)
    assert "2 of 4 lessons completed" in blocks
    assert f"1. {lessons[0].heading} ✓(completed)" in blocks
    assert f"2. {lessons[1].heading}" in blocks
    assert f"3. {lessons[2].heading} ✓(completed)" in blocks
    assert f"4. {lessons[3].heading}" in blocks
    html = page.content.decode()
    assert 'max="4" value="2"' in html
    assert (
        f'href="{lessons[1].get_absolute_url()}">Continue<span class="visually-hidden">'
    ) in html

    progress = block_texts(learner_client.get(reverse("cme:progress")))
    assert "In progress" in progress
    assert "Progress: 0 activities completed" in progress


def test_coming_back_later_after_every_lesson_continues_to_the_knowledge_check(
    client, learner, activity, lessons
):
    client.force_login(learner)
    for lesson in reversed(lessons):
        client.post(complete_url(lesson))
    client.logout()

    response = client.post(
        reverse("accounts:login"), {"username": "learner@example.org", "password": PASSWORD}
    )
    assert response.status_code == 302
    page = client.get(activity.get_absolute_url())
    assert "4 of 4 lessons completed" in block_texts(page)
    knowledge_check = reverse("cme:knowledge_check", args=[activity.slug])
    assert f'href="{knowledge_check}">Continue<span class="visually-hidden">' in (
        page.content.decode()
    )
    progress = block_texts(client.get(reverse("cme:progress")))
    assert "In progress" in progress
    assert "Progress: 0 activities completed" in progress


def test_a_new_learner_sees_start_and_not_started(learner_client, activity, lessons):
    page = learner_client.get(activity.get_absolute_url())
    assert "0 of 4 lessons completed" in block_texts(page)
    assert (
        f'href="{lessons[0].get_absolute_url()}">Start<span class="visually-hidden">'
    ) in page.content.decode()
    assert "Not started" in block_texts(learner_client.get(reverse("cme:progress")))


def test_the_lesson_page_marks_completed_lessons_in_its_table_of_contents(learner_client, lessons):
    learner_client.post(complete_url(lessons[1]))
    blocks = block_texts(learner_client.get(lessons[1].get_absolute_url()))
    assert f"2. {lessons[1].heading} ✓(completed)" in blocks
    assert f"1. {lessons[0].heading}" in blocks
    assert "✓ You completed this lesson." in blocks


def test_completing_a_lesson_twice_keeps_one_row(learner_client, learner, lessons):
    learner_client.post(complete_url(lessons[0]))
    response = learner_client.post(complete_url(lessons[0]))
    assert response.status_code == 302
    assert LessonCompletion.objects.filter(learner=learner).count() == 1


def test_reading_a_lesson_changes_nothing(learner_client, lessons):
    learner_client.get(lessons[0].get_absolute_url())
    response = learner_client.get(complete_url(lessons[0]))
    assert response.status_code == 405
    assert LessonCompletion.objects.count() == 0


def test_an_anonymous_visitor_is_sent_to_log_in_and_back_to_the_lesson(client, learner, lessons):
    response = client.post(complete_url(lessons[1]))
    assert response.status_code == 302
    login_url = f"{reverse('accounts:login')}?next={lessons[1].get_absolute_url()}"
    assert response["Location"] == login_url
    assert LessonCompletion.objects.count() == 0

    response = client.post(login_url, {"username": "learner@example.org", "password": PASSWORD})
    assert response["Location"] == lessons[1].get_absolute_url()


def test_a_post_without_a_csrf_token_is_refused_and_changes_nothing(learner, lessons):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    response = client.post(complete_url(lessons[0]))
    assert response.status_code == 403
    assert "This form could not be sent" in block_texts(response)
    assert LessonCompletion.objects.count() == 0


def test_my_progress_needs_an_account(client):
    response = client.get(reverse("cme:progress"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db(transaction=True)
def test_two_racing_completions_of_one_lesson_keep_one_row(learner, lessons):
    client = client_of(learner)
    statuses = run_at_once([posting(client, complete_url(lessons[0]))] * 2)

    assert statuses == [302, 302]
    assert LessonCompletion.objects.filter(learner=learner, lesson=lessons[0]).count() == 1


def test_complete_and_continue_says_which_lesson_is_done_on_the_next_one(learner_client, lessons):
    response = learner_client.post(complete_url(lessons[0]), follow=True)
    assert response.redirect_chain[-1][0] == lessons[1].get_absolute_url()
    blocks = block_texts(response)
    assert "Lesson 1 of 4 complete." in blocks
    assert "1 of 4 lessons completed" in blocks


def test_a_lesson_shows_the_learners_progress_above_its_text(learner_client, lessons):
    learner_client.post(complete_url(lessons[0]))
    html = learner_client.get(lessons[1].get_absolute_url()).content.decode()
    first_paragraph = lessons[1].paragraphs.order_by("order").first().text[:40]
    assert html.index("1 of 4 lessons completed") < html.index(first_paragraph)


def test_my_progress_keeps_the_seeds_count_and_labels_every_activity_plainly(
    learner_client, activity
):
    blocks = block_texts(learner_client.get(reverse("cme:progress")))
    assert "Progress: 0 activities completed" in blocks
    assert "Your activities" in blocks
    for label, value in [("State", "Not started"), ("Lessons", "0 of 4 completed")]:
        assert blocks[blocks.index(label) + 1] == value
    assert blocks[blocks.index("Knowledge check") + 1] == "Not taken"


# The steps list covers the whole path: lessons, Your Thoughts, knowledge check, evaluation,
# credit (where the activity designates some) and certificate, with the learner's state on each.


def steps(client, activity):
    blocks = block_texts(client.get(activity.get_absolute_url()))
    start = blocks.index("Steps in this activity")
    return blocks[start + 1 : start + 11]


def main_button(client, activity):
    html = client.get(activity.get_absolute_url()).content.decode()
    return re.search(r'class="btn btn-primary btn-lg mt-3" href="([^"]+)">([^<]+)', html).groups()


def test_the_steps_run_to_the_certificate_for_a_visitor(client, activity):
    listed = steps(client, activity)
    assert "6. Knowledge check" in listed
    assert "7. Evaluation · opens when you complete the activity" in listed
    assert "8. Certificate · issued when you complete the activity" in listed
    assert not any("Credit" in step for step in listed)  # the seed designates no credit


def test_the_credit_step_says_what_a_physician_and_a_nurse_can_claim(
    learner_client, activity, designation
):
    with time_machine.travel(IN_CREDIT_PERIOD, tick=False):
        listed = steps(learner_client, activity)
        assert f"8. Credit · claimed after the evaluation (up to 1 {AMA})" in listed
        assert "9. Certificate · issued when you complete the activity" in listed
        nurse = make_learner("nurse@example.org", profession=Profession.NURSE)
        listed = steps(client_of(nurse), activity)
    assert "8. Credit · not offered for your profession" in listed


def test_the_steps_and_the_main_button_lead_a_physician_from_pass_to_certificate(
    learner_client, learner, activity, designation
):
    with time_machine.travel(IN_CREDIT_PERIOD, tick=False):
        completion = complete(learner, activity)
        listed = steps(learner_client, activity)
        assert "6. Knowledge check ✓(passed)" in listed
        assert "7. Evaluation · to fill in" in listed
        assert "9. Certificate ✓(issued)" in listed
        evaluation = reverse("cme:evaluation", args=[activity.slug])
        assert main_button(learner_client, activity) == (evaluation, "Next: evaluation and credit")

        evaluation_submit(learner=learner, activity=activity, answers={})
        listed = steps(learner_client, activity)
        assert "7. Evaluation ✓(submitted)" in listed
        assert "8. Credit · ready to claim" in listed
        claim = reverse("cme:claim", args=[activity.slug])
        assert main_button(learner_client, activity) == (claim, "Next: claim your credit")

        claim_credit(learner, activity)
        listed = steps(learner_client, activity)
        assert f"8. Credit ✓ 0.5 {AMA} claimed" in listed
        assert main_button(learner_client, activity)[1] == "Review"
    html = learner_client.get(activity.get_absolute_url()).content.decode()
    assert f'href="{completion.get_absolute_url()}">9. Certificate' in html


def test_the_credit_step_says_when_the_activity_has_expired(learner_client, activity, designation):
    listed = steps(learner_client, activity)  # today: the seed expired on January 27, 2026
    assert "8. Credit · no longer offered: the activity has expired" in listed


def test_a_completed_learner_without_credit_is_led_to_review(learner_client, learner, activity):
    with time_machine.travel(IN_CREDIT_PERIOD, tick=False):
        complete(learner, activity)
        assert main_button(learner_client, activity)[1] == "Review"


def test_a_completed_nurse_is_told_credit_follows_the_profession_the_certificate_holds(
    activity, designation
):
    nurse = make_learner("nurse@example.org", profession=Profession.NURSE)
    with time_machine.travel(IN_CREDIT_PERIOD, tick=False):
        complete(nurse, activity)
        nurse.profession = Profession.PHYSICIAN  # a later change earns nothing
        nurse.save()
        listed = steps(client_of(nurse), activity)
    assert (
        "8. Credit · not offered for your profession "
        "(nurse or nurse practitioner, as your certificate was issued)"
    ) in listed
