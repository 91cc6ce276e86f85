import os
from decimal import Decimal

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.test import override_settings
from lti_tool.models import Key, LtiDeployment, LtiRegistration

from celmod_course import cache as cache_module
from celmod_course.accounts.models import Profession, User
from celmod_course.cme.models import ActivityCompletion, CreditDesignation
from celmod_course.cme.services import knowledge_check_submit
from lessons.models import Activity, Lesson, LessonCompletion
from quiz.models import Question
from tests.lti.platform import Platform

PASSWORD = "a-long-and-unusual-passphrase"


def unavailable(message, required_by):
    """Skip a test whose outside part (the seed, Chromium, Redis) this machine lacks, saying so;
    where the environment variable `required_by` is 1, as CI sets it, fail instead."""
    if os.environ.get(required_by) == "1":
        pytest.fail(f"{message} ({required_by}=1)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with no cached pages, as its database starts anew, and with the Redis
    fuse whole (a test that stopped Redis leaves no blown fuse to the next)."""
    cache_module._blown_until = 0.0
    for alias in ("default", "limits"):
        caches[alias].clear()


REDIS_CACHE_TEST_URL = os.environ.get("REDIS_CACHE_TEST_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture
def redis_db():
    """A Redis database of the test's own (emptied), with both caches in it, as with REDIS_URL."""
    import redis

    client = redis.Redis.from_url(REDIS_CACHE_TEST_URL, socket_connect_timeout=1)
    try:
        client.flushdb()
    except redis.exceptions.RedisError as error:
        unavailable(f"Redis is not answering at {REDIS_CACHE_TEST_URL} ({error}).", "REQUIRE_REDIS")
    backend = "celmod_course.cache.FailOpenRedisCache"
    caches_ = {
        alias: {"BACKEND": backend, "LOCATION": REDIS_CACHE_TEST_URL, "KEY_PREFIX": alias}
        for alias in ("default", "limits")
    }
    with override_settings(CACHES=caches_, REDIS_URL=REDIS_CACHE_TEST_URL):
        yield client
    client.flushdb()


@pytest.fixture
def activity(db):
    """The seed's activity and its knowledge check, from the fixtures `make run` loads."""
    call_command("load_content", verbosity=0)
    return Activity.objects.get(slug="celmods-in-multiple-myeloma")


@pytest.fixture
def lessons(activity):
    return list(Lesson.objects.for_activity(activity))


def make_learner(email="learner@example.org", full_name="Jane Doe, MD", **fields):
    fields.setdefault("profession", Profession.PHYSICIAN)
    return User.objects.create_user(email=email, password=PASSWORD, full_name=full_name, **fields)


@pytest.fixture
def learner(db):
    return make_learner()


@pytest.fixture
def staff(db):
    return User.objects.create_user(
        email="staff@example.org",
        password=PASSWORD,
        full_name="Sam Staff",
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def answer_sheet(activity, right):
    """POST data for the knowledge check with the first `right` questions answered correctly."""
    data = {}
    for number, question in enumerate(
        Question.objects.for_activity(activity).prefetch_related("choices"), start=1
    ):
        choices = list(question.choices.all())
        pick = next(c for c in choices if c.is_correct == (number <= right))
        data[f"question_{question.pk}"] = str(pick.pk)
    return data


def complete_all_lessons(learner, activity):
    for lesson in Lesson.objects.for_activity(activity):
        LessonCompletion.objects.record(learner=learner, lesson=lesson)


def complete(learner, activity):
    """Complete the activity: every lesson, and a knowledge check with every answer right."""
    complete_all_lessons(learner, activity)
    questions = activity.questions.prefetch_related("choices")
    knowledge_check_submit(
        learner=learner,
        activity=activity,
        chosen={q: next(c for c in q.choices.all() if c.is_correct) for q in questions},
    )
    return ActivityCompletion.objects.get(learner=learner, activity=activity)


def claim_credit(learner, activity, amount="0.50"):
    """Claim credit as the learner (who has completed and evaluated the activity)."""
    from celmod_course.cme.services import credit_claim

    return credit_claim(
        learner=learner,
        activity=activity,
        amount=Decimal(amount),
        first_name="Jane",
        last_name="Doe",
    )


# A designation as a provider would write one; tests make their own (the seed states none).
AMA = "AMA PRA Category 1 Credit™"
STATEMENT = (
    "The provider designates this enduring material for a maximum of 1 AMA PRA Category 1 "
    "Credit™. Physicians should claim only the credit commensurate with the extent of their "
    "participation in the activity."
)


@pytest.fixture
def designation(activity):
    return CreditDesignation.objects.create(
        activity=activity,
        profession=Profession.PHYSICIAN,
        credit_type=AMA,
        max_amount=Decimal("1.00"),
        statement=STATEMENT,
    )


def open_link(email, path="/accounts/signup/open/"):
    """The path of the link of `path` in the last mail sent to `email`."""
    import re

    from django.core import mail

    body = next(m.body for m in reversed(mail.outbox) if m.to == [email])
    return re.search(rf"https?://[^/\s]+({re.escape(path)}\S+)", body).group(1)


def sign_up_and_open(client, data):
    """Sign up as `data` says and open the account from the mail; returns the last response."""
    from django.urls import reverse

    client.post(reverse("accounts:signup"), data)
    return client.post(open_link(data["email"].lower()))


# LTI: the test LMS (tests/lti/platform.py) and its registration by staff


@pytest.fixture(scope="session")
def lms():
    """The test LMS's server, one for the session (its RSA key takes a moment to make)."""
    platform = Platform()
    yield platform
    platform.stop()


@pytest.fixture
def platform(lms):
    """The test LMS, with nothing received yet, and the tool knowing nothing of it yet."""
    lms.scores.clear()
    lms.assertions.clear()
    lms.tokens.clear()
    lms.refuse_scores, lms.lineitem_reads, lms.score_maximum = 0, 0, 50
    lms.tool_jwks_url, lms.tool_jwks, lms.next_claims = "", None, {}
    return lms


@pytest.fixture(scope="session")
def tool_key_pair():
    """An RSA key pair for the tool, made once (staff make theirs with `manage.py rotate_keys`,
    which tests/lti/test_configuration.py runs)."""
    from jwcrypto.jwk import JWK

    return JWK.generate(kty="RSA", size=2048)


@pytest.fixture
def tool_keys(db, tool_key_pair):
    """The tool's key, as `rotate_keys` stores it."""
    return Key.objects.create_from_jwk(tool_key_pair)


@pytest.fixture
def registration(platform, tool_keys):
    """The platform registered by staff, with its deployment switched on."""
    registration = LtiRegistration.objects.create(**platform.registration_fields())
    LtiDeployment.objects.create(
        registration=registration, deployment_id=platform.deployment_id, is_active=True
    )
    return registration
