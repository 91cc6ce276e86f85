"""Activities from documents: the seed's page text, Markdown with front matter; exported to
Markdown and imported again unchanged; bad input refused with the line and nothing written."""

import io
import zipfile

import docx
import pytest
from django.urls import reverse

from celmod_course.cme import documents
from celmod_course.cme.documents import markdown, pagetext
from celmod_course.cme.documents.build import activity_import
from celmod_course.cme.documents.draft import DocumentError
from lessons.models import Activity, Lesson
from quiz.models import Poll
from tests.concurrency import client_of
from tests.lessons.test_content import seed_text


def content(activity):
    """Everything a learner reads of an activity, unit for unit."""
    lessons = Lesson.objects.filter(activity=activity).prefetch_related("paragraphs__speaker")
    return {
        "title": activity.title,
        "dates": (activity.released_on, activity.expires_on),
        "introduction": activity.introduction,
        "takeaways": [t.text for t in activity.key_takeaways.all()],
        "faculty": [str(f) for f in activity.faculty.all()],
        "lessons": [
            (
                lesson.heading,
                [(str(p.speaker) if p.speaker else None, p.text) for p in lesson.paragraphs.all()],
            )
            for lesson in lessons
        ],
        "prompt": activity.discussion_prompt,
        "polls": [poll.question for poll in Poll.objects.filter(activity=activity)],
    }


def test_the_seeds_page_text_imports_as_the_fixtures_content(activity):
    report = activity_import(draft=pagetext.parse(seed_text()), slug="imported")
    imported = report.activity
    assert content(imported) == content(activity)
    assert not imported.published
    assert report.lessons == 4 and report.paragraphs == 14 and report.takeaways == 3
    assert report.speakers == [
        "Amrita Krishnan, MD, FACP",
        "Sagar Lonial, MD, FACP",
        "Jesus Berdeja, MD",
    ]
    assert any("no knowledge check" in note for note in report.notes)


def test_the_page_texts_chrome_is_left_out(activity):
    draft = pagetext.parse(seed_text())
    everything = " ".join(
        [draft.introduction, *(p.text for lesson in draft.lessons for p in lesson.paragraphs)]
    )
    for chrome in ("Ask AI", "Course Completed", "Submit"):
        assert chrome not in everything
    assert draft.unplaced == []


def test_an_export_imports_again_and_exports_the_same_file(activity):
    exported = markdown.activity_markdown(activity)
    copy = activity_import(draft=markdown.parse(exported), slug="copy").activity
    assert markdown.activity_markdown(copy) == exported
    assert content(copy) | {"title": None} == content(activity) | {"title": None}
    assert copy.questions.count() == activity.questions.count() == 10
    assert copy.evaluation_questions.count() == activity.evaluation_questions.count()
    assert list(copy.polls.get().options.values_list("text", "value")) == list(
        activity.polls.get().options.values_list("text", "value")
    )


def test_the_export_shows_speakers_slugs_and_the_key(activity):
    exported = markdown.activity_markdown(activity)
    assert exported.startswith("---\ntitle: CELMoDs in Multiple Myeloma\nreleased: 2025-07-28\n")
    assert "\n**Amrita Krishnan, MD, FACP:** CELMoDs (including iberdomide" in exported
    assert "(IMiDs)? {#mechanism-of-action}\n" in exported
    assert "\n- [x] " in exported and "\nLesson: mechanism-of-action\n" in exported
    assert "slug: celmods-in-multiple-myeloma" not in exported  # imported under a new slug


@pytest.mark.parametrize(
    "text",
    [
        "A line with *stars*, _underscores_, [brackets], <b>tags</b>, `ticks` and &amp; as typed",
        "1. Not a list",
        "- not a list either",
        "# not a heading",
        "> not a quote",
        "Two lines\nkept as two",
        "Ends with a hash #",
        "A back\\slash",
    ],
)
def test_markdowns_own_characters_round_trip_as_text(activity, text):
    lesson = activity.lessons.first()
    paragraph = lesson.paragraphs.first()
    paragraph.text = text
    paragraph.save()
    lesson.heading = text.replace("\n", " ")
    lesson.save()
    draft = markdown.parse(markdown.activity_markdown(activity))
    assert draft.lessons[0].paragraphs[0].text == text
    assert draft.lessons[0].heading == text.replace("\n", " ")


MINIMAL = """---
title: A commentary
released: 2026-01-05
expires: 2027-01-04
faculty:
- name: Ann Expert
  credentials: MD
---

## Introduction

Experts discuss what is new.

## What is new? {#new}

**Ann Expert, MD:** Much.
"""


