"""An `ActivityDraft` written into the database as a draft activity, in one transaction, or
refused whole with the reason and the line: nothing is written then."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from lessons.models import (
    Abbreviation,
    Activity,
    Faculty,
    KeyTakeaway,
    LearningObjective,
    Lesson,
    Paragraph,
)
from quiz.models import Choice, Poll, PollOption, Question

from ..models import CreditDesignation, EvaluationQuestion
from .draft import DocumentError

SLUG_LENGTH = 50


@dataclass
class ImportReport:
    """What an import made (or, for a preview, would make), and what staff still need to do."""

    activity: Activity
    lessons: int
    paragraphs: int
    speakers: list[str]
    takeaways: int
    polls: list[str]
    questions: int
    evaluation: int
    designations: int
    notes: list[str] = field(default_factory=list)

    def lines(self):
        """The report in sentences, as the command prints it and the admin shows it."""
        return [
            f'"{self.activity.title}" ({self.activity.slug}), a draft: learners see it once '
            "staff publish it.",
            f"{_count(self.lessons, 'lesson')} with {_count(self.paragraphs, 'paragraph')}; "
            f"{_count(self.takeaways, 'key takeaway')}.",
            "Speakers: " + ("; ".join(self.speakers) if self.speakers else "none named") + ".",
            "Poll: " + ("; ".join(self.polls) if self.polls else "none") + ".",
            f"Knowledge check: {_count(self.questions, 'question')}; evaluation: "
            f"{_count(self.evaluation, 'item')}; credit designations: {self.designations}.",
            *self.notes,
        ]


def _count(number, noun):
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


class _Preview(Exception):
    """Raised inside the transaction to roll a preview back."""


def lesson_slug(heading, taken):
    """A short slug from the heading ("what-is-the-mechanism-of-action"), unique in `taken`."""
    words = slugify(heading).split("-")
    slug = ""
    for word in words:
        if len(slug) + len(word) + 1 > SLUG_LENGTH:
            break
        slug = f"{slug}-{word}" if slug else word
    slug = slug or "lesson"
    unique, n = slug, 2
    while unique in taken:
        unique, n = f"{slug}-{n}", n + 1
    taken.add(unique)
    return unique


# What one import makes at most: a commentary has a handful of each.
LIMITS = {"lessons": 200, "paragraphs": 5000, "questions": 200, "faculty": 100}


def _within_limits(draft):
    counts = {
        "lessons": len(draft.lessons),
        "paragraphs": sum(len(lesson.paragraphs) for lesson in draft.lessons),
        "questions": len(draft.questions),
        "faculty": len(draft.faculty),
    }
    for unit, count in counts.items():
        if count > LIMITS[unit]:
            raise DocumentError(
                f"The document has {count} {unit}; an import takes at most {LIMITS[unit]}."
            )


def check(draft):
    """The rules a document must meet before anything is written; raises DocumentError."""
    if not draft.title.strip():
        raise DocumentError("The document has no title.")
    if not draft.lessons:
        raise DocumentError(
            "No question headings were found: a commentary needs at least one lesson heading."
        )
    if not draft.introduction.strip():
        raise DocumentError(
            "The document has no introduction: the text before the first question heading "
            '(in Markdown, under "## Introduction").'
        )
    if draft.released_on is None or draft.expires_on is None:
        missing = "release" if draft.released_on is None else "expiration"
        raise DocumentError(f"The document gives no {missing} date.")
    if draft.expires_on <= draft.released_on:
        raise DocumentError(
            f"The expiration date ({draft.expires_on:%B %-d, %Y}) is not after the release date "
            f"({draft.released_on:%B %-d, %Y})."
        )
    labels = {member.label for member in draft.faculty}
    for lesson in draft.lessons:
        if not lesson.paragraphs:
            raise DocumentError(f'The lesson "{lesson.heading}" has no text.', lesson.line)
        for paragraph in lesson.paragraphs:
            if paragraph.speaker is not None and paragraph.speaker not in labels:
                raise DocumentError(
                    f'The speaker label "{paragraph.speaker}" names nobody in the faculty list.',
                    paragraph.line,
                )
    slugs = {lesson.slug for lesson in draft.lessons}
    for question in draft.questions:
        if not question.lesson:
            raise DocumentError(
                f'The question "{question.prompt}" names no lesson: add "Lesson: " and the '
                "lesson's slug after its rationale.",
                question.line,
            )
        if question.lesson not in slugs:
            raise DocumentError(
                f'The question "{question.prompt}" belongs to the lesson "{question.lesson}", '
                "which the document does not have.",
                question.line,
            )
        if sum(correct for _, correct in question.choices) != 1 or len(question.choices) < 2:
            raise DocumentError(
                f'The question "{question.prompt}" needs two or more choices, exactly one of '
                "them marked correct.",
                question.line,
            )


def _saved(model, where, **fields):
    """A new row, checked as the admin checks it (field lengths, choices, constraints)."""
    if any(isinstance(value, str) and "\x00" in value for value in fields.values()):
        raise DocumentError(f"{where}: the text holds a NUL character, which no page can show.")
    row = model(**fields)
    try:
        row.full_clean()
    except ValidationError as error:
        reasons = "; ".join(
            f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in error.message_dict.items()
        )
        raise DocumentError(f"{where}: {reasons}") from error
    row.save()
    return row


def _write(draft, slug):
    activity = _saved(
        Activity,
        "The activity",
        title=draft.title.strip(),
        slug=slug,
        introduction=draft.introduction,
        released_on=draft.released_on,
        expires_on=draft.expires_on,
        discussion_prompt=draft.discussion_prompt,
        pass_mark=draft.pass_mark,
        provider=draft.provider,
        accreditation_statement=draft.accreditation_statement,
        commercial_support=draft.commercial_support,
        attempts_before_wait=draft.attempts_before_wait,
        wait_hours=draft.wait_hours,
        published=False,  # an import is always a draft
    )
    faculty = {}
    for order, member in enumerate(draft.faculty, start=1):
        faculty[member.label] = _saved(
            Faculty,
            f"Faculty member {member.label}",
            activity=activity,
            order=order,
            name=member.name,
            credentials=member.credentials,
            disclosure=member.disclosure,
        )
    for order, text in enumerate(draft.objectives, start=1):
        _saved(LearningObjective, f"Objective {order}", activity=activity, order=order, text=text)
    for order, text in enumerate(draft.takeaways, start=1):
        _saved(KeyTakeaway, f"Key takeaway {order}", activity=activity, order=order, text=text)
    for short, long in draft.abbreviations:
        _saved(Abbreviation, f"Abbreviation {short}", activity=activity, short=short, long=long)
    lessons = {}
    for order, lesson in enumerate(draft.lessons, start=1):
        where = f'The lesson "{lesson.heading}"'
        lessons[lesson.slug] = row = _saved(
            Lesson, where, activity=activity, order=order, slug=lesson.slug, heading=lesson.heading
        )
        for number, paragraph in enumerate(lesson.paragraphs, start=1):
            _saved(
                Paragraph,
                f"{where}, paragraph {number}",
                lesson=row,
                order=number,
                speaker=faculty.get(paragraph.speaker),
                text=paragraph.text,
            )
    poll_slugs = set()
    for order, poll in enumerate(draft.polls, start=1):
        row = _saved(
            Poll,
            "The poll",
            activity=activity,
            order=order,
            slug=poll.slug or lesson_slug(poll.question, poll_slugs),
            question=poll.question,
            asked_before=poll.asked_before,
        )
        for value, text in enumerate(poll.options, start=1):
            _saved(
                PollOption, f"Poll option {value}", poll=row, order=value, text=text, value=value
            )
    for order, question in enumerate(draft.questions, start=1):
        where = f"Question {order}"
        row = _saved(
            Question,
            where,
            activity=activity,
            order=order,
            prompt=question.prompt,
            rationale=question.rationale,
            lesson=lessons[question.lesson],
        )
        for number, (text, correct) in enumerate(question.choices, start=1):
            _saved(
                Choice,
                f"{where}, choice {number}",
                question=row,
                order=number,
                text=text,
                is_correct=correct,
            )
    for order, item in enumerate(draft.evaluation, start=1):
        _saved(
            EvaluationQuestion,
            f"Evaluation item {order}",
            activity=activity,
            order=order,
            kind=item.kind,
            prompt=item.prompt,
            required=item.required,
        )
    for designation in draft.designations:
        _saved(
            CreditDesignation,
            f"The credit designation for {designation.profession}",
            activity=activity,
            profession=designation.profession,
            credit_type=designation.credit_type,
            max_amount=designation.max_amount,
            statement=designation.statement,
        )
    return activity


def _notes(draft):
    notes = []
    if not draft.questions:
        notes.append(
            "It has no knowledge check: learners cannot complete it until staff add its questions."
        )
    for poll in draft.polls:
        if not poll.options:
            notes.append(
                f'The poll "{poll.question}" has no options yet: add them before publishing.'
            )
    if draft.designations and not draft.evaluation:
        notes.append("It offers credit but has no evaluation: add its items before publishing.")
    notes.extend(f"Not placed: {text}" for text in draft.unplaced)
    return notes


def activity_import(*, draft, slug=None, preview=False):
    """Write the draft as a new, unpublished activity (under `slug` if given) and report what
    was made; with `preview`, check and report everything but write nothing. Raises
    DocumentError, having written nothing, when the document cannot be imported."""
    _within_limits(draft)
    taken = set()
    for lesson in draft.lessons:
        if not lesson.slug:
            continue
        if lesson.slug in taken:
            raise DocumentError(f'Two lessons have the slug "{lesson.slug}".', lesson.line)
        taken.add(lesson.slug)
    for lesson in draft.lessons:
        lesson.slug = lesson.slug or lesson_slug(lesson.heading, taken)
    check(draft)
    slug = slug or draft.slug or slugify(draft.title)[:100]
    report = None
    try:
        with transaction.atomic():
            if Activity.objects.filter(slug=slug).exists():
                raise DocumentError(
                    f'An activity with the slug "{slug}" exists already: import it under another '
                    "slug."
                )
            activity = _write(draft, slug)
            report = ImportReport(
                activity=activity,
                lessons=len(draft.lessons),
                paragraphs=sum(len(lesson.paragraphs) for lesson in draft.lessons),
                speakers=[member.label for member in draft.faculty],
                takeaways=len(draft.takeaways),
                polls=[poll.question for poll in draft.polls],
                questions=len(draft.questions),
                evaluation=len(draft.evaluation),
                designations=len(draft.designations),
                notes=_notes(draft),
            )
            if preview:
                raise _Preview
    except _Preview:
        pass
    except IntegrityError as error:  # another import took the slug meanwhile
        raise DocumentError(f'An activity with the slug "{slug}" exists already.') from error
    return report
