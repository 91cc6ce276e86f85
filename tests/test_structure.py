"""How the code holds together: apps depend one way, views stay short, limits have one home."""

import ast
from datetime import timedelta
from pathlib import Path

from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

from celmod_course.web.forms import QUESTION_MAX_LENGTH, CommentForm, VerifyForm
from quiz.models import COMMENT_MAX_LENGTH
from tests.html import block_texts

ROOT = Path(__file__).resolve().parent.parent
OUR_APPS = {"accounts", "lessons", "quiz", "cme", "lti"}


def test_the_migration_graph_has_no_cycle_between_apps(db):
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    depends = {app: set() for app in OUR_APPS}
    for (app, _), node in graph.node_map.items():
        if app in OUR_APPS:
            depends[app] |= {parent.key[0] for parent in node.parents} & OUR_APPS - {app}
    done = set()
    while len(done) < len(depends):
        ready = {app for app, parents in depends.items() if app not in done and parents <= done}
        assert ready, f"cycle among {set(depends) - done}: {depends}"
        done |= ready


def test_no_view_function_is_longer_than_25_lines():
    for path in [*ROOT.glob("celmod_course/web/*.py"), ROOT / "celmod_course/accounts/views.py"]:
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.FunctionDef):
                length = node.end_lineno - node.lineno + 1
                assert length <= 25, f"{path.name}: {node.name} has {length} lines"


def test_the_ask_box_takes_as_many_characters_as_the_form_accepts(client, activity):
    html = client.get(activity.get_absolute_url()).content.decode()
    assert f'name="q" maxlength="{QUESTION_MAX_LENGTH}"' in html


def test_the_verify_box_takes_as_many_characters_as_the_form_accepts(client, db):
    html = client.get(reverse("cme:verify_lookup")).content.decode()
    assert f'maxlength="{VerifyForm.base_fields["number"].max_length}"' in html


def test_the_comment_help_names_the_limit_the_database_holds(db):
    assert f"up to {COMMENT_MAX_LENGTH:,} characters" in CommentForm().fields["body"].help_text


def test_the_locked_out_page_names_the_configured_lockout(client, learner, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)
    for _ in range(6):
        response = client.post(
            reverse("accounts:login"), {"username": learner.email, "password": "wrong guess"}
        )
    text = " ".join(block_texts(response))
    assert response.status_code == 429
    assert "paused for 30 minutes" in text
    assert "15 minutes" not in text