def test_a_minimal_markdown_file_imports_as_a_draft(db):
    report = activity_import(draft=markdown.parse(MINIMAL))
    assert report.activity.slug == "a-commentary"
    assert not report.activity.published
    lesson = report.activity.lessons.get()
    assert (lesson.slug, lesson.heading) == ("new", "What is new?")
    assert str(lesson.paragraphs.get().speaker) == "Ann Expert, MD"


def refused(parse, text, slug=None):
    """The refusal's message, having checked that nothing was written."""
    before = Activity.objects.count(), Lesson.objects.count()
    with pytest.raises(DocumentError) as refusal:
        activity_import(draft=parse(text), slug=slug)
    assert (Activity.objects.count(), Lesson.objects.count()) == before
    return str(refusal.value)


@pytest.mark.parametrize("parse", [pagetext.parse, markdown.parse])
def test_an_empty_file_is_refused(db, parse):
    assert refused(parse, "  \n\n") == "The file is empty."


def test_a_page_text_without_question_headings_is_refused(db):
    text = "A title\n\nReleased: July 28, 2025\n\nExpiration: January 27, 2026\n\nJust prose.\n"
    assert refused(pagetext.parse, text).startswith("No question headings were found")


def test_markdown_without_lessons_is_refused(db):
    text = MINIMAL.split("## What")[0] + "## Introduction\n\nOnly an introduction.\n"
    assert refused(markdown.parse, text).startswith("No question headings were found")


def test_a_speaker_label_naming_nobody_is_refused_with_its_line(db):
    text = MINIMAL + "\n**Bob Nobody, MD:** Who?\n"
    assert refused(markdown.parse, text) == (
        'Line 18: The speaker label "Bob Nobody, MD" names nobody in the faculty list.'
    )


def test_an_unknown_front_matter_key_is_refused_with_its_line(db):
    text = MINIMAL.replace("expires:", "colour: blue\nexpires:")
    assert refused(markdown.parse, text) == (
        'Line 4: Unknown front-matter key "colour" (the keys are: title, slug, released, '
        "expires, provider, accreditation_statement, commercial_support, objectives, faculty, "
        "abbreviations, polls, knowledge_check, credit, evaluation)."
    )


def test_a_file_without_an_introduction_is_refused(db):
    text = MINIMAL.replace("## Introduction\n\nExperts discuss what is new.\n\n", "")
    assert refused(markdown.parse, text).startswith("The document has no introduction")


def test_a_duplicate_slug_is_refused(activity):
    message = refused(markdown.parse, MINIMAL, slug=activity.slug)
    assert message == (
        f'An activity with the slug "{activity.slug}" exists already: import it under another slug.'
    )


@pytest.mark.parametrize(
    "change, message",
    [
        (("released: 2026-01-05", "released: someday"), 'The date "someday" under "released"'),
        (
            ("expires: 2027-01-04", "expires: 2025-01-04"),
            "The expiration date (January 4, 2025) is not after the release date "
            "(January 5, 2026).",
        ),
    ],
)
def test_dates_that_cannot_be_read_or_run_backwards_are_refused(db, change, message):
    assert refused(markdown.parse, MINIMAL.replace(*change)).startswith(message)


def test_a_page_text_date_that_cannot_be_read_names_its_line(db):
    text = seed_text().replace("Released: July 28, 2025", "Released: the 28th")
    assert refused(pagetext.parse, text) == (
        'Line 5: The date "the 28th" cannot be read (write e.g. "July 28, 2025").'
    )


def test_html_in_a_file_is_kept_as_text(db, client):
    text = MINIMAL.replace("Much.", "<script>alert(1)</script> Much.")
    activity = activity_import(draft=markdown.parse(text)).activity
    assert activity.lessons.get().paragraphs.get().text == "<script>alert(1)</script> Much."


# Word: a document written with headings and bold speaker labels, built here with python-docx.


