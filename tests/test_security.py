"""Production hardening: deploy checks, headers, cookies, CSP and log-in throttling."""

import os
import re
import secrets
import subprocess
import sys

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from tests.conftest import PASSWORD
from tests.html import block_texts

PRODUCTION_ENV = {
    "DEBUG": "0",
    "HTTPS": "1",
    "ALLOWED_HOSTS": "cme.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://cme.example.org",
}


def production_env():
    """This machine's environment as the README's production instructions leave it."""
    skipped = {"DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {name: value for name, value in os.environ.items() if name not in skipped}
    return env | PRODUCTION_ENV | {"SECRET_KEY": secrets.token_urlsafe(50), "ENV_FILE": ""}


def test_check_deploy_is_clean_in_the_documented_production_environment():
    env = production_env()
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_readme_documents_that_production_environment():
    readme = (settings.BASE_DIR / "README.md").read_text()
    for name, value in PRODUCTION_ENV.items():
        assert f"{name}={value}" in readme


def test_pages_send_a_strict_content_security_policy_and_safe_headers(client, activity):
    response = client.get(activity.get_absolute_url())
    policy = {
        directive.split()[0]: set(directive.split()[1:])
        for directive in response["Content-Security-Policy"].split(";")
        if directive.strip()
    }
    # Every directive with exactly these sources: one more origin anywhere fails.
    assert policy == {
        "default-src": {"'self'"},
        "script-src": {"'self'"},
        "style-src": {"'self'"},
        "img-src": {"'self'", "data:"},
        "font-src": {"'self'"},
        "connect-src": {"'self'"},
        "object-src": {"'none'"},
        "base-uri": {"'self'"},
        "form-action": {"'self'"},
        "frame-ancestors": {"'none'"},
    }
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def page_urls(activity, lessons, attempt_url, certificate_url):
    slug = activity.slug
    return [
        reverse("cme:catalog"),
        activity.get_absolute_url(),
        *[lesson.get_absolute_url() for lesson in lessons],
        reverse("quiz:your_thoughts", args=[slug]),
        reverse("lessons:ask", args=[slug]) + "?q=neutropenia",
        reverse("cme:knowledge_check", args=[slug]),
        attempt_url,
        reverse("cme:progress"),
        certificate_url,
        reverse("cme:verify_lookup"),
        reverse("accounts:signup"),
        reverse("accounts:password_change"),
        reverse("cme:results", args=[slug]),
    ]


def test_no_page_holds_inline_scripts_or_styles(client, staff, activity, lessons):
    from celmod_course.cme.models import ActivityCompletion
    from quiz.models import Attempt
    from tests.conftest import answer_sheet, complete_all_lessons

    client.force_login(staff)
    complete_all_lessons(staff, activity)
    client.post(reverse("cme:submit", args=[activity.slug]), answer_sheet(activity, 10))
    attempt = Attempt.objects.get(learner=staff)
    completion = ActivityCompletion.objects.get(learner=staff)
    urls = page_urls(activity, lessons, attempt.get_absolute_url(), completion.get_absolute_url())
    for url in urls:
        html = client.get(url).content.decode()
        assert " style=" not in html, url
        assert "<style" not in html, url
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, (url, tag)
        assert re.search(r"\son[a-z]+=", html) is None, url


def test_session_and_csrf_cookies_are_http_only_and_same_site(client, learner):
    client.get(reverse("accounts:login"))
    response = client.post(
        reverse("accounts:login"), {"username": learner.email, "password": PASSWORD}
    )
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"]
    assert session["samesite"] == "Lax"
    assert client.cookies[settings.CSRF_COOKIE_NAME]["samesite"] == "Lax"


def test_production_settings_keep_cookies_to_https_and_send_hsts():
    env = production_env()
    code = (
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS)"
    )
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=settings.BASE_DIR,
        env={**env, "DJANGO_SETTINGS_MODULE": "celmod_course.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["True", "True", "True", "31536000"]


@pytest.mark.django_db
def test_repeated_wrong_passwords_lock_the_account_out_with_a_clear_message(client, learner):
    url = reverse("accounts:login")
    with time_machine.travel("2026-11-24 09:00Z", tick=False):
        for _ in range(4):
            response = client.post(url, {"username": learner.email, "password": "wrong guess"})
            assert response.status_code == 200
        response = client.post(url, {"username": learner.email, "password": "wrong guess"})
        assert response.status_code == 429
        # Locked out: even the right password, typed in another case, is refused for now.
        response = client.post(url, {"username": "LEARNER@example.org", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many log-in attempts" in block_texts(response)
    assert "_auth_user_id" not in client.session

    with time_machine.travel("2026-11-24 09:16Z", tick=False):
        response = client.post(url, {"username": learner.email, "password": PASSWORD})
    assert response.status_code == 302


def test_a_forged_forwarded_for_header_does_not_dodge_the_lockout(client, learner, settings):
    """Not behind a proxy (TRUST_X_FORWARDED_FOR off, the default), a visitor who sends a new
    X-Forwarded-For with each guess is still one visitor."""
    settings.TRUST_X_FORWARDED_FOR = False
    url = reverse("accounts:login")
    statuses = [
        client.post(
            url,
            {"username": learner.email, "password": "wrong guess"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]


def test_a_successful_log_in_resets_the_count(client, learner):
    url = reverse("accounts:login")
    for _ in range(4):
        client.post(url, {"username": learner.email, "password": "wrong guess"})
    client.post(url, {"username": learner.email, "password": PASSWORD})
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        client.post(url, {"username": learner.email, "password": "wrong guess"})
    response = client.post(url, {"username": learner.email, "password": PASSWORD})
    assert response.status_code == 302


def test_the_health_check_answers_without_the_database(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("health"))
    assert response.content == b"ok\n"
