"""Every page's title (what a tab shows and a screen reader reads first) is plain words."""

import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

TITLE_BLOCK = re.compile(r"{% block title %}(.*?){% endblock %}", re.S)


def test_no_template_puts_markup_or_line_breaks_in_a_title():
    templates = Path(settings.BASE_DIR, "templates").rglob("*.html")
    for template in templates:
        for title in TITLE_BLOCK.findall(template.read_text()):
            assert "<" not in title and "\n" not in title, (template.name, title)


def test_the_log_in_page_is_titled_log_in(client, db):
    html = client.get(reverse("accounts:login")).content.decode()
    assert re.search(r"<title>(.*?)</title>", html, re.S).group(1) == "Log in · CME"
