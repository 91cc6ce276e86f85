"""The staff results page and CSV exports, checked against a known set of learners."""

import csv
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from celmod_course.accounts.models import Profession
from celmod_course.cme.exports import pseudonym
from celmod_course.cme.models import CreditDesignation
from lessons.models import Lesson, LessonCompletion
from quiz.models import Comment, Moment, Poll, PollResponse, Question
from tests.conftest import answer_sheet, make_learner
from tests.html import block_texts, block_texts_of


def results_url(activity):
    return reverse("cme:results", args=[activity.slug])


def poll_csv_url(activity):
    return reverse("cme:export_poll_responses", args=[activity.slug])


def answers_csv_url(activity):
    return reverse("cme:export_answers", args=[activity.slug])


def submit(client, learner, activity, right):
    client.force_login(learner)
    client.post(reverse("cme:submit", args=[activity.slug]), answer_sheet(activity, right))


@pytest.fixture
def cohort(activity, staff):
    """Five learners and one staff member, with known answers at known times."""
    client = Client()
    a = make_learner("a@example.org", "Ann A", profession=Profession.PHYSICIAN)
    b = make_learner("b@example.org", "Bob B", profession=Profession.NURSE)
    c = make_learner("c@example.org", "Cal C", profession=Profession.PHARMACIST)
    d = make_learner("d@example.org", "Dee D", profession=Profession.PHYSICIAN)
    make_learner("e@example.org", "Eve E", profession=Profession.OTHER)
    poll = Poll.objects.get(activity=activity)
    lessons = list(Lesson.objects.for_activity(activity))

    with time_machine.travel("2026-03-02 09:00Z", tick=False):
        for learner, value in [(a, 5), (b, 3), (c, 3), (d, 4), (staff, 1)]:
            PollResponse.objects.record(learner=learner, option=poll.options.get(value=value))
        for learner, count in [(a, 4), (b, 2), (d, 1), (staff, 4)]:
            for lesson in lessons[:count]:
                LessonCompletion.objects.record(learner=learner, lesson=lesson)
    with time_machine.travel("2026-03-03 10:00Z", tick=False):
        submit(client, a, activity, right=6)
    with time_machine.travel("2026-03-04 10:00Z", tick=False):
        submit(client, a, activity, right=9)
        submit(client, b, activity, right=7)
        submit(client, c, activity, right=3)
        submit(client, staff, activity, right=10)
    Comment.objects.create(learner=a, activity=activity, body="Useful")
    Comment.objects.create(learner=b, activity=activity, body="Thanks")
    Comment.objects.create(learner=c, activity=activity, body="Spam", is_hidden=True)
    return {"a": a, "b": b, "c": c, "d": d, "staff": staff}


def table_rows(html, caption):
    """The cells of each body row of the table with this caption."""
    table = re.search(rf"<caption[^>]*>{re.escape(caption)}</caption>(.*?)</table>", html, re.S)
    body = table.group(1).split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    return [[cell for cell in block_texts_of(row) if cell] for row in rows]


def read_csv(response):
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_the_poll_section_counts_learners_answers(staff_client, activity, cohort):
    response = staff_client.get(results_url(activity))
    html = response.content.decode()
    blocks = block_texts(response)
    assert "4 responses · mean confidence 3.75 on a scale of 1 to 5" in blocks
    assert table_rows(html, "Responses per option") == [
        ["Not at all confident", "1", "0", "0%"],
        ["Slightly confident", "2", "0", "0%"],
        ["Moderately confident", "3", "2", "50%"],
        ["Very confident", "4", "1", "25%"],
        ["Extremely confident", "5", "1", "25%"],
    ]
    assert table_rows(html, "Responses per option for each profession") == [
        ["Physician", "0", "0", "0", "1", "1", "2", "4.50"],
        ["Nurse or nurse practitioner", "0", "0", "1", "0", "0", "1", "3.00"],
        ["Pharmacist", "0", "0", "1", "0", "0", "1", "3.00"],
        ["Physician assistant", "0", "0", "0", "0", "0", "0", "n/a"],
        ["Other", "0", "0", "0", "0", "0", "0", "n/a"],
    ]
    assert html.count('<progress class="poll-bar" max="100" value="50"') >= 1


def test_the_knowledge_check_section_summarises_attempts(staff_client, activity, cohort):
    blocks = block_texts(staff_client.get(results_url(activity)))
    for label, value in [
        ("Attempts", "4"),
        ("Learners who attempted", "3"),
        ("Learners who passed", "2"),
        ("Pass rate", "67% of learners who attempted"),
        ("Mean score", "62.5% (all attempts)"),
    ]:
        assert blocks[blocks.index(label) + 1] == value, label


