"""Staff edits to the content last: `make run` never loads the seed over them, and readers see
an edit on their next request."""

from django.core.management import call_command
from django.urls import reverse

from lessons.models import Activity, Paragraph
from tests.html import block_texts, form_data

FIXED = "CELMoDs differ from IMiDs in potency (an edit made in the admin)."


def test_an_admin_edit_survives_the_start_up_steps_and_shows_to_readers_at_once(
    client, staff, lessons
):
    lesson = lessons[0]
    client.get(lesson.get_absolute_url())  # a reader's visit caches the page
    client.force_login(staff)
    change = reverse("admin:lessons_lesson_change", args=[lesson.pk])
    data = form_data(client.get(change), "lesson_form") | {"paragraphs-0-text": FIXED}
    response = client.post(change, data)
    assert response.status_code == 302

    call_command("migrate", verbosity=0)  # what `make run` does on every start
    call_command("load_content", verbosity=0)

    assert lesson.paragraphs.order_by("order").first().text == FIXED
    client.logout()
    assert any(text.endswith(FIXED) for text in block_texts(client.get(lesson.get_absolute_url())))


def test_load_content_fills_an_empty_database_with_the_seed(db):
    assert not Activity.objects.exists()
    call_command("load_content", verbosity=0)
    activity = Activity.objects.get()
    assert activity.title == "CELMoDs in Multiple Myeloma"
    assert Paragraph.objects.filter(lesson__activity=activity).count() > 0
    assert activity.questions.count() == 10
