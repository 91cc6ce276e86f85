"""The commentary is served word for word: from the fixtures, and as the seed has it."""

import os
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from lessons.models import Faculty, KeyTakeaway, Paragraph
from tests.conftest import make_learner, unavailable
from tests.html import block_texts

SEED = Path(
    os.environ.get(
        "SEED_FILE",
        settings.BASE_DIR.parent / "shared" / "seed" / "celmods-in-multiple-myeloma.txt",
    )
)


def seed_text():
    if not SEED.exists():
        unavailable(f"The seed text is not at {SEED}; set SEED_FILE.", "REQUIRE_SEED")
    return SEED.read_text(encoding="utf-8")


def seed_lines():
    return seed_text().splitlines()


def site_blocks(client, activity, lessons):
    blocks = block_texts(client.get(activity.get_absolute_url()))
    for lesson in lessons:
        blocks += block_texts(client.get(lesson.get_absolute_url()))
    return blocks


def test_every_lesson_page_shows_each_paragraph_of_the_fixture_with_its_speaker(client, lessons):
    for lesson in lessons:
        response = client.get(lesson.get_absolute_url())
        assert response.status_code == 200
        content = response.content.decode()
        assert escape(lesson.heading) in content
        paragraphs = list(lesson.paragraphs.select_related("speaker"))
        assert paragraphs
        for paragraph in paragraphs:
            if paragraph.speaker:
                expected = f'<span class="speaker">{escape(paragraph.speaker)}:</span> '
                expected += escape(paragraph.text)
            else:
                expected = f"<p>{escape(paragraph.text)}</p>"
            assert expected in content


def test_the_overview_shows_title_dates_takeaways_introduction_and_faculty(client, activity):
    response = client.get(activity.get_absolute_url())
    blocks = block_texts(response)
    assert "CELMoDs in Multiple Myeloma" in blocks
    assert "July 28, 2025" in blocks
    assert "January 27, 2026" in blocks
    takeaways = [t.text for t in KeyTakeaway.objects.filter(activity=activity)]
    assert len(takeaways) == 3
    positions = [blocks.index(text) for text in takeaways]
    assert positions == sorted(positions)
    assert activity.introduction in blocks
    assert [str(member) for member in Faculty.objects.filter(activity=activity)] == [
        "Amrita Krishnan, MD, FACP",
        "Sagar Lonial, MD, FACP",
        "Jesus Berdeja, MD",
    ]
    for member in ("Amrita Krishnan, MD, FACP", "Sagar Lonial, MD, FACP", "Jesus Berdeja, MD"):
        assert member in blocks


def test_every_line_of_the_seed_commentary_is_on_the_site_word_for_word(client, activity, lessons):
    lines = seed_lines()
    start = lines.index("Key Takeaways") + 1
    end = lines.index("Your Thoughts")
    content = [line.strip().removeprefix("• ") for line in lines[start:end] if line.strip()]
    assert len(content) == 3 + 1 + 4 + 14  # takeaways, introduction, headings, paragraphs

    blocks = site_blocks(client, activity, lessons)
    missing = [line for line in content if line not in blocks]
    assert missing == []


def test_the_seed_title_and_dates_are_on_the_overview(client, activity):
    lines = seed_lines()
    blocks = block_texts(client.get(activity.get_absolute_url()))
    assert lines[1] in blocks
    released = next(line for line in lines if line.startswith("Released: "))
    expires = next(line for line in lines if line.startswith("Expiration: "))
    assert released.removeprefix("Released: ") in blocks
    assert expires.removeprefix("Expiration: ") in blocks


def test_speaker_labels_stand_exactly_where_the_seed_has_them(activity):
    lines = seed_lines()
    labels = [str(member) + ": " for member in Faculty.objects.filter(activity=activity)]
    seed_labelled = [line for line in lines if any(line.startswith(label) for label in labels)]
    fixture_labelled = [
        f"{p.speaker}: {p.text}"
        for p in Paragraph.objects.filter(speaker__isnull=False).order_by("lesson__order", "order")
    ]
    assert fixture_labelled == seed_labelled
    # Paragraphs without a label in the seed carry none in the fixtures either.
    for paragraph in Paragraph.objects.filter(speaker__isnull=True):
        assert paragraph.text in lines


def test_the_lessons_follow_the_seed_order(lessons):
    assert [lesson.heading for lesson in lessons] == [
        "What is the mechanism of action of CELMoDs, and how do they differ from "
        "immunomodulatory imide drugs (IMiDs)?",
        "In what disease settings are CELMoDs being investigated in ongoing phase III trials?",
        "What are key adverse events (AEs) associated with CELMoD treatment?",
        "How do you think CELMoDs might be used in treating MM if they are approved?",
    ]
    assert [lesson.paragraphs.count() for lesson in lessons] == [4, 4, 2, 4]


def test_the_catalog_lists_the_activity_with_its_status(client, activity):
    response = client.get(reverse("cme:catalog"))
    blocks = block_texts(response)
    assert "CELMoDs in Multiple Myeloma" in blocks
    assert activity.get_absolute_url() in response.content.decode()


def test_the_seeds_your_thoughts_prompt_and_poll_question_are_on_their_page_word_for_word(
    client, activity
):
    lines = seed_lines()
    start = lines.index("Your Thoughts")
    prompt = lines[start + 1]
    question = next(line for line in lines[start:] if line.startswith("How confident"))
    url = reverse("quiz:your_thoughts", args=[activity.slug])
    blocks = block_texts(client.get(url))
    assert "Your Thoughts" in blocks
    assert prompt in blocks
    assert question in blocks  # a reader sees the question, and "Log in to answer"
    client.force_login(make_learner())
    assert f"{question}*" in block_texts(client.get(url))  # the legend; * marks it required
