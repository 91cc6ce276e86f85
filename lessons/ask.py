"""Ask the commentary: a learner's question answered with the faculty's own words.

The answer is made of passages quoted exactly from the lessons; no text is generated. Passages
are ranked twice, by their words (BM25, bm25s; abbreviations the activity defines match their
long forms both ways) and by meaning (a sentence model, `lessons.embedding`, comparing the
question with each sentence and each pair of neighbouring sentences, a passage taking its best),
and the two rankings are fused; a passage holding every word of the question comes first.
When none of these finds a good enough match the answer says the commentary does not cover the
question. Without the sentence model, words alone rank.

The index is built from the database once per process and content version (the caller passes
the page cache's), so any content edit rebuilds it; the passages' embeddings are kept by their
text, so a rebuild embeds only what changed.
`manage.py evaluate_ask` measures it on the project's question sets (`ask_sets/`).
"""

import functools
import itertools
import re
import threading
from dataclasses import dataclass, field

import bm25s
import numpy as np
import Stemmer
from bm25s.stopwords import STOPWORDS_EN
from django.db.models import Prefetch
from django.utils.html import escape
from django.utils.safestring import mark_safe

from . import embedding
from .models import Lesson, Paragraph

MAX_PASSAGES = 3
# A passage scoring under this share of the best one matched only a word or two in passing.
MIN_SHARE_OF_BEST = 0.3
# Reciprocal rank fusion's constant (score = sum of 1 / (RRF_K + rank)), as its authors set it.
# On the project's sets z-scored score fusion did no better (within a question), so the
# simpler, scale-free one is kept.
RRF_K = 60
# "Not covered": the best passage's BM25 score is under WORDS_COVER and its similarity in meaning
# under MEANING_COVER. Chosen on ask_sets/ (the grid of both that refuses the most unanswerable
# questions while refusing at most a tenth of the answerable ones). Why both: a question the
# commentary does not answer still shares words with it (the drugs' names, "dose", "risk"), and
# the sentence model scores every question on these drugs alike, so neither alone separates.
# The similarity is taken from the corpus's mean (below), where it ranges about 0.2 to 0.6.
WORDS_COVER = 1.5
MEANING_COVER = 0.46

# The words a question is phrased with, which say nothing about what it asks.
STOPWORDS = [
    *STOPWORDS_EN,
    *[
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "how",
        "why",
        "when",
        "where",
        "does",
        "do",
        "did",
        "done",
        "can",
        "could",
        "would",
        "should",
        "shall",
        "i",
        "me",
        "my",
        "you",
        "your",
        "we",
        "our",
        "us",
        "about",
        "any",
        "some",
    ],
]
_WORD = re.compile(r"\w+")
_stemmer = Stemmer.Stemmer("english")
_ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4"}
_PHASE = re.compile(r"\b(phase\s+)(iv|i{1,3})(?=[ab]?\b)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.;!?])\s+(?=[A-Z])")


def _phases_in_digits(text):
    """ "phase III" as "phase 3", the way clinicians often write it."""
    return _PHASE.sub(lambda m: m.group(1) + _ROMAN[m.group(2).lower()], text)


class _Abbreviations:
    """Each abbreviation and its long forms, as the activity's data defines them (a plural "s"
    matches too). A text holding either form is indexed with a shared token, so that either
    form finds the other."""

    def __init__(self, rows):
        forms = {}
        for short, long in rows:
            forms.setdefault(short, [rf"\b{re.escape(short)}s?\b"]).append(
                rf"\b{re.escape(long)}s?\b"
            )
        self.patterns = [
            (re.sub(r"\W", "", short) + "abbr", re.compile("|".join(patterns), re.IGNORECASE))
            for short, patterns in forms.items()
        ]

    def expanded(self, text):
        text = _phases_in_digits(text)
        extra = []
        for token, pattern in self.patterns:
            extra += [token] * len(pattern.findall(text))
        return " ".join([text, *extra])

    def tokens(self, texts):
        return bm25s.tokenize(
            [self.expanded(text) for text in texts],
            stopwords=STOPWORDS,
            stemmer=_stemmer,
            return_ids=False,
            show_progress=False,
        )


@dataclass(frozen=True)
class Passage:
    text: str
    speaker: str
    lesson_number: int
    lesson_heading: str
    lesson_url: str


@dataclass(frozen=True)
class Quote:
    """One passage of an answer."""

    passage: Passage
    highlighted: str  # safe HTML: the passage, escaped, with matching words in <mark>


@dataclass(frozen=True)
class Answer:
    """The passages that answer a question, best first. When the commentary does not cover the
    question, `covered` is false and `quotes` holds at most the one passage nearest to it."""

    covered: bool
    quotes: list = field(default_factory=list)


def _pieces(text):
    """The sentences of a passage, each pair of neighbours, and the whole: a passage's meaning is
    its best piece's, so that one sentence answering a question is not diluted by the rest."""
    sentences = _SENTENCE_END.split(text)
    pairs = [" ".join(pair) for pair in itertools.pairwise(sentences)]
    return [*sentences, *pairs, text] if len(sentences) > 1 else [text]


@functools.lru_cache(maxsize=4096)
def _piece_vector(piece):
    """A piece of a passage as a vector, kept across rebuilds of the index: an edit embeds
    again only the pieces it changed, and a content version renewed with no edit (every request
    while Redis is gone) embeds nothing, where the whole commentary takes seconds. Questions
    are never kept."""
    return embedding.embed([piece])[0]


