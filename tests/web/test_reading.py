"""The catalog, the overview and the lesson pages as a visitor reads them."""

import time_machine
from django.urls import reverse

from lessons.models import Faculty, Lesson, Paragraph
from tests.html import block_texts

EXPIRED_BANNER = (
    "This activity expired on January 27, 2026. You can still read it and complete it, "
    "but credit is no longer offered."
)


def test_reading_needs_no_account(client, activity, lessons):
    assert client.get(reverse("cme:catalog")).status_code == 200
    assert client.get(activity.get_absolute_url()).status_code == 200
    for lesson in lessons:
        assert client.get(lesson.get_absolute_url()).status_code == 200


def test_an_anonymous_reader_is_invited_to_log_in_to_track_progress(client, activity):
    blocks = block_texts(client.get(activity.get_absolute_url()))
    assert "Reading needs no account. Log in or sign up to track your progress." in blocks


def test_the_lesson_page_links_previous_and_offers_complete_and_continue(learner_client, lessons):
    response = learner_client.get(lessons[1].get_absolute_url())
    html = response.content.decode()
    assert f'href="{lessons[0].get_absolute_url()}" rel="prev">Previous' in html
    complete = reverse("cme:complete", args=[lessons[1].activity.slug, lessons[1].slug])
    assert f'<form method="post" action="{complete}"' in html
    assert "Complete and continue" in html
    assert "Lesson 2 of 4" in block_texts(response)


def test_a_reader_without_an_account_reads_on_or_logs_in_to_complete(client, lessons):
    html = client.get(lessons[1].get_absolute_url()).content.decode()
    login = f"{reverse('accounts:login')}?next={lessons[1].get_absolute_url()}"
    assert f'href="{login}">Log in to complete this lesson</a>' in html
    assert f'href="{lessons[2].get_absolute_url()}" rel="next">Next lesson' in html
    assert 'method="post"' not in html and "csrfmiddlewaretoken" not in html


def test_readers_without_an_account_get_the_page_from_the_cache(
    client, lessons, django_assert_max_num_queries
):
    missing = reverse("cme:lesson", args=[lessons[0].activity.slug, "no-such-lesson"])
    assert client.get(missing).status_code == client.get(missing).status_code == 404
    first = client.get(lessons[1].get_absolute_url())
    with django_assert_max_num_queries(0):
        again = client.get(lessons[1].get_absolute_url())
    assert again.content == first.content
    assert again["Content-Security-Policy"]


def test_learners_never_get_a_readers_cached_page(client, learner, lessons):
    client.get(lessons[1].get_absolute_url())
    client.force_login(learner)
    html = client.get(lessons[1].get_absolute_url()).content.decode()
    assert "Complete and continue" in html
    assert "Signed in as Jane Doe, MD" in html


def test_the_first_lesson_leads_back_to_the_overview_instead_of_previous(client, activity, lessons):
    html = client.get(lessons[0].get_absolute_url()).content.decode()
    assert 'rel="prev"' not in html
    assert f'href="{activity.get_absolute_url()}">Back to overview' in html


def test_an_unknown_activity_gets_a_404_in_the_sites_style(client, activity):
    response = client.get(reverse("cme:activity", args=["no-such-activity"]))
    assert response.status_code == 404
    blocks = block_texts(response)
    assert "Page not found" in blocks
    assert "Skip to main content" in response.content.decode()


def test_an_unknown_lesson_gets_a_404_in_the_sites_style(client, activity):
    response = client.get(reverse("cme:lesson", args=[activity.slug, "no-such-lesson"]))
    assert response.status_code == 404
    assert "Page not found" in block_texts(response)
    complete = reverse("cme:complete", args=[activity.slug, "no-such-lesson"])
    assert client.post(complete).status_code == 404


def test_a_lesson_of_another_activity_slug_is_not_found(client, lessons):
    response = client.get(reverse("cme:lesson", args=["other-activity", lessons[0].slug]))
    assert response.status_code == 404


def test_the_status_is_active_up_to_and_on_the_expiration_date(client, activity):
    for moment in ("2025-07-28 12:00Z", "2026-01-27 23:59Z"):
        with time_machine.travel(moment, tick=False):
            blocks = block_texts(client.get(activity.get_absolute_url()))
            assert "Active" in blocks
            assert "Expired" not in blocks
            assert EXPIRED_BANNER not in blocks
            assert "Status: Active" in block_texts(client.get(reverse("cme:catalog")))


def test_the_status_is_expired_with_a_banner_after_the_expiration_date(client, activity, lessons):
    with time_machine.travel("2026-01-28 00:01Z", tick=False):
        blocks = block_texts(client.get(activity.get_absolute_url()))
        assert "Expired" in blocks
        assert EXPIRED_BANNER in blocks
        lesson = block_texts(client.get(lessons[0].get_absolute_url()))
        assert EXPIRED_BANNER not in lesson  # one line on the other pages, not the banner
        assert "Expired Credit is no longer offered for this activity." in lesson
        catalog = block_texts(client.get(reverse("cme:catalog")))
        assert "Status: Expired" in catalog
        assert "Released July 28, 2025 · Expired January 27, 2026" in catalog


def test_a_lesson_page_for_a_learner_runs_at_most_8_queries_however_long_the_activity(
    learner_client, activity, lessons, django_assert_max_num_queries
):
    speaker = Faculty.objects.filter(activity=activity).first()
    for order in range(5, 25):
        extra = Lesson.objects.create(
            activity=activity, order=order, slug=f"extra-{order}", heading=f"Extra {order}?"
        )
        Paragraph.objects.bulk_create(
            Paragraph(lesson=extra, order=n, speaker=speaker if n % 2 else None, text=f"P{n}")
            for n in range(1, 31)
        )
    learner_client.post(reverse("cme:complete", args=[activity.slug, "extra-7"]))

    with django_assert_max_num_queries(8):
        response = learner_client.get(reverse("cme:lesson", args=[activity.slug, "extra-9"]))
    assert response.status_code == 200
    assert "Lesson 9 of 24" in block_texts(response)


def test_the_overview_and_catalog_run_a_bounded_number_of_queries(
    learner_client, activity, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):  # the front matter's objectives: one query
        assert learner_client.get(activity.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(8):
        assert learner_client.get(reverse("cme:catalog")).status_code == 200
    with django_assert_max_num_queries(9):
        assert learner_client.get(reverse("cme:progress")).status_code == 200


def test_bootstrap_and_the_site_styles_are_served_by_the_app_itself(client, activity):
    html = client.get(activity.get_absolute_url()).content.decode()
    assert "cdn" not in html.lower()
    assert "https://" not in html
    for prefix in ('href="/static/', 'src="/static/'):
        start = html.index(prefix) + len(prefix.split('"')[0]) + 2
        url = html[start - 1 : html.index('"', start)]
        response = client.get(url)
        assert response.status_code == 200, url


def test_a_catalog_with_nothing_published_says_so(client, db):
    response = client.get(reverse("cme:catalog"))
    assert response.status_code == 200
    assert "No activities are published yet." in block_texts(response)