def test_the_item_analysis_says_it_waits_for_five_learners(staff_client, activity, cohort):
    """Three learners made a first attempt (the staff run is not counted): too few for the
    item analysis, whose figures and per-choice counts tests/cme/test_item_analysis.py checks."""
    html = staff_client.get(results_url(activity)).content.decode()
    assert (
        "3 learners made a first attempt. The item analysis is shown from 5 learners on, so "
        "that no single learner's answers can be singled out."
    ) in block_texts_of(html)
    assert "How often each choice was picked" not in html


def test_the_funnel_counts_learners_at_each_step(staff_client, activity, cohort):
    html = staff_client.get(results_url(activity)).content.decode()
    assert table_rows(html, "Learners at each step, as a share of learners signed up") == [
        ["Signed up", "5", "100%"],
        ["Started (one lesson complete)", "3", "60%"],
        ["Lesson 1 complete", "3", "60%"],
        ["Lesson 2 complete", "2", "40%"],
        ["Lesson 3 complete", "1", "20%"],
        ["Lesson 4 complete", "1", "20%"],
        ["Passed the knowledge check", "2", "40%"],
        ["Completed the activity", "1", "20%"],
    ]


def test_the_discussion_counts_and_links_to_moderation(staff_client, activity, cohort):
    response = staff_client.get(results_url(activity))
    assert "2 visible comments · 1 hidden. Moderate comments" in block_texts(response)
    moderate = f"{reverse('admin:quiz_comment_changelist')}?activity__id__exact={activity.pk}"
    assert f'href="{moderate}"' in response.content.decode()


def test_the_poll_csv_has_one_row_per_learner_response(staff_client, activity, cohort):
    rows = read_csv(staff_client.get(poll_csv_url(activity)))
    assert rows[0] == ["learner", "profession", "poll", "moment", "option", "value", "answered_at"]
    when = "2026-03-02T09:00:00+00:00"
    expected = [
        [pseudonym(cohort["a"].pk), "Physician", "Extremely confident", "5"],
        [pseudonym(cohort["b"].pk), "Nurse or nurse practitioner", "Moderately confident", "3"],
        [pseudonym(cohort["c"].pk), "Pharmacist", "Moderately confident", "3"],
        [pseudonym(cohort["d"].pk), "Physician", "Very confident", "4"],
    ]
    expected = [
        [who, job, "confidence", "after", text, value, when] for who, job, text, value in expected
    ]
    assert rows[1:] == expected


def test_the_answers_csv_has_one_row_per_answer(staff_client, activity, cohort):
    rows = read_csv(staff_client.get(answers_csv_url(activity)))
    header = "learner,profession,attempt,question,question_text,choice,correct,submitted_at"
    assert rows[0] == header.split(",")
    body = rows[1:]
    assert len(body) == 40
    questions = list(Question.objects.for_activity(activity).prefetch_related("choices"))
    expected = []
    for key, number, right, day in [("a", 1, 6, "03"), ("a", 2, 9, "04"), ("b", 1, 7, "04")]:
        for question in questions:
            correct = question.order <= right
            choice = next(c for c in question.choices.all() if c.is_correct == correct)
            expected.append(
                [
                    pseudonym(cohort[key].pk),
                    cohort[key].get_profession_display(),
                    str(number),
                    str(question.order),
                    question.prompt,
                    choice.text,
                    "yes" if correct else "no",
                    f"2026-03-{day}T10:00:00+00:00",
                ]
            )
    assert body[:30] == expected
    assert {row[0] for row in body[30:]} == {pseudonym(cohort["c"].pk)}
    assert [row[6] for row in body[30:]].count("yes") == 3


def test_exports_name_no_one_and_share_one_pseudonym_per_learner(
    staff_client, activity, cohort, settings
):
    poll_text = b"".join(staff_client.get(poll_csv_url(activity)).streaming_content).decode()
    answers = b"".join(staff_client.get(answers_csv_url(activity)).streaming_content).decode()
    for learner in cohort.values():
        for text in (poll_text, answers):
            assert learner.email not in text
            assert learner.full_name not in text
    a_id = pseudonym(cohort["a"].pk)
    assert a_id in poll_text
    assert a_id in answers
    assert pseudonym(cohort["staff"].pk) not in poll_text + answers
    assert str(cohort["a"].pk) != a_id
    settings.SECRET_KEY = "another-secret-entirely"
    assert pseudonym(cohort["a"].pk) != a_id


def test_the_page_runs_the_same_number_of_queries_for_few_or_many_responses(staff_client, activity):
    poll = Poll.objects.get(activity=activity)

    def queries():
        with CaptureQueriesContext(connection) as context:
            assert staff_client.get(results_url(activity)).status_code == 200
        return len(context)

    def add_learners(start, count):
        for n in range(start, start + count):
            learner = make_learner(f"x{n}@example.org", f"X {n}")
            PollResponse.objects.record(learner=learner, option=poll.options.get(value=n % 5 + 1))
            before = poll.options.get(value=n % 3 + 1)
            PollResponse.objects.record(learner=learner, option=before, moment=Moment.BEFORE)
            submit(staff_client, learner, activity, right=n % 11)
        staff_client.force_login(cohort_staff)

    cohort_staff = make_learner("boss@example.org", "Boss", is_staff=True)
    add_learners(0, 10)
    few = queries()
    add_learners(10, 40)
    assert queries() == few
    assert few <= 26


