"""What a parser reads out of a document: an activity not yet in the database.

Every parser fills an `ActivityDraft`; `build.activity_import` checks it and writes it. A unit
keeps the line (or the heading) it came from, so a refusal can say where the problem is.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


class DocumentError(ValueError):
    """Why a document cannot be imported, and where: nothing was written."""

    def __init__(self, reason, line=None):
        super().__init__(reason)
        self.reason = reason
        self.line = line

    def __str__(self):
        return f"Line {self.line}: {self.reason}" if self.line else self.reason


@dataclass
class FacultyDraft:
    name: str
    credentials: str = ""
    disclosure: str = ""

    @property
    def label(self):
        """As a speaker label writes it: "Sagar Lonial, MD, FACP"."""
        return f"{self.name}, {self.credentials}" if self.credentials else self.name


@dataclass
class ParagraphDraft:
    text: str
    speaker: str | None = None  # the label as written, without its colon
    line: int | None = None


@dataclass
class LessonDraft:
    heading: str
    slug: str = ""
    paragraphs: list[ParagraphDraft] = field(default_factory=list)
    line: int | None = None


@dataclass
class PollDraft:
    question: str
    slug: str = ""  # left empty: made from the question
    asked_before: bool = False
    options: list[str] = field(default_factory=list)  # valued 1, 2, … in order


@dataclass
class QuestionDraft:
    prompt: str
    choices: list[tuple[str, bool]]  # (text, correct)
    rationale: str
    lesson: str  # the lesson's slug
    line: int | None = None


@dataclass
class EvaluationItemDraft:
    kind: str
    prompt: str
    required: bool = True


@dataclass
class DesignationDraft:
    profession: str
    credit_type: str
    max_amount: Decimal
    statement: str


@dataclass
class ActivityDraft:
    title: str = ""
    slug: str = ""
    released_on: date | None = None
    expires_on: date | None = None
    introduction: str = ""
    discussion_prompt: str = ""
    takeaways: list[str] = field(default_factory=list)
    faculty: list[FacultyDraft] = field(default_factory=list)
    lessons: list[LessonDraft] = field(default_factory=list)
    objectives: list[str] = field(default_factory=list)
    abbreviations: list[tuple[str, str]] = field(default_factory=list)
    provider: str = ""
    accreditation_statement: str = ""
    commercial_support: str = ""
    pass_mark: int = 70
    attempts_before_wait: int = 3
    wait_hours: int = 24
    polls: list[PollDraft] = field(default_factory=list)
    designations: list[DesignationDraft] = field(default_factory=list)
    questions: list[QuestionDraft] = field(default_factory=list)
    evaluation: list[EvaluationItemDraft] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)  # text the parser could not place

    def speakers_from_paragraphs(self):
        """Faculty as the distinct speakers, in the order they first speak (for formats that
        list no faculty of their own)."""
        labels = dict.fromkeys(p.speaker for lesson in self.lessons for p in lesson.paragraphs)
        labels.pop(None, None)
        self.faculty = [FacultyDraft(*split_label(label)) for label in labels]


def split_label(label):
    """("Sagar Lonial", "MD, FACP") from "Sagar Lonial, MD, FACP"."""
    name, _, credentials = label.partition(", ")
    return name, credentials
