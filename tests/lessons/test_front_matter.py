"""The front matter an accredited activity shows before it starts: objectives, credit with the
accreditation statement, faculty disclosures, commercial support. Data, never invented: the seed
has none, so its overview shows none; and a published activity offers credit only with it."""

import re

from django.test import Client
from django.urls import reverse

from celmod_course.cme.models import CreditDesignation
from lessons.models import LearningObjective
from tests.conftest import AMA, STATEMENT
from tests.html import block_texts, form_data
from tests.test_admin import designation_form

ACCREDITATION = "The provider is accredited to provide continuing medical education."


def test_the_seeds_overview_shows_no_front_matter(client, activity):
    blocks = block_texts(client.get(activity.get_absolute_url()))
    for heading in ("Learning objectives", "Faculty disclosures", "Commercial support"):
        assert heading not in blocks
    assert not activity.objectives.exists() and not activity.accreditation_statement
    assert not activity.faculty.exclude(disclosure="").exists()


def with_front_matter(activity):
    LearningObjective.objects.create(activity=activity, order=1, text="Describe how CELMoDs act.")
    activity.provider = "A Provider"
    activity.accreditation_statement = ACCREDITATION
    activity.commercial_support = "This activity received no commercial support."
    activity.save()
    for member in activity.faculty.all():
        member.disclosure = "Nothing to disclose."
        member.save()


def test_the_overview_shows_the_front_matter_before_start(activity, designation):
    with_front_matter(activity)
    html = Client().get(activity.get_absolute_url()).content.decode()
    blocks = block_texts(Client().get(activity.get_absolute_url()))
    for text in (
        "Describe how CELMoDs act.",
        "Provided by A Provider.",
        ACCREDITATION,
        STATEMENT,
        f"Physician: up to 1 {AMA}",
        "Nothing to disclose.",
        "This activity received no commercial support.",
    ):
        assert text in blocks, text
    start = html.index(">Progress<") if ">Progress<" in html else html.index("progress-heading")
    for text in ("Learning objectives", ACCREDITATION, "Faculty disclosures", "Commercial support"):
        assert html.index(text) < start, text


def activity_form(staff_client, activity):
    url = reverse("admin:lessons_activity_change", args=[activity.pk])
    return url, form_data(staff_client.get(url), "activity_form")


def test_a_credit_activity_without_every_disclosure_is_not_published(
    staff_client, activity, designation
):
    activity.published = False
    activity.save()
    url, data = activity_form(staff_client, activity)
    data |= {
        "published": "on",
        "accreditation_statement": ACCREDITATION,
        "objectives-TOTAL_FORMS": "1",
        "objectives-0-order": "1",
        "objectives-0-text": "Describe how CELMoDs act.",
    }
    rows = sorted(k for k in data if re.fullmatch(r"faculty-\d+-id", k))
    data[rows[0].replace("-id", "-disclosure")] = "Nothing to disclose."
    response = staff_client.post(url, data)
    assert response.status_code == 200
    page = " ".join(block_texts(response))
    assert "Missing: a disclosure for Sagar Lonial, MD, FACP and a disclosure for" in page
    activity.refresh_from_db()
    assert not activity.published
    for row in rows:
        data[row.replace("-id", "-disclosure")] = "Nothing to disclose."
    assert staff_client.post(url, data).status_code == 302
    activity.refresh_from_db()
    assert activity.published


def test_a_published_activity_is_given_credit_only_with_its_front_matter(staff_client, activity):
    url, data = designation_form(staff_client, activity)
    response = staff_client.post(url, data)
    assert response.status_code == 200
    page = " ".join(block_texts(response))
    assert (
        "Missing: at least one learning objective, the accreditation statement, a disclosure"
        in page
    )
    assert not CreditDesignation.objects.exists()
    with_front_matter(activity)
    assert staff_client.post(url, data).status_code == 302