def test_anonymous_visitors_are_sent_to_log_in(client, activity):
    for url in (results_url(activity), poll_csv_url(activity), answers_csv_url(activity)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_learners_get_403_and_never_the_data(learner_client, activity, cohort):
    for url in (results_url(activity), poll_csv_url(activity), answers_csv_url(activity)):
        response = learner_client.get(url)
        assert response.status_code == 403
        assert "You cannot open this page" in response.content.decode()
        assert "Extremely confident" not in response.content.decode()


def test_staff_reach_the_results_from_the_overview_and_the_admin(staff_client, activity):
    overview = staff_client.get(activity.get_absolute_url()).content.decode()
    assert f'href="{results_url(activity)}">Results (staff)' in overview
    admin = staff_client.get(reverse("admin:lessons_activity_changelist")).content.decode()
    assert f'href="{results_url(activity)}">View results' in admin


def test_learners_see_no_results_link(learner_client, activity):
    assert (
        results_url(activity)
        not in learner_client.get(activity.get_absolute_url()).content.decode()
    )


def test_the_key_numbers_come_first_with_a_link_to_each_section(staff_client, activity, cohort):
    response = staff_client.get(results_url(activity))
    blocks = block_texts(response)
    glance = blocks[blocks.index("At a glance") + 1 :]
    expected = [
        ("Learners", "3 started of 5 signed up · Funnel"),
        ("Poll responses", "4 · mean confidence 3.75 (1 to 5) · Poll"),
        ("Knowledge check", "67% pass rate (2 of 3 learners who attempted) · Knowledge check"),
        ("Completions", "1 (20% of signed up)"),
        ("Confidence change", "0 learners with both answers (shown from 5) · Outcomes"),
        ("Evaluations", "0 · Evaluation"),
        ("Credit claimed", "None yet · Credit"),
        ("Discussion", "2 visible comments, 1 hidden · Discussion"),
    ]
    for label, value in expected:
        assert glance[glance.index(label) + 1] == value, label
    html = response.content.decode()
    assert html.index("At a glance") < html.index('id="poll-')
    poll = Poll.objects.get(activity=activity)
    for anchor in ["funnel", f"poll-{poll.pk}", "kc", "outcomes", "evaluation", "credit"]:
        assert f'href="#{anchor}"' in html and f'id="{anchor}"' in html, anchor


def test_the_page_and_every_csv_count_the_same_learners_with_staff_answers_present(
    staff_client, activity, staff
):
    """Staff's own runs (answers before and after, an attempt, a claim, a comment) count
    nowhere: every figure on the page and every download leaves them out alike."""
    from tests.cme.test_credit import IN_CREDIT_PERIOD, claim_form, claim_url, evaluate
    from tests.concurrency import client_of
    from tests.conftest import complete

    designation = CreditDesignation.objects.create(
        activity=activity,
        profession=Profession.OTHER,  # the staff member's profession, and one learner's
        credit_type="Certificate of participation",
        max_amount=Decimal("1.00"),
        statement="Participation.",
    )
    poll = Poll.objects.get(activity=activity)
    people = [
        staff,
        *(
            make_learner(f"p{n}@example.org", f"P {n}", profession=designation.profession)
            for n in range(2)
        ),
    ]
    with time_machine.travel(IN_CREDIT_PERIOD, tick=False):
        for person in people:
            PollResponse.objects.record(
                learner=person, option=poll.options.get(value=2), moment=Moment.BEFORE, poll=poll
            )
            PollResponse.objects.record(learner=person, option=poll.options.get(value=4))
            complete(person, activity)
            evaluate(person, activity)
            client_of(person).post(claim_url(activity), claim_form())
            Comment.objects.create(learner=person, activity=activity, body="A thought")

    blocks = " ".join(block_texts(staff_client.get(results_url(activity))))
    assert "Poll responses 2 ·" in blocks
    assert "2 learners with both answers (shown from 5)" in blocks
    assert "Attempts 2" in blocks
    assert "1 Certificate of participation in 2 claims" in blocks  # 0.5 each
    assert "2 visible comments, 0 hidden" in blocks

    def csv_rows(name):
        return read_csv(staff_client.get(reverse(name, args=[activity.slug])))[1:]

    poll_rows = csv_rows("cme:export_poll_responses")
    assert len([row for row in poll_rows if row[3] == Moment.AFTER]) == 2
    assert len(csv_rows("cme:export_paired")) == 2
    answers = csv_rows("cme:export_answers")
    assert len({(row[0], row[2]) for row in answers}) == 2
    assert len(csv_rows("cme:export_claims")) == 2
    staff_id = pseudonym(staff.pk)
    assert staff_id not in {row[0] for row in poll_rows + answers}
