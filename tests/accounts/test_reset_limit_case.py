"""Password resets are limited per mailbox, however the address is capitalised: three an hour,
then no more mail, while the page says the same as before."""

from django.core import mail
from django.urls import reverse

from tests.conftest import make_learner
from tests.html import block_texts


def ask_for_reset(client, email):
    return block_texts(
        client.post(reverse("accounts:password_reset"), {"email": email}, follow=True)
    )


def test_three_resets_in_any_mix_of_cases_use_up_the_mailboxs_hour(client, db):
    make_learner("jane@example.org")
    first = ask_for_reset(client, "JANE@example.org")
    assert any(block.startswith("If an account uses that address, we have sent") for block in first)
    ask_for_reset(client, "Jane@example.org")
    ask_for_reset(client, "jane@example.org")
    assert [message.to for message in mail.outbox] == [["jane@example.org"]] * 3

    fourth = ask_for_reset(client, "jAnE@example.org")
    assert len(mail.outbox) == 3
    assert fourth == first
