"""Staff run the content from the Django admin; learners cannot."""

from django.urls import reverse

from lessons.models import LessonCompletion


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
