"""Draft activities: staff preview them; learners and readers do not know they exist until
they are published."""

from datetime import date

import pytest
from django.urls import reverse

from lessons.models import Activity, Lesson, Paragraph
from tests.html import block_texts

DRAFT_NOTICE = (
    "Draft preview. Only staff see this activity until it is published: publish it in the admin."
)


@pytest.fixture
def draft(db):
    activity = Activity.objects.create(
        title="A new commentary",
        slug="a-new-commentary",
        introduction="Being written.",
        released_on=date(2026, 12, 1),
        expires_on=date(2027, 12, 1),
    )
    lesson = Lesson.objects.create(activity=activity, order=1, slug="first", heading="First?")
    Paragraph.objects.create(lesson=lesson, order=1, text="Draft text.")
    return activity


def draft_urls(draft):
    slug = draft.slug
    return [
        draft.get_absolute_url(),
        reverse("cme:lesson", args=[slug, "first"]),
        reverse("quiz:your_thoughts", args=[slug]),
        reverse("lessons:ask", args=[slug]) + "?q=draft",
        reverse("cme:knowledge_check", args=[slug]),
        reverse("cme:evaluation", args=[slug]),
        reverse("cme:claim", args=[slug]),
    ]


def test_a_new_activity_starts_as_a_draft(draft):
    assert not draft.published


def test_a_draft_is_not_found_by_readers_or_learners(client, learner, draft):
    for url in draft_urls(draft)[:4]:
        assert client.get(url).status_code == 404, url
    client.force_login(learner)
    for url in draft_urls(draft):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("cme:complete", args=[draft.slug, "first"])).status_code == 404
    assert client.post(reverse("quiz:comment", args=[draft.slug]), {"body": "Hi"}).status_code == (
        404
    )


def test_staff_preview_a_draft_with_a_notice_saying_so(staff_client, draft):
    for url in draft_urls(draft)[:5]:
        response = staff_client.get(url)
        assert response.status_code == 200, url
        assert DRAFT_NOTICE in block_texts(response), url
    assert "Draft text." in block_texts(
        staff_client.get(reverse("cme:lesson", args=[draft.slug, "first"]))
    )


def test_the_catalog_lists_published_activities_only(client, staff_client, activity, draft):
    for someone in (client, staff_client):
        titles = block_texts(someone.get(reverse("cme:catalog")))
        assert "CELMoDs in Multiple Myeloma" in titles
        assert "A new commentary" not in titles


def test_publishing_shows_it_at_once(client, draft):
    client.get(reverse("cme:catalog"))
    draft.published = True
    draft.save()
    assert "A new commentary" in block_texts(client.get(reverse("cme:catalog")))
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_the_overview_leaves_out_sections_with_nothing_in_them(staff_client, draft):
    blocks = block_texts(staff_client.get(draft.get_absolute_url()))
    assert "Introduction" in blocks
    assert "Key Takeaways" not in blocks
    assert "Faculty" not in blocks


def test_the_seed_activity_is_published(activity):
    assert activity.published


def test_a_draft_says_draft_in_its_preview_and_in_the_admins_list(staff_client, activity):
    from tests.html import block_texts as texts

    activity.published = False
    activity.save()
    blocks = texts(staff_client.get(activity.get_absolute_url()))
    assert "Draft Expired" in blocks or "Draft Active" in blocks
    listing = " ".join(texts(staff_client.get(reverse("admin:lessons_activity_changelist"))))
    assert "CELMoDs in Multiple Myeloma Draft" in listing
    activity.published = True
    activity.save()
    listing = " ".join(texts(staff_client.get(reverse("admin:lessons_activity_changelist"))))
    assert "CELMoDs in Multiple Myeloma Published" in listing
