"""The knowledge check's items, as a test-wise learner would read them: the key does not stand
out by its length, and the items test understanding rather than the recall of a bare figure."""

import re

from quiz.models import Question

BARE = re.compile(r"[\d.,]+\s*%?|[A-Z][A-Z0-9]*(-[A-Z0-9]+)+")  # 41%, SUCCESSOR-2, CC-220-MM-001


def items(activity):
    for question in Question.objects.for_activity(activity).prefetch_related("choices"):
        choices = list(question.choices.all())
        key = next(choice for choice in choices if choice.is_correct)
        yield question, key, [choice for choice in choices if not choice.is_correct]


def test_no_key_is_longer_than_every_distractor_by_more_than_a_quarter(activity):
    for question, key, distractors in items(activity):
        longest = max(len(choice.text) for choice in distractors)
        assert len(key.text) <= 1.25 * longest, question.prompt


def test_at_most_one_key_is_a_bare_number_or_trial_name(activity):
    bare = [key.text for _, key, _ in items(activity) if BARE.fullmatch(key.text.strip())]
    assert len(bare) <= 1, bare


def test_the_items_test_what_the_commentary_stresses(activity):
    keys = " ".join(key.text for _, key, _ in items(activity))
    prompts = " ".join(question.prompt for question, _, _ in items(activity))
    assert "No CELMoD is approved for treating MM" in keys
    assert "cappuccino for T-cells" in prompts
    assert "exhausted T-cells" in keys


def test_no_stem_carries_a_trial_registration_number(activity):
    for question, _, _ in items(activity):
        assert not re.search(r"NCT\d+", question.prompt)


def opening_word(text):
    return re.match(r"[\w/-]+", text).group().lower()


def clauses(text):
    return 1 + text.count(",") + text.count(";")


def test_no_opening_word_is_shared_by_all_but_one_choice(activity):
    for question, key, distractors in items(activity):
        openings = [opening_word(choice.text) for choice in [key, *distractors]]
        counts = {openings.count(word) for word in openings}
        assert len(openings) - 1 not in counts, question.prompt


def test_no_key_gives_more_reasons_than_every_distractor(activity):
    for question, key, distractors in items(activity):
        assert clauses(key.text) <= max(clauses(choice.text) for choice in distractors), (
            question.prompt
        )


def test_the_cappuccino_metaphor_alone_picks_no_choice(activity):
    for question, key, distractors in items(activity):
        if "cappuccino" in question.prompt:
            for choice in [key, *distractors]:
                assert "wake up exhausted T-cells" in choice.text, choice.text
