"""A name is what a certificate prints: it needs letters that show."""

import pytest
from django.urls import reverse

from celmod_course.accounts.models import User
from tests.conftest import PASSWORD
from tests.html import block_texts

BLANK_NAMES = {
    "Hangul filler": "\u3164\u3164\u3164",
    "Hangul choseong filler": "\u115f\u115f",
    "halfwidth Hangul filler": "\uffa0\uffa0",
    "Braille blank": "\u2800\u2800\u2800",
    "combining grapheme joiner": "\u034f\u034f",
    "combining acute accents": "\u0301\u0301\u0301",
    "Khmer inherent vowel": "\u17b4\u17b4",
    "one letter": "J",
}


@pytest.mark.parametrize("name", BLANK_NAMES.values(), ids=BLANK_NAMES.keys())
def test_a_name_that_prints_blank_is_refused_at_sign_up(client, db, name):
    response = client.post(
        reverse("accounts:signup"),
        {
            "email": "blank@example.org",
            "full_name": name,
            "profession": "physician",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "Type your name with letters: at least two that print." in " ".join(
        block_texts(response)
    )
    assert not User.objects.filter(email="blank@example.org").exists()


@pytest.mark.parametrize("name", ["Jo", "Zoë Ångström, PharmD", "李娜", "José\u0301 Ruiz"])
def test_real_names_in_any_script_are_kept(learner_client, learner, name):
    data = {"full_name": name, "profession": "physician", "email": learner.email}
    learner_client.post(reverse("accounts:profile"), data)
    learner.refresh_from_db()
    assert learner.full_name == name
