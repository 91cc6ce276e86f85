"""An address under `.invalid` stands for none (an LMS learner whose LMS shared no address, a
deleted account, a synthetic learner): the outbox never records a mail to it."""

from django.core.mail import send_mail

from celmod_course.accounts.models import no_email_address
from celmod_course.outbox.models import Message


def test_the_outbox_never_records_a_mail_to_an_address_that_stands_for_none(db, settings):
    settings.EMAIL_BACKEND = "celmod_course.outbox.mail.OutboxBackend"
    nobody = no_email_address()
    assert nobody.endswith(".invalid")
    assert send_mail("Hello", "Body", None, [nobody]) == 0
    assert not Message.objects.exists()
    send_mail("Hello", "Body", None, [nobody, "jane@example.org"])
    assert Message.objects.get().to == ["jane@example.org"]
