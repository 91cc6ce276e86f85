"""CME credit: designations, the evaluation, the claim, the transcript and the reporting CSV."""

import csv
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from celmod_course.accounts.models import Profession
from celmod_course.cme.models import (
    ActivityCompletion,
    CreditClaim,
    CreditDesignation,
    Evaluation,
    EvaluationAnswer,
    EvaluationQuestion,
)
from celmod_course.cme.services import evaluation_submit
from tests.concurrency import client_of, posting, run_at_once
from tests.conftest import AMA, STATEMENT, complete, make_learner
from tests.html import block_texts

IN_CREDIT_PERIOD = "2025-10-01 15:00Z"  # the seed activity runs July 28, 2025 to January 27, 2026


@pytest.fixture(autouse=True)
def in_the_credit_period():
    with time_machine.travel(IN_CREDIT_PERIOD, tick=False):
        yield


EVALUATION = {
    "question_1": "4",
    "question_2": "5",
    "question_3": "1",
    "question_4": "Discuss the phase III trials with eligible patients.",
    "question_5": "4",
}


def evaluate(learner, activity):
    client_of(learner).post(reverse("cme:submit_evaluation", args=[activity.slug]), EVALUATION)
    return Evaluation.objects.get(completion__learner=learner)


def claim_form(amount="0.5", **fields):
    return {"amount": amount, "first_name": "Jane", "last_name": "Doe", "attest": "on", **fields}


def claim_url(activity):
    return reverse("cme:submit_claim", args=[activity.slug])


@pytest.fixture
def ready(learner, activity, designation):
    """A physician who completed and evaluated the activity, in its credit period."""
    complete(learner, activity)
    evaluate(learner, activity)
    return learner


def test_the_seed_fixture_designates_no_credit(activity):
    assert not CreditDesignation.objects.filter(activity=activity).exists()


def test_the_overview_shows_the_designations_when_there_are_some(client, activity, designation):
    blocks = block_texts(client.get(activity.get_absolute_url()))
    assert "Credit" in blocks
    assert f"Physician: up to 1 {AMA}" in blocks


def test_the_evaluation_opens_once_the_activity_is_complete(learner_client, learner, activity):
    url = reverse("cme:evaluation", args=[activity.slug])
    response = learner_client.get(url, follow=True)
    assert (
        "The evaluation opens once you have completed the activity: every lesson, and a passed "
        "knowledge check." in block_texts(response)
    )
    learner_client.post(reverse("cme:submit_evaluation", args=[activity.slug]), EVALUATION)
    assert not Evaluation.objects.exists()
    complete(learner, activity)
    blocks = block_texts(learner_client.get(url))
    assert "1. The activity met its stated objectives.*" in blocks
    assert "Strongly agree" in blocks and "Excellent" in blocks
    assert "Yes" in blocks and "No" in blocks
    html = learner_client.get(url).content.decode()
    assert re.search(r'<textarea name="question_4"[^>]*rows="3"', html)  # room to write
    assert any(b.startswith("If no, please tell us what you saw.") for b in blocks)
    assert any(
        b.startswith("4. What will you change in your practice as a result of this activity?")
        for b in blocks
    )


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"question_1": ""}, "Choose one of the answers."),
        ({"question_5": "9"}, "Choose one of the answers shown."),
        ({"question_3": "0"}, "You answered no: say briefly why."),
        ({"question_4": "x" * 2001}, "Keep this under 2,000 characters (it has 2001)."),
        ({"question_4": "Invisible\x07bell"}, "Remove the invisible control characters"),
    ],
)
def test_a_bad_evaluation_comes_back_with_the_error_and_stores_nothing(
    learner_client, learner, activity, change, error
):
    complete(learner, activity)
    url = reverse("cme:submit_evaluation", args=[activity.slug])
    response = learner_client.post(url, EVALUATION | change)
    assert response.status_code == 200
    assert error in " ".join(block_texts(response))
    assert "Your evaluation was not submitted." in block_texts(response)
    assert not Evaluation.objects.exists()


def test_a_required_written_answer_left_blank_is_asked_for(learner_client, learner, activity):
    EvaluationQuestion.objects.create(
        activity=activity,
        order=6,
        kind=EvaluationQuestion.Kind.TEXT,
        prompt="Name one change.",
        required=True,
    )
    complete(learner, activity)
    url = reverse("cme:submit_evaluation", args=[activity.slug])
    response = learner_client.post(url, EVALUATION | {"question_6": " "})
    assert "Answer this question." in " ".join(block_texts(response))
    assert not Evaluation.objects.exists()


