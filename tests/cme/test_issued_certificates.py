"""Certificates are issued records: what they state is written when the activity is completed
and when credit is claimed, and only a staff re-issue or revocation (recorded with who, when and
why) changes what they and their verification page say."""

import csv
import io

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from celmod_course.accounts.models import Profession
from celmod_course.cme.models import (
    ActivityCompletion,
    CertificateCorrection,
    Correction,
    CreditClaim,
)
from tests.cme.test_credit import IN_CREDIT_PERIOD, claim_form, claim_url
from tests.conftest import AMA, PASSWORD
from tests.html import block_texts, form_data

PROFILE = {"full_name": "Dr. Someone Else, MD", "profession": Profession.PHARMACIST}


@pytest.fixture(autouse=True)
def in_the_credit_period():
    with time_machine.travel(IN_CREDIT_PERIOD, tick=False):
        yield


@pytest.fixture
def claimed(learner_client, learner, activity, designation):
    from tests.cme.test_credit import evaluate
    from tests.conftest import complete

    completion = complete(learner, activity)
    evaluate(learner, activity)
    learner_client.post(claim_url(activity), claim_form(amount="1"))
    return completion


def pages(client, staff_client, completion, activity):
    """What the certificate, its verification, the transcript and the claims export say."""
    verify = Client().get(reverse("cme:verify", args=[completion.certificate_number]))
    transcript = client.get(reverse("cme:transcript_csv"))
    claims = staff_client.get(reverse("cme:export_claims", args=[activity.slug]))
    return {
        "certificate": " ".join(block_texts(client.get(completion.get_absolute_url()))),
        "verification": " ".join(block_texts(verify)),
        "transcript": b"".join(transcript.streaming_content).decode(),
        "claims": list(csv.reader(io.StringIO(b"".join(claims.streaming_content).decode()))),
    }


def test_a_new_name_and_profession_leave_the_issued_certificate_as_it_was(
    learner_client, learner, activity, claimed, staff
):
    staff_client = Client()
    staff_client.force_login(staff)
    learner_client.post(reverse("accounts:profile"), PROFILE | {"email": learner.email})
    learner.refresh_from_db()
    assert learner.full_name == "Dr. Someone Else, MD"
    seen = pages(learner_client, staff_client, claimed, activity)
    for name in ("certificate", "verification"):
        assert "Jane Doe, MD" in seen[name], name
        assert "Someone Else" not in seen[name].replace("Signed in as Dr. Someone Else", ""), name
        assert f"1 {AMA}" in seen[name], name
    assert f"{claimed.certificate_number},{AMA},1" in seen["transcript"]
    assert seen["claims"][1][:2] == ["Jane", "Doe"] and seen["claims"][1][5] == AMA
    # The live designation changing changes nothing issued either.
    activity.designations.update(credit_type="Something else", statement="Changed later.")
    seen = pages(learner_client, staff_client, claimed, activity)
    assert f"1 {AMA}" in seen["verification"] and "Changed later." not in seen["verification"]


def test_credit_follows_the_profession_the_certificate_was_issued_under(
    client, activity, designation
):
    from tests.cme.test_credit import evaluate, refusal
    from tests.concurrency import client_of
    from tests.conftest import complete, make_learner

    pharmacist = make_learner("ph@example.org", "Pat Pharm", profession=Profession.PHARMACIST)
    complete(pharmacist, activity)
    evaluate(pharmacist, activity)
    pharmacist.profession = Profession.PHYSICIAN  # switched to be offered credit
    pharmacist.save()
    pharmacist_client = client_of(pharmacist)
    assert "no credit for your profession (pharmacist" in refusal(pharmacist_client, activity)
    pharmacist_client.post(claim_url(activity), claim_form(amount="1"))
    assert not ActivityCompletion.objects.get(learner=pharmacist).claim


def correct(staff_client, completion, **fields):
    url = reverse("admin:cme_certificatecorrection_add") + f"?completion={completion.pk}"
    data = form_data(staff_client.get(url), "certificatecorrection_form") | fields
    return staff_client.post(url, data)


