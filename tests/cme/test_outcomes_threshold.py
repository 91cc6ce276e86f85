"""The results page shows the confidence change from five paired learners on: with four, one
learner's answers could be singled out, so the figures are withheld."""

from django.urls import reverse

from tests.concurrency import client_of
from tests.conftest import make_learner
from tests.html import block_texts

# (before, after) of each learner who answers the confidence poll before the first lesson and
# again at Your Thoughts, in turn.
PAIRS = [(2, 4), (3, 3), (1, 3), (4, 3), (2, 2)]


def answer_before_and_after(n, poll):
    client = client_of(make_learner(f"paired{n}@example.org", f"Paired {n}"))
    before, after = PAIRS[n]
    field = f"poll-{poll.pk}-option"
    client.post(poll.get_before_url(), {field: poll.options.get(value=before).pk})
    client.post(poll.get_vote_url(), {field: poll.options.get(value=after).pk})


def results(staff_client, activity):
    return block_texts(staff_client.get(reverse("cme:results", args=[activity.slug])))


def test_the_change_is_withheld_at_four_paired_learners_and_shown_at_the_fifth(
    staff_client, activity
):
    poll = activity.polls.get(slug="confidence")
    for n in range(4):
        answer_before_and_after(n, poll)
    blocks = results(staff_client, activity)
    assert "4 learners with both answers (shown from 5) · Outcomes" in blocks
    assert (
        "4 learners answered both before the first lesson and at Your Thoughts. The change is "
        "shown from 5 such learners on, so that no single learner's answers can be singled out."
    ) in blocks
    assert "Learners with both answers" not in blocks and "Mean change" not in blocks

    answer_before_and_after(4, poll)
    blocks = results(staff_client, activity)
    text = " ".join(blocks)
    assert "+0.60 from before to after, 5 learners · Outcomes" in blocks
    assert "Learners with both answers 5" in text
    assert "Mean before → after 2.40 → 3.00 (1 to 5)" in text
    assert "Mean change +0.60" in text
    assert "Moved up · stayed · moved down 2 · 2 · 1" in text
    assert "answered both before the first lesson" not in text
