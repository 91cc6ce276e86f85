"""Certificates: the owner's printable page and the public verification page."""

import re

import pytest
import time_machine
from django.urls import reverse

from celmod_course.cme.models import ActivityCompletion
from celmod_course.cme.services import knowledge_check_submit
from tests.conftest import answer_sheet, complete_all_lessons, make_learner
from tests.html import block_texts

NOT_FOR_CREDIT = "Not valid for credit."


def complete_at(client, learner, activity, when):
    """Complete the activity at `when` (the client is logged in as the learner)."""
    complete_all_lessons(learner, activity)
    with time_machine.travel(when, tick=False):
        client.post(reverse("cme:submit", args=[activity.slug]), answer_sheet(activity, right=9))
    return ActivityCompletion.objects.get(learner=learner)


@pytest.fixture
def completion(learner_client, learner, activity):
    return complete_at(learner_client, learner, activity, "2026-01-20 15:00Z")


def test_the_owner_sees_a_printable_certificate_with_everything_on_it(learner_client, completion):
    response = learner_client.get(completion.get_absolute_url())
    assert response.status_code == 200
    blocks = block_texts(response)
    for text in ["Certificate of Completion", "Jane Doe, MD", "CELMoDs in Multiple Myeloma"]:
        assert text in blocks
    for text in ["on January 20, 2026.", "July 28, 2025", "January 27, 2026"]:
        assert text in blocks
    assert completion.certificate_number in blocks
    assert "Completed within the activity's credit period." in blocks
    assert "Download the PDF" in response.content.decode()


def test_the_certificate_has_print_styles(learner_client, completion):
    html = learner_client.get(completion.get_absolute_url()).content.decode()
    css_url = re.search(r'href="(/static/css/site[^"]*\.css)"', html).group(1)
    css = b"".join(learner_client.get(css_url).streaming_content).decode()
    assert "@media print" in css
    assert ".site-header" in css.split("@media print", 1)[1]


def test_certificate_numbers_cannot_be_guessed(completion, activity):
    other = make_learner(email="other@example.org")
    complete_all_lessons(other, activity)
    questions = activity.questions.prefetch_related("choices")
    knowledge_check_submit(
        learner=other,
        activity=activity,
        chosen={q: q.choices.get(is_correct=True) for q in questions},
    )
    numbers = list(ActivityCompletion.objects.values_list("certificate_number", flat=True))
    assert len(set(numbers)) == 2
    for number in numbers:
        assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}", number)
        assert str(completion.pk) not in number.split("-")