def test_staff_reissue_under_a_corrected_name_and_it_is_recorded(
    learner_client, learner, activity, claimed, staff
):
    staff_client = Client()
    staff_client.force_login(staff)
    with time_machine.travel("2025-10-03 12:00Z", tick=False):
        response = correct(
            staff_client,
            claimed,
            kind=Correction.REISSUE,
            name="Jane Q. Doe, MD",
            first_name="Jane Q.",
            last_name="Doe",
            reason="The learner's middle initial was missing (their email of October 2).",
        )
    assert response.status_code == 302
    correction = CertificateCorrection.objects.get()
    assert (correction.staff, correction.kind) == (staff, Correction.REISSUE)
    assert correction.made_at.date().isoformat() == "2025-10-03"
    seen = pages(learner_client, staff_client, claimed, activity)
    assert "Jane Q. Doe, MD" in seen["certificate"]
    assert "Re-issued October 3, 2025, under a corrected name" in seen["certificate"]
    assert (
        "Jane Q. Doe, MD (re-issued on October 3, 2025 under a corrected name)"
        in seen["verification"]
    )
    assert seen["claims"][1][:2] == ["Jane Q.", "Doe"]
    # A correction stays as made: staff can neither change nor delete it.
    change = reverse("admin:cme_certificatecorrection_change", args=[correction.pk])
    assert 'name="_save"' not in staff_client.get(change).content.decode()
    delete = reverse("admin:cme_certificatecorrection_delete", args=[correction.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert CertificateCorrection.objects.count() == 1


def test_a_revoked_certificate_says_so_on_verification_and_leaves_the_report(
    learner_client, learner, activity, claimed, staff
):
    staff_client = Client()
    staff_client.force_login(staff)
    with time_machine.travel("2025-10-05 12:00Z", tick=False):
        correct(staff_client, claimed, kind=Correction.REVOKE, reason="Issued in error.")
    seen = pages(learner_client, staff_client, claimed, activity)
    assert f"Certificate {claimed.certificate_number} was revoked" in seen["verification"]
    assert "It was revoked on October 5, 2025" in seen["verification"]
    assert "genuine" not in seen["verification"] and "Jane Doe" not in seen["verification"]
    assert "This certificate was revoked on October 5, 2025." in seen["certificate"]
    assert len(seen["claims"]) == 1  # the header alone: revoked credit is not reported
    again = correct(staff_client, claimed, kind=Correction.REVOKE, reason="Twice.")
    assert again.status_code == 200
    reissue = correct(staff_client, claimed, kind=Correction.REISSUE, name="Jo Doe", reason="x")
    assert "This certificate is revoked; it cannot be corrected any more." in " ".join(
        block_texts(reissue)
    )
    assert CertificateCorrection.objects.count() == 1


def test_a_correction_needs_a_reason_and_a_reissue_a_name(staff_client, learner, activity):
    from tests.conftest import complete

    completion = complete(learner, activity)
    response = correct(staff_client, completion, kind=Correction.REISSUE, name="", reason="")
    page = " ".join(block_texts(response))
    assert response.status_code == 200
    assert "This field is required." in page
    assert not CertificateCorrection.objects.exists()


def test_the_profile_says_issued_certificates_keep_their_name(learner_client):
    page = " ".join(block_texts(learner_client.get(reverse("accounts:profile"))))
    assert "A certificate keeps the name and profession it was issued under" in page
    assert PASSWORD not in page


def test_deleting_the_account_removes_the_names_its_certificates_were_issued_and_corrected_under(
    learner, activity, claimed, staff
):
    from celmod_course.cme.services import account_delete

    staff_client = Client()
    staff_client.force_login(staff)
    correct(
        staff_client, claimed, kind=Correction.REISSUE, name="Jane Q. Doe, MD",
        first_name="Jane Q.", last_name="Doe", reason="Middle initial.",
    )  # fmt: skip
    account_delete(user=learner)
    claimed.refresh_from_db()
    correction = CertificateCorrection.objects.get()
    assert claimed.name == "Deleted learner"
    assert (correction.name, correction.first_name, correction.last_name) == (
        "Deleted learner",
        "",
        "",
    )


def test_no_credit_is_claimed_on_a_revoked_certificate(
    learner_client, learner, activity, designation, staff
):
    from tests.cme.test_credit import evaluate
    from tests.conftest import complete

    completion = complete(learner, activity)
    CertificateCorrection.objects.create(
        completion=completion, kind=Correction.REVOKE, reason="Issued in error.", staff=staff
    )
    evaluate(learner, activity)
    page = " ".join(block_texts(learner_client.get(reverse("cme:claim", args=[activity.slug]))))
    assert "Your certificate for this activity was revoked, so no credit can be claimed" in page
    learner_client.post(claim_url(activity), claim_form())
    assert not CreditClaim.objects.exists()
    steps = block_texts(learner_client.get(activity.get_absolute_url()))
    assert "8. Credit · none: the certificate was revoked" in steps
    assert "9. Certificate · revoked" in steps
    assert "Next: claim your credit" not in " ".join(steps)