def word_file(activity):
    """The seed activity as a writer would type it in Word: Title, the dates, Heading 2 for the
    sections and lessons, bold speaker labels, the poll under Your Thoughts."""
    document = docx.Document()
    document.add_heading(activity.title, 0)
    document.add_paragraph(f"Released: {activity.released_on:%B %-d, %Y}")
    document.add_paragraph(f"Expiration: {activity.expires_on:%B %-d, %Y}")
    document.add_heading("Key Takeaways", 2)
    for takeaway in activity.key_takeaways.all():
        document.add_paragraph(takeaway.text, style="List Bullet")
    document.add_heading("Introduction", 2)
    document.add_paragraph(activity.introduction)
    for lesson in activity.lessons.prefetch_related("paragraphs__speaker"):
        document.add_heading(lesson.heading, 2)
        for paragraph in lesson.paragraphs.all():
            written = document.add_paragraph()
            if paragraph.speaker:
                written.add_run(f"{paragraph.speaker}:").bold = True
                written.add_run(" ")
            written.add_run(paragraph.text)
    document.add_heading("Your Thoughts", 2)
    document.add_paragraph(activity.discussion_prompt)
    poll = activity.polls.get()
    document.add_paragraph(poll.question)
    for option in poll.options.all():
        document.add_paragraph(option.text, style="List Bullet")
    file = io.BytesIO()
    document.save(file)
    return file.getvalue()


def test_a_word_file_imports_as_the_same_content(activity):
    draft = documents.read("celmods.docx", word_file(activity))
    imported = activity_import(draft=draft, slug="from-word").activity
    assert content(imported) == content(activity)
    assert list(imported.polls.get().options.values_list("text", "value")) == list(
        activity.polls.get().options.values_list("text", "value")
    )


def test_a_word_file_round_trips_through_markdown(activity):
    draft = documents.read("celmods.docx", word_file(activity))
    first = markdown.activity_markdown(activity_import(draft=draft, slug="word-1").activity)
    again = activity_import(draft=markdown.parse(first), slug="word-2").activity
    assert markdown.activity_markdown(again) == first


def test_a_file_named_docx_that_is_no_word_file_is_refused(db):
    with pytest.raises(DocumentError) as refusal:
        documents.read("commentary.docx", b"PK\x03\x04 not really a zip")
    assert str(refusal.value) == "The file is not a Word document (.docx)."
    assert not Activity.objects.exists()


def test_a_file_over_the_limit_is_refused_with_the_limit(db):
    with pytest.raises(DocumentError) as refusal:
        documents.read("big.md", b"x" * (documents.MAX_BYTES + 1))
    assert str(refusal.value) == "The file is 2.1 MB; the import takes files up to 2 MB."


def test_a_file_of_another_kind_is_refused_by_name(db):
    with pytest.raises(DocumentError) as refusal:
        documents.read("slides.pdf", b"%PDF-1.7")
    assert str(refusal.value).startswith('"slides.pdf" is not a file the import reads')


def test_a_text_file_that_is_not_utf8_is_refused(db):
    with pytest.raises(DocumentError) as refusal:
        documents.read("page.txt", "Caf\xe9".encode("latin-1"))
    assert str(refusal.value) == "The file is not UTF-8 text: save it as UTF-8 and try again."


def test_an_imported_draft_reads_well_for_staff_and_is_hidden_from_learners(
    activity, staff, learner
):
    staff_client, learner_client = client_of(staff), client_of(learner)
    text = seed_text().replace("multiple myeloma (MM).", "multiple myeloma (MM). <b>bold</b>")
    imported = activity_import(draft=pagetext.parse(text), slug="imported").activity
    pages = [
        imported.get_absolute_url(),
        imported.lessons.first().get_absolute_url(),
        reverse("quiz:your_thoughts", args=[imported.slug]),
    ]
    for url in pages:
        assert staff_client.get(url).status_code == 200, url
        assert learner_client.get(url).status_code == 404, url
    overview = staff_client.get(imported.get_absolute_url()).content.decode()
    assert "(MM). &lt;b&gt;bold&lt;/b&gt;" in overview


# Hostile or careless files: refused with a reason, never an exception, nothing written.


@pytest.mark.parametrize(
    "front, message",
    [
        ("provider: [unclosed", "The front matter is not valid YAML."),
        ("released: 2026-02-30", "The front matter holds a value that cannot be read"),
        ("? [a]\n: b", "Line 5: A front-matter key must be a word."),
        ("knowledge_check: {pass_mark: .inf}", '"pass_mark" in "knowledge_check" takes a whole'),
        ("knowledge_check: {pass_mark: true}", '"pass_mark" in "knowledge_check" takes a whole'),
        ("objectives: hello", '"objectives" takes a list (lines starting with -).'),
        ("provider: [a, b]", '"provider" takes text, not a list.'),
        ("polls: [1]", 'in "polls", entry 1 is not written as key: value.'),
        ("polls: [{question: Q, asked_before: 'no'}]", '"asked_before" in "polls", entry 1'),
        (
            "credit: [{profession: physician, credit_type: C, max_amount: 1e30}]",
            '"max_amount" in "credit", entry 1 takes a number from 0 to 999.',
        ),
        ("credit: [{max_amount: 1}]", '"profession" in "credit", entry 1 is missing.'),
        ("provider: &a x\ncommercial_support: *a", "Line 6: The front matter uses a YAML alias"),
        ('provider: "A\\0B"', "The activity: the text holds a NUL character"),
    ],
)
def test_front_matter_of_the_wrong_kind_is_refused_by_key(db, front, message):
    assert message in refused(markdown.parse, MINIMAL.replace("faculty:", f"{front}\nfaculty:"))


