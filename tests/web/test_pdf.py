"""Certificates and the transcript as PDFs: drawn on the server, their text read back here."""

import io

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from celmod_course.cme.models import CertificateCorrection, Correction
from celmod_course.cme.services import evaluation_submit
from tests.conftest import AMA, claim_credit, complete, make_learner
from tests.html import block_texts

IN_CREDIT_PERIOD = "2025-10-01 15:00Z"  # the seed activity runs July 28, 2025 to January 27, 2026


def pdf_text(response):
    """The PDF's text, one space between words whatever the layout broke them on."""
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    pages = PdfReader(io.BytesIO(response.content)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


@pytest.fixture
def claimed(learner, activity, designation):
    """A physician's certificate with 0.5 AMA credit claimed, on a provider's activity."""
    activity.provider = "Example Medical Education, LLC"
    activity.save()
    with time_machine.travel(IN_CREDIT_PERIOD, tick=False):
        completion = complete(learner, activity)
        evaluation_submit(learner=learner, activity=activity, answers={})
        claim_credit(learner, activity)
    return completion


def test_the_certificate_pdf_holds_name_activity_date_credit_number_and_provider(
    learner_client, claimed
):
    response = learner_client.get(reverse("cme:certificate_pdf", args=[claimed.certificate_number]))
    text = pdf_text(response)
    assert "Certificate of Credit" in text
    assert "Jane Doe, MD" in text
    assert "CELMoDs in Multiple Myeloma" in text
    assert f"on October 1, 2025 and was awarded 0.5 {AMA}." in text
    assert claimed.certificate_number in text
    assert "Provided by Example Medical Education, LLC" in text
    assert response["Content-Disposition"].endswith(
        f'"certificate-{claimed.certificate_number}.pdf"'
    )


def test_the_certificate_page_says_the_credit_in_one_sentence_and_offers_the_pdf(
    learner_client, claimed
):
    response = learner_client.get(claimed.get_absolute_url())
    blocks = block_texts(response)
    assert f"on October 1, 2025 and was awarded 0.5 {AMA}." in blocks
    assert "Provided by Example Medical Education, LLC" in blocks
    pdf_url = reverse("cme:certificate_pdf", args=[claimed.certificate_number])
    assert f'href="{pdf_url}"' in response.content.decode()


def test_a_certificate_without_credit_ends_its_sentence_at_the_date(
    learner_client, learner, activity
):
    with time_machine.travel(IN_CREDIT_PERIOD, tick=False):
        completion = complete(learner, activity)
    url = reverse("cme:certificate_pdf", args=[completion.certificate_number])
    text = pdf_text(learner_client.get(url))
    assert "completed the activity CELMoDs in Multiple Myeloma on October 1, 2025." in text
    assert "Certificate of Completion" in text
    assert "Provided by" not in text  # the seed names no provider


def test_only_the_owner_downloads_the_certificate_pdf(client, claimed):
    url = reverse("cme:certificate_pdf", args=[claimed.certificate_number])
    assert client.get(url)["Location"].startswith(reverse("accounts:login"))
    client.force_login(make_learner("other@example.org"))
    assert client.get(url).status_code == 404


def test_a_revoked_certificate_has_no_pdf(learner_client, claimed, staff):
    CertificateCorrection.objects.create(
        completion=claimed, kind=Correction.REVOKE, reason="Issued in error.", staff=staff
    )
    response = learner_client.get(reverse("cme:certificate_pdf", args=[claimed.certificate_number]))
    assert response.status_code == 410
    assert response["Content-Type"].startswith("text/html")
    assert "This certificate was revoked" in " ".join(block_texts(response))


def test_the_transcript_pdf_lists_each_activity_with_its_credit_and_the_total(
    learner_client, claimed
):
    response = learner_client.get(reverse("cme:transcript_pdf"))
    text = pdf_text(response)
    assert "CME transcript" in text
    assert "Jane Doe, MD" in text
    assert "CELMoDs in Multiple Myeloma" in text
    assert "October 1, 2025" in text
    assert claimed.certificate_number in text
    assert f"0.5 {AMA}" in text
    assert "Total credit claimed" in text


def test_a_revoked_certificates_credit_leaves_the_transcripts_total(learner_client, claimed, staff):
    CertificateCorrection.objects.create(
        completion=claimed, kind=Correction.REVOKE, reason="Issued in error.", staff=staff
    )
    text = pdf_text(learner_client.get(reverse("cme:transcript_pdf")))
    assert "(certificate revoked)" in text
    assert "Total credit claimed" not in text
    assert f"0.5 {AMA}" not in text
    page = block_texts(learner_client.get(reverse("cme:progress")))
    assert "Certificate revoked" in " ".join(page)


def test_my_progress_offers_the_transcript_as_a_pdf(learner_client, claimed):
    html = learner_client.get(reverse("cme:progress")).content.decode()
    assert f'href="{reverse("cme:transcript_pdf")}"' in html
    assert "Progress: 1 activity completed" in html
