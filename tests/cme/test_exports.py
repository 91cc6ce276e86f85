"""The results' CSV files at scale: streamed in chunks, rows in the order promised, learners by
pseudonym, and no cell a spreadsheet would run. tests/cme/test_results.py checks each file's
rows against a known set of learners."""

import csv
import io

from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils.crypto import salted_hmac

from celmod_course.cme.exports import pseudonym
from quiz.models import Choice, Moment, Poll, PollResponse, Question
from tests.conftest import answer_sheet, make_learner


def download(client, activity, url_name):
    """The response's chunks, and the rows of the CSV they make."""
    response = client.get(reverse(url_name, args=[activity.slug]))
    assert response.status_code == 200
    chunks = list(response.streaming_content)
    return chunks, list(csv.reader(io.StringIO(b"".join(chunks).decode())))


def test_a_learners_pseudonym_is_the_one_files_already_downloaded_give(learner):
    old = salted_hmac("celmod_course.results.pseudonym", str(learner.pk)).hexdigest()[:16]
    assert pseudonym(learner.pk) == old


def test_big_exports_stream_in_chunks_with_every_row_in_order(staff_client, activity):
    call_command("seed_learners", "1500", "--attempts", "600")

    chunks, rows = download(staff_client, activity, "cme:export_poll_responses")
    responses = PollResponse.objects.answered().order_by("created_at", "pk")
    expected = [
        [
            pseudonym(response.learner_id),
            response.get_profession_display(),
            response.poll.slug,
            response.moment,
            response.option.text,
            str(response.option.value),
            response.created_at.isoformat(),
        ]
        for response in responses.select_related("poll", "option")
    ]
    assert rows[1:] == expected  # oldest first
    assert len(expected) > 1500
    assert len(chunks) < len(expected) / 100

    chunks, rows = download(staff_client, activity, "cme:export_answers")
    assert len(rows) == 1 + 600 * 10
    assert len(chunks) < 600 * 10 / 100
    submitted = [row[7] for row in rows[1:]]
    assert submitted == sorted(submitted)  # in the order submitted
    for start in range(1, len(rows), 10):
        assert [row[3] for row in rows[start : start + 10]] == [str(n) for n in range(1, 11)]

    chunks, rows = download(staff_client, activity, "cme:export_paired")
    assert len(rows) - 1 == PollResponse.objects.filter(before_option__isnull=False).count()
    assert len(chunks) < len(rows) / 20


def test_texts_a_spreadsheet_would_run_stay_text_in_every_export(staff_client, client, activity):
    poll = Poll.objects.get(activity=activity)
    poll.slug = "-confidence"
    poll.save()
    option = poll.options.get(value=5)
    option.text = "=1+1"
    option.save()
    question = Question.objects.for_activity(activity).first()
    question.prompt = "+CMD|' /C calc'!A0"
    question.save()
    Choice.objects.filter(question=question).update(text="@SUM(A1)")
    learner = make_learner()
    PollResponse.objects.record(learner=learner, option=poll.options.get(value=2), moment="before")
    PollResponse.objects.record(learner=learner, option=option)
    client = Client()
    client.force_login(learner)
    client.post(reverse("cme:submit", args=[activity.slug]), answer_sheet(activity, 10))

    _, poll_rows = download(staff_client, activity, "cme:export_poll_responses")
    _, answers = download(staff_client, activity, "cme:export_answers")
    _, paired = download(staff_client, activity, "cme:export_paired")
    after = next(row for row in poll_rows if row[3] == Moment.AFTER)
    assert after[2:5] == ["'-confidence", "after", "'=1+1"]
    assert answers[1][4:6] == ["'+CMD|' /C calc'!A0", "'@SUM(A1)"]
    assert paired[1][2:] == ["'-confidence", "2", "5"]
    for cell in (cell for rows in (poll_rows, answers, paired) for row in rows for cell in row):
        assert cell[:1] not in ("=", "+", "-", "@"), cell