def test_an_evaluation_is_kept_once_with_its_answers(learner_client, learner, activity):
    complete(learner, activity)
    url = reverse("cme:submit_evaluation", args=[activity.slug])
    response = learner_client.post(
        url, EVALUATION | {"question_3": "0", "question_3_comment": "Ads"}
    )
    assert response["Location"] == reverse("cme:claim", args=[activity.slug])
    again = learner_client.post(url, EVALUATION, follow=True)
    assert "You have already submitted the evaluation. Thank you." in block_texts(again)
    evaluation = Evaluation.objects.get()
    answers = {a.question.order: a for a in evaluation.answers.select_related("question")}
    assert (answers[1].value, answers[3].yes, answers[3].text) == (4, False, "Ads")
    assert answers[4].text == EVALUATION["question_4"]
    assert EvaluationAnswer.objects.count() == 5


def test_a_yes_keeps_no_comment(learner_client, learner, activity):
    complete(learner, activity)
    url = reverse("cme:submit_evaluation", args=[activity.slug])
    learner_client.post(url, EVALUATION | {"question_3": "1", "question_3_comment": "Typed"})
    answer = EvaluationAnswer.objects.get(question__order=3)
    assert (answer.yes, answer.text) == (True, "")


def test_the_database_holds_one_evaluation_per_completion(learner, activity):
    completion = complete(learner, activity)
    Evaluation.objects.create(completion=completion)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.create(completion=completion)


def test_a_physician_claims_credit_and_the_certificate_and_verification_state_it(
    client, learner, activity, ready
):
    client.force_login(learner)
    page = block_texts(client.get(reverse("cme:claim", args=[activity.slug])))
    assert f"For your profession (physician), this activity offers up to 1 {AMA}." in " ".join(page)
    response = client.post(claim_url(activity), claim_form("0.5"))
    completion = ActivityCompletion.objects.get(learner=learner)
    assert response["Location"] == completion.get_absolute_url()
    claim = CreditClaim.objects.get()
    assert (claim.amount, claim.designation.credit_type) == (Decimal("0.5"), AMA)

    certificate = " ".join(block_texts(client.get(completion.get_absolute_url())))
    assert f"and was awarded 0.5 {AMA}." in certificate
    assert STATEMENT in certificate
    client.logout()
    verification = block_texts(
        client.get(reverse("cme:verify", args=[completion.certificate_number]))
    )
    assert f"Awarded 0.5 {AMA}." in verification
    assert STATEMENT in verification


def test_my_progress_is_the_transcript_with_totals_and_a_csv(learner_client, activity, ready):
    learner_client.post(claim_url(activity), claim_form("0.75"))
    blocks = block_texts(learner_client.get(reverse("cme:progress")))
    assert f"0.75 {AMA}" in blocks
    assert "Total credit claimed" in blocks
    rows = list(csv.reader(io.StringIO(read(learner_client.get(reverse("cme:transcript_csv"))))))
    assert rows[0] == ["activity", "completed_on", "certificate_number", "credit_type", "amount"]
    assert rows[1][0] == "CELMoDs in Multiple Myeloma"
    assert rows[1][3:] == [AMA, "0.75"]


def read(response):
    return b"".join(response.streaming_content).decode()


def test_the_reporting_csv_has_a_row_per_claim_with_opted_in_fields_only(
    staff, learner, activity, designation, ready
):
    staff_client, learner_client = client_of(staff), client_of(learner)
    learner_client.post(
        claim_url(activity),
        claim_form("1", report="on", licence_id="MD-12345", birth_month="3", birth_day="14"),
    )
    other = make_learner("other@example.org", "Omar Other, MD")
    complete(other, activity)
    evaluate(other, activity)
    client_of(other).post(
        claim_url(activity), claim_form("0.25", first_name="Omar", last_name="Other")
    )
    url = reverse("cme:export_claims", args=[activity.slug])
    rows = list(csv.reader(io.StringIO(read(staff_client.get(url)))))
    header = "first_name,last_name,licence_or_board_id,birth_month,birth_day,credit_type"
    assert rows == [
        [*header.split(","), "amount", "completion_date"],
        ["Jane", "Doe", "MD-12345", "3", "14", AMA, "1", "2025-10-01"],
        ["Omar", "Other", "", "", "", AMA, "0.25", "2025-10-01"],
    ]
    assert learner_client.get(url).status_code == 403


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (claim_form("1.25"), "Choose one of the amounts offered"),
        (claim_form("0.3"), "Choose one of the amounts offered"),
        (claim_form("0"), "Choose one of the amounts offered"),
        (claim_form("-0.5"), "Choose one of the amounts offered"),
        (claim_form("abc"), "Choose one of the amounts offered"),
        (claim_form("0.5", attest=""), "Tick the attestation to claim credit."),
        (claim_form("0.5", report="on"), "Give your licence or board ID, or untick reporting."),
        (
            claim_form("0.5", report="on", licence_id="X1", birth_month="2", birth_day="30"),
            "February has no day 30.",
        ),
        (claim_form("0.5", first_name=""), "This field is required."),
    ],
)
def test_a_bad_claim_gets_a_clear_message_and_stores_nothing(
    learner_client, activity, ready, form, message
):
    response = learner_client.post(claim_url(activity), form)
    assert response.status_code == 200
    assert message in " ".join(block_texts(response))
    assert not CreditClaim.objects.exists()