def test_a_yaml_alias_bomb_is_refused_at_once(db):
    bomb = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"a{n}: &a{n} [*a{n - 1}, *a{n - 1}, *a{n - 1}, *a{n - 1}, *a{n - 1}, *a{n - 1}]\n"
        for n in range(1, 10)
    )
    message = refused(markdown.parse, f"---\n{bomb}title: *a9\n---\n")
    assert "The front matter uses a YAML alias" in message


def zipped(**members):
    file = io.BytesIO()
    with zipfile.ZipFile(file, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name.replace("__", "/"), data)
    return file.getvalue()


@pytest.mark.parametrize(
    "data, message",
    [
        (zipped(other="x"), "The file is not a Word document (.docx)."),
        (zipped(), "The file is not a Word document (.docx)."),
        (
            zipped(word__document_xml="<w:document><unclosed>"),
            "The file is not a Word document (.docx).",
        ),
        (
            zipped(word__document_xml=" " * (21 * 1024 * 1024)),
            "The Word file unpacks to 21 MB; the import takes files that unpack to 20 MB at most.",
        ),
    ],
    ids=["no document", "empty zip", "broken xml", "zip bomb"],
)
def test_a_damaged_or_oversized_word_file_is_refused(db, data, message):
    with pytest.raises(DocumentError) as refusal:
        documents.read("commentary.docx", data)
    assert str(refusal.value) == message


def test_more_lessons_than_an_import_takes_are_refused(db):
    lessons = "".join(f"## Heading?\n\nText {n}.\n\n" for n in range(201))
    text = MINIMAL.split("## What")[0] + lessons
    assert refused(markdown.parse, text) == (
        "The document has 201 lessons; an import takes at most 200."
    )


@pytest.mark.parametrize(
    "text, read_back",
    [
        ("~~~ see the table below", "~~~ see the table below"),
        ("Look:\n~~~ a fence?", "Look:\n~~~ a fence?"),
        ("Windows\r\nline endings", "Windows\nline endings"),
        ("  Indented and trailing  ", "Indented and trailing"),
        ("\tA tab first", "A tab first"),
    ],
)
def test_text_that_looks_like_markup_survives_export_and_import(activity, text, read_back):
    paragraph = activity.lessons.first().paragraphs.first()
    paragraph.text = text
    paragraph.save()
    exported = markdown.activity_markdown(activity)
    draft = markdown.parse(exported)
    assert draft.lessons[0].paragraphs[0].text == read_back
    assert len(draft.questions) == 10 and draft.discussion_prompt
    copy = activity_import(draft=draft, slug="copy").activity
    assert markdown.activity_markdown(copy) == exported


def test_a_question_on_two_lines_and_a_rationale_naming_a_lesson_round_trip(activity):
    question = activity.questions.first()
    question.prompt = "Which drug\r\nbinds cereblon?"
    question.rationale = "First.\n\nLesson: the second paragraph begins so."
    question.save()
    exported = markdown.activity_markdown(activity)
    draft = markdown.parse(exported)
    assert draft.questions[0].prompt == "Which drug binds cereblon?"
    assert draft.questions[0].rationale == question.rationale
    assert draft.questions[0].lesson == question.lesson.slug
    copy = activity_import(draft=draft, slug="copy").activity
    assert markdown.activity_markdown(copy) == exported


def test_what_the_format_has_no_place_for_is_named_in_the_report(db):
    text = MINIMAL + "\n```\ncode\n```\n\n---\n\n![a chart](chart.png)\n"
    report = activity_import(draft=markdown.parse(text), preview=True)
    assert [note for note in report.notes if note.startswith("Not placed")] == [
        "Not placed: line 18: code",
        "Not placed: line 22: a horizontal rule",
        "Not placed: line 24: ![a chart](chart.png)",
    ]
