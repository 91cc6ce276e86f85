"""A lesson's number is its place in the activity, the same on every page, in Ask and on the
dashboard, whatever order values staff gave the lessons and whichever lessons are done."""

from django.urls import reverse

from lessons.models import Lesson, LessonCompletion
from tests.concurrency import client_of
from tests.conftest import answer_sheet
from tests.html import block_texts


def test_the_result_page_continues_with_the_first_unfinished_lesson(
    learner_client, learner, activity, lessons
):
    for done in (lessons[0], lessons[2]):
        LessonCompletion.objects.record(learner=learner, lesson=done)
    response = learner_client.post(
        reverse("cme:submit", args=[activity.slug]), answer_sheet(activity, right=10)
    )
    html = learner_client.get(response["Location"]).content.decode()
    assert f'href="{lessons[1].get_absolute_url()}">Continue with lesson 2</a>' in html


def test_numbers_follow_the_lessons_places_not_their_order_values(client, staff, activity):
    for lesson in Lesson.objects.filter(activity=activity).order_by("-order"):
        lesson.order *= 10
        lesson.save()
    second = Lesson.objects.get(activity=activity, order=20)
    staff_client = client_of(staff)

    page = block_texts(staff_client.get(second.get_absolute_url()))
    assert "Lesson 2 of 4" in page
    assert f"2. {second.heading}" in page
    assert f"2. {second.heading}" in block_texts(staff_client.get(activity.get_absolute_url()))
    ask = block_texts(client.get(reverse("lessons:ask", args=[activity.slug]), {"q": "EXCALIBER"}))
    assert any(f"in Lesson 2: {second.heading}" in block for block in ask)
    results = block_texts(staff_client.get(reverse("cme:results", args=[activity.slug])))
    assert "Lesson 2 complete" in " ".join(results)
    assert "Lesson 20" not in " ".join(page + ask + results)