def refusal(client, activity, form=None):
    response = client.post(claim_url(activity), form or claim_form(), follow=True)
    assert response.status_code == 200
    assert not CreditClaim.objects.exists()
    return " ".join(block_texts(response))


def test_no_claim_before_completion_or_evaluation(learner_client, learner, activity, designation):
    assert "Claiming credit opens once you have completed the activity" in refusal(
        learner_client, activity
    )
    complete(learner, activity)
    assert "Fill in the evaluation first" in refusal(learner_client, activity)


def test_no_claim_for_a_profession_without_a_designation(client, activity, designation):
    nurse = make_learner("nurse@example.org", "Nina Nurse, RN", profession=Profession.NURSE)
    complete(nurse, activity)
    evaluate(nurse, activity)
    text = refusal(client_of(nurse), activity)
    assert (
        "This activity offers no credit for your profession (nurse or nurse practitioner, as your "
        "certificate was issued)." in text
    )


def test_no_claim_after_the_activity_expired(client, learner, activity, ready):
    with time_machine.travel("2026-01-28 15:00Z", tick=False):
        client.force_login(learner)
        text = refusal(client, activity)
    assert "This activity expired on January 27, 2026, so credit is no longer offered." in text


def test_the_last_day_is_the_sites_day_not_utcs(client, learner, activity, ready, settings):
    """At 03:00 UTC on January 28 it is still January 27, the last day, in New York."""
    settings.TIME_ZONE = "America/New_York"
    with time_machine.travel("2026-01-28 03:00Z", tick=False):
        client.force_login(learner)
        response = client.post(claim_url(activity), claim_form("0.5"))
    assert response.status_code == 302
    assert CreditClaim.objects.get().amount == Decimal("0.5")


def test_credit_is_claimed_once(learner_client, activity, ready):
    learner_client.post(claim_url(activity), claim_form("0.5"))
    response = learner_client.post(claim_url(activity), claim_form("1"), follow=True)
    assert f"You have claimed 0.5 {AMA} for this activity. Credit is claimed once." in " ".join(
        block_texts(response)
    )
    assert CreditClaim.objects.get().amount == Decimal("0.5")