def test_only_the_owner_sees_the_certificate(client, completion):
    other = make_learner(email="other@example.org")
    client.force_login(other)
    assert client.get(completion.get_absolute_url()).status_code == 404
    client.logout()
    response = client.get(completion.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_public_verification_page_shows_name_activity_date_and_credit_only(
    client, completion, learner
):
    response = client.get(reverse("cme:verify", args=[completion.certificate_number]))
    assert response.status_code == 200
    blocks = block_texts(response)
    assert "Jane Doe, MD" in blocks
    assert "CELMoDs in Multiple Myeloma" in blocks
    assert "January 20, 2026" in blocks
    assert "Valid for credit: completed within the activity's credit period." in blocks
    html = response.content.decode()
    assert learner.email not in html
    assert "Physician" not in html
    assert "9 of 10" not in html


def test_a_number_typed_with_spaces_or_lowercase_is_found(client, completion):
    typed = f"  {completion.certificate_number.lower()} "
    response = client.get(reverse("cme:verify_lookup"), {"number": typed}, follow=True)
    assert response.status_code == 200
    assert "Jane Doe, MD" in block_texts(response)


def test_an_unknown_number_is_plainly_not_found(client, activity):
    response = client.get(reverse("cme:verify", args=["AAAA-BBBB-CCCC-DDDD"]))
    assert response.status_code == 404
    assert (
        "Not found. No certificate has that number. Check the number as printed on the "
        "certificate and try again." in block_texts(response)
    )


def test_the_verify_page_does_not_repeat_what_was_typed(client, activity):
    typed = "VALID-call-1-800-555-0100-to-claim"
    response = client.get(reverse("cme:verify", args=[typed]), follow=True)
    assert response.status_code == 404
    title = response.content.decode().split("<title>")[1].split("</title>")[0]
    assert "800-555" not in " ".join([title, *block_texts(response)])


def test_a_completion_after_the_expiration_date_is_not_valid_for_credit(client, learner, activity):
    client.force_login(learner)
    completion = complete_at(client, learner, activity, "2026-01-28 09:00Z")

    certificate = block_texts(client.get(completion.get_absolute_url()))
    assert "Certificate of Completion (not valid for credit)" in certificate
    assert (
        "Not valid for credit. This activity was completed after its expiration date of "
        "January 27, 2026; this certificate records completion only." in certificate
    )
    client.logout()
    verification = block_texts(
        client.get(reverse("cme:verify", args=[completion.certificate_number]))
    )
    assert (
        "Not valid for credit: completed after the activity's expiration date. "
        "Certificate of completion only." in verification
    )


def test_the_expiration_date_is_the_sites_day_not_utcs(client, learner, activity, settings):
    """At 03:00 UTC on January 28 it is still January 27, the last day, in New York."""
    settings.TIME_ZONE = "America/New_York"
    client.force_login(learner)
    completion = complete_at(client, learner, activity, "2026-01-28 03:00Z")

    certificate = block_texts(client.get(completion.get_absolute_url()))
    assert "on January 27, 2026." in certificate
    assert "Certificate of Completion" in certificate
    assert NOT_FOR_CREDIT not in certificate
    verification = block_texts(
        client.get(reverse("cme:verify", args=[completion.certificate_number]))
    )
    assert "January 27, 2026" in verification
    assert "Valid for credit: completed within the activity's credit period." in verification


def test_a_completion_on_the_expiration_date_is_valid_for_credit(client, learner, activity):
    client.force_login(learner)
    completion = complete_at(client, learner, activity, "2026-01-27 22:00Z")
    assert NOT_FOR_CREDIT not in block_texts(client.get(completion.get_absolute_url()))


@pytest.mark.parametrize(
    "typed",
    [
        "{plain}",  # no dashes
        "{spaced}",  # spaces between the groups
        "{lower}",  # lower case, dashes as printed
        " {dashed} ",
    ],
)
def test_a_number_typed_without_dashes_or_with_spaces_is_found(client, completion, typed):
    number = completion.certificate_number
    typed = typed.format(
        plain=number.replace("-", ""),
        spaced=number.replace("-", " "),
        lower=number.lower(),
        dashed=number,
    )
    response = client.get(reverse("cme:verify_lookup"), {"number": typed}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("cme:verify", args=[number])
    assert response.status_code == 200
    assert "Jane Doe, MD" in " ".join(block_texts(response))
    plain = client.get(reverse("cme:verify", args=[number.replace("-", "")]))
    assert plain.status_code == 200


def test_the_certificate_page_says_in_full_when_the_activity_has_expired(
    learner_client, completion
):
    with time_machine.travel("2026-02-01 12:00Z", tick=False):
        blocks = block_texts(learner_client.get(completion.get_absolute_url()))
    assert (
        "This activity expired on January 27, 2026. You can still read it and complete it, but "
        "credit is no longer offered." in blocks
    )


@pytest.mark.parametrize("typed", ["", "  ", "----"])
def test_looking_up_nothing_asks_for_the_number(client, db, typed):
    response = client.get(reverse("cme:verify_lookup"), {"number": typed})
    assert response.status_code == 200
    assert (
        '<div class="invalid-feedback" id="number-error">Type the certificate number as printed '
        "on the certificate.</div>" in response.content.decode()
    )