class _Meaning:
    """Each passage's pieces as unit vectors, taken from the corpus's mean: every passage is
    about CELMoDs in myeloma, and what they share would otherwise dominate every similarity."""

    def __init__(self, passages):
        pieces = [(number, piece) for number, p in enumerate(passages) for piece in _pieces(p.text)]
        self.owners = np.array([number for number, _ in pieces])
        self.count = len(passages)
        vectors = np.array([_piece_vector(_phases_in_digits(piece)) for _, piece in pieces])
        self.mean = vectors.mean(axis=0)
        self.vectors = self._centred(vectors)

    def _centred(self, vectors):
        vectors = vectors - self.mean
        lengths = np.linalg.norm(vectors, axis=-1, keepdims=True)
        return vectors / np.where(lengths > 0, lengths, 1)  # a lone passage is its own mean

    def similarities(self, question):
        question = self._centred(embedding.embed([_phases_in_digits(question)])[0])
        best = np.full(self.count, -1.0)
        np.maximum.at(best, self.owners, self.vectors @ question)
        return best


class _Index:
    def __init__(self, passages, abbreviations):
        self.passages = passages
        self.abbreviations = abbreviations
        tokens = abbreviations.tokens([p.text for p in passages])
        self.words = [set(words) for words in tokens]
        self.retriever = bm25s.BM25()
        self.retriever.index(tokens, show_progress=False)
        self.meaning = _Meaning(passages) if embedding.available() else None


_indexes = {}  # activity id: (content version, index)
_indexes_lock = threading.Lock()


def _current_index(activity, version):
    """The index of the activity's lessons and abbreviations, built once per content version
    (the page cache's, which every content edit renews)."""
    with _indexes_lock:
        cached = _indexes.get(activity.pk)
        if cached is None or cached[0] != version:
            cached = _indexes[activity.pk] = (version, _build_index(activity))
        return cached[1]


def _build_index(activity):
    lessons = Lesson.objects.for_activity(activity).prefetch_related(
        Prefetch("paragraphs", Paragraph.objects.select_related("speaker"))
    )
    passages = [
        Passage(
            text=paragraph.text,
            speaker=str(paragraph.speaker) if paragraph.speaker else "",
            lesson_number=lesson.number,
            lesson_heading=lesson.heading,
            lesson_url=lesson.get_absolute_url(),
        )
        for lesson in lessons
        for paragraph in lesson.paragraphs.all()
    ]
    abbreviations = list(activity.abbreviations.values_list("short", "long"))
    return _Index(passages, _Abbreviations(abbreviations)) if passages else None


def _highlight(text, stems, abbreviations):
    """The text, escaped, with the question's words marked, and either form of an abbreviation
    the question used (asking "overall response rate" marks "ORR")."""
    spans = [m.span() for m in _WORD.finditer(text) if _stemmer.stemWord(m[0].lower()) in stems]
    for token, pattern in abbreviations.patterns:
        if _stemmer.stemWord(token.lower()) in stems:
            spans += [m.span() for m in pattern.finditer(text)]
    pieces, last = [], 0
    for start, end in sorted(spans):
        if start < last:
            continue  # inside a form already marked
        pieces += [escape(text[last:start]), f"<mark>{escape(text[start:end])}</mark>"]
        last = end
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))  # every piece above is escaped


def _ranks(scores):
    """1 for the best; passages scoring alike share a rank, so a ranking that cannot tell them
    apart (no word of the question in any) adds nothing to the fusion."""
    return 1 + (scores[None, :] > scores[:, None]).sum(axis=1)


def ask(activity, question, *, version, limit=MAX_PASSAGES):
    """The answer to the question from the commentary (see `Answer`). `version` names the
    content as it is now: the index is rebuilt when it changes."""
    index = _current_index(activity, version)
    if index is None or not (query := index.abbreviations.tokens([question])[0]):
        return Answer(covered=False)
    words = index.retriever.get_scores(query)
    if index.meaning is None:
        # Words alone cannot tell an answer from a passage that shares a word with the question
        # (see WORDS_COVER): as before the sentence model, any match answers.
        meaning, fused = None, words
        covered = words.max() > 0
    else:
        meaning = index.meaning.similarities(question)
        fused = 1 / (RRF_K + _ranks(words)) + 1 / (RRF_K + _ranks(meaning))
        covered = words.max() >= WORDS_COVER or meaning.max() >= MEANING_COVER
    # A passage holding every word of the question (its stopwords aside) answers it, however
    # short the question: a search by a term of the commentary ("EXCALIBER", "cereblon") scores
    # low on BM25 (one word) and on meaning (no sentence), yet is plainly covered. On ask_sets/
    # no unanswerable question has all its words in one passage (nor any answerable one), so
    # the rule moves neither rate. Such passages come first: the fusion alone ranks the
    # passage on SUCCESSOR-1 above the only one that names EXCALIBER.
    stems = set(query)
    holding_all = {n for n, passage_words in enumerate(index.words) if stems <= passage_words}
    covered = covered or bool(holding_all)

    def on_its_own(number):
        """A passage after the first is quoted only when it is a good match itself."""
        if words[number] > 0 and words[number] >= words.max() * MIN_SHARE_OF_BEST:
            return True
        return meaning is not None and meaning[number] >= MEANING_COVER

    best = sorted(
        (int(n) for n in np.argsort(-fused, kind="stable")), key=lambda n: n not in holding_all
    )
    if covered:
        chosen = best[:1] + [n for n in best[1:limit] if on_its_own(n)]
    else:
        # The nearest passage that shares a word with the question, shown as only related.
        chosen = [n for n in best if words[n] > 0][:1]
    quotes = [
        Quote(index.passages[n], _highlight(index.passages[n].text, stems, index.abbreviations))
        for n in chosen
    ]
    return Answer(covered=covered, quotes=quotes)