def test_the_database_refuses_what_a_claim_must_never_be(learner, activity, designation, ready):
    evaluation = Evaluation.objects.get()
    other_activity_designation = CreditDesignation.objects.create(
        activity=make_other_activity(activity),
        profession=Profession.PHYSICIAN,
        credit_type=AMA,
        max_amount=Decimal("5"),
        statement="Other.",
    )
    base = {"evaluation": evaluation, "designation": designation, "attested": True}
    base |= {"first_name": "Jane", "last_name": "Doe"}
    for bad in [
        {"amount": Decimal("1.25")},  # above the maximum
        {"amount": Decimal("0.30")},  # not a step of 0.25
        {"amount": Decimal("0")},
        {"amount": Decimal("-0.5")},
        {"amount": Decimal("0.5"), "attested": False},
        {"amount": Decimal("0.5"), "designation": other_activity_designation},
        {"amount": Decimal("0.5"), "birth_month": 13, "birth_day": 1},
    ]:
        with pytest.raises(IntegrityError), transaction.atomic():
            CreditClaim.objects.create(**(base | bad))
    CreditClaim.objects.create(**base, amount=Decimal("1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditClaim.objects.create(**base, amount=Decimal("0.5"))


def make_other_activity(activity):
    from lessons.models import Activity

    return Activity.objects.create(
        title="Another activity",
        slug="another",
        introduction="Another.",
        released_on=activity.released_on,
        expires_on=activity.expires_on,
    )


def test_the_database_refuses_a_designation_off_the_quarter_steps(activity):
    for bad in [Decimal("0"), Decimal("0.3"), Decimal("-1")]:
        with pytest.raises(IntegrityError), transaction.atomic():
            CreditDesignation.objects.create(
                activity=activity, profession="nurse", credit_type="X", max_amount=bad, statement=""
            )


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_claims_store_one(learner, activity, designation):
    with time_machine.travel(IN_CREDIT_PERIOD, tick=False):
        complete(learner, activity)
        evaluation_submit(
            learner=learner,
            activity=activity,
            answers=dict.fromkeys(
                activity.evaluation_questions.exclude(kind="yes_no"), (4, None, "")
            ),
        )
        client = client_of(learner)
        statuses = run_at_once([posting(client, claim_url(activity), claim_form("0.5"))] * 2)
    assert all(status in (200, 302) for status in statuses)
    assert CreditClaim.objects.count() == 1


def test_the_seed_activity_after_expiry_keeps_its_certificate_of_completion(
    client, learner, activity
):
    with time_machine.travel("2026-02-10 12:00Z", tick=False):
        client.force_login(learner)
        completion = complete(learner, activity)
        text = " ".join(block_texts(client.get(reverse("cme:claim", args=[activity.slug]))))
        certificate = block_texts(client.get(completion.get_absolute_url()))
    assert "This activity expired on January 27, 2026, so credit is no longer offered." in text
    assert "Certificate of Completion (not valid for credit)" in certificate


def test_evaluation_results_are_shown_to_staff_from_five_responses(staff_client, activity):
    url = reverse("cme:results", args=[activity.slug])
    for n in range(4):
        learner = make_learner(f"e{n}@example.org", f"Eva {n}")
        complete(learner, activity)
        evaluate(learner, activity)
    text = " ".join(block_texts(staff_client.get(url)))
    assert "4 learners submitted the evaluation. Its results are shown from 5 responses on" in text
    learner = make_learner("e5@example.org", "Eva Five")
    complete(learner, activity)
    client_of(learner).post(
        reverse("cme:submit_evaluation", args=[activity.slug]),
        EVALUATION | {"question_1": "2", "question_4": "<script>alert(1)</script>"},
    )
    response = staff_client.get(url)
    text = " ".join(block_texts(response))
    assert "5 learners submitted the evaluation." in text
    assert "Agree 4 80%" in text and "Disagree 1 20%" in text
    assert "Mean: 3.60 (1 to 5)" in text
    assert "Yes 5 100%" in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.content.decode()


def test_staff_reach_designations_and_evaluation_items_from_the_activity(staff_client, activity):
    html = staff_client.get(reverse("admin:lessons_activity_change", args=[activity.pk]))
    for name in ["cme_creditdesignation", "cme_evaluationquestion"]:
        listed = f"{reverse(f'admin:{name}_changelist')}?activity__id__exact={activity.pk}"
        assert listed in html.content.decode()
        assert staff_client.get(listed).status_code == 200
        assert staff_client.get(reverse(f"admin:{name}_add")).status_code == 200
    for name in ["admin:cme_creditclaim_changelist", "admin:cme_evaluation_changelist"]:
        assert staff_client.get(reverse(name)).status_code == 200
    assert staff_client.get(reverse("admin:cme_creditclaim_add")).status_code == 403


def test_a_physician_goes_from_pass_to_evaluation_to_credit_to_certificate(
    learner_client, learner, activity, designation
):
    from tests.conftest import answer_sheet, complete_all_lessons

    complete_all_lessons(learner, activity)
    passed = learner_client.post(
        reverse("cme:submit", args=[activity.slug]), answer_sheet(activity, 10)
    )
    result = learner_client.get(passed["Location"]).content.decode()
    evaluation_url = reverse("cme:evaluation", args=[activity.slug])
    assert f'class="btn btn-success ms-1" href="{evaluation_url}">Next: evaluation and credit' in (
        result
    )
    page = " ".join(block_texts(learner_client.get(evaluation_url)))
    assert "Your credit is claimed right after it." in page
    evaluated = learner_client.post(
        reverse("cme:submit_evaluation", args=[activity.slug]), EVALUATION
    )
    assert evaluated["Location"] == reverse("cme:claim", args=[activity.slug])
    claimed = learner_client.post(claim_url(activity), claim_form(amount="1"))
    certificate = learner_client.get(claimed["Location"])
    assert f"1 {AMA}" in " ".join(block_texts(certificate))


def test_without_credit_for_the_profession_the_pass_leads_to_the_certificate(
    client, activity, designation
):
    from tests.conftest import answer_sheet, complete_all_lessons

    nurse = make_learner("nurse@example.org", "Nina Nurse, RN", profession=Profession.NURSE)
    client.force_login(nurse)
    complete_all_lessons(nurse, activity)
    passed = client.post(reverse("cme:submit", args=[activity.slug]), answer_sheet(activity, 10))
    result = client.get(passed["Location"]).content.decode()
    assert "Next: evaluation and credit" not in result
    assert ">View your certificate</a>" in result
    page = " ".join(block_texts(client.get(reverse("cme:evaluation", args=[activity.slug]))))
    assert "This activity offers you no credit to claim now" in page
