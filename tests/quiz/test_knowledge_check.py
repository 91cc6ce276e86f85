"""The knowledge check: the form, scoring, bad submissions, results and retakes."""

import re
from html import unescape

import pytest
import time_machine
from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.html import escape

from celmod_course.web.forms import read_start_token, start_token
from lessons.models import Lesson
from quiz.models import Answer, Attempt, Choice, Question
from tests.conftest import answer_sheet, complete_all_lessons, make_learner
from tests.html import block_texts, block_texts_of, text_of_id


def page_url(activity):
    return reverse("cme:knowledge_check", args=[activity.slug])


def submit_url(activity):
    return reverse("cme:submit", args=[activity.slug])


def test_the_fixtures_hold_ten_questions_of_four_choices_with_one_correct(activity):
    questions = list(Question.objects.for_activity(activity).prefetch_related("choices"))
    assert len(questions) == 10
    for question in questions:
        choices = list(question.choices.all())
        assert len(choices) == 4, question.prompt
        assert sum(choice.is_correct for choice in choices) == 1, question.prompt
        assert question.rationale.strip()
        assert question.lesson.activity_id == activity.pk
    taught = {question.lesson.order for question in questions}
    assert taught == {1, 2, 3, 4}
    positions = [
        next(c.order for c in question.choices.all() if c.is_correct) for question in questions
    ]
    assert len(set(positions)) > 1, "the correct answer must not always stand in one place"


def test_the_page_states_the_pass_mark_and_shows_each_question_as_a_radio_group(
    learner_client, activity
):
    response = learner_client.get(page_url(activity))
    html = response.content.decode()
    assert (
        "10 questions, one answer each. You pass with 70% or more of the answers correct."
        in " ".join(block_texts(response))
    )
    assert html.count("<fieldset") == 10
    assert html.count("<legend") == 10
    assert html.count('type="radio"') == 40
    for question in Question.objects.for_activity(activity):
        assert f"{question.order}. {question.prompt}*" in block_texts(response)


def test_no_part_of_the_page_gives_away_the_correct_answers(learner_client, activity):
    html = learner_client.get(page_url(activity)).content.decode()
    assert "<!--" not in html
    assert "application/json" not in html
    assert "is_correct" not in html
    for question in Question.objects.for_activity(activity):
        inputs = re.findall(rf'<input[^>]*name="question_{question.pk}"[^>]*>', html)
        assert len(inputs) == 4
        # Apart from their value and id, the four radio buttons are the same to the letter.
        shapes = {re.sub(r'(value|id)="[^"]*"', "", tag) for tag in inputs}
        assert len(shapes) == 1, shapes
        for choice in question.choices.all():
            assert f'value="{choice.pk}"' in html


def without_tokens(response):
    """The page's HTML without the two values that change on every request (CSRF, start)."""
    html = response.content.decode()
    return re.sub(r'(name="(?:csrfmiddlewaretoken|started)" value=)"[^"]*"', r"\1", html)


def test_the_page_is_the_same_to_the_letter_whichever_choice_is_correct(learner_client, activity):
    """The correct choices are marked no differently from the wrong ones: not by an attribute,
    a class or a word. Moving every question's key to another choice changes nothing shown."""
    before = without_tokens(learner_client.get(page_url(activity)))
    for question in Question.objects.for_activity(activity).prefetch_related("choices"):
        choices = list(question.choices.all())
        correct = next(n for n, choice in enumerate(choices) if choice.is_correct)
        Choice.objects.filter(question=question).update(is_correct=False)
        Choice.objects.filter(pk=choices[(correct + 1) % len(choices)].pk).update(is_correct=True)
    caches["default"].clear()  # the page again, not its cached copy

    after = without_tokens(learner_client.get(page_url(activity)))
    assert after == before


def test_each_choice_is_labelled_with_its_text_alone(learner_client, activity):
    response = learner_client.get(page_url(activity))
    html = response.content.decode()
    for choice in Choice.objects.filter(question__activity=activity):
        after_input = html[html.index(f'value="{choice.pk}"') :]
        label = re.search(r"<label[^>]*>\s*(.*?)\s*</label>", after_input)
        assert unescape(label.group(1)) == choice.text


def test_seven_of_ten_passes_at_a_pass_mark_of_70(learner_client, learner, activity):
    response = learner_client.post(submit_url(activity), answer_sheet(activity, right=7))
    attempt = Attempt.objects.get(learner=learner)
    assert response["Location"] == attempt.get_absolute_url()
    assert (attempt.score, attempt.total, attempt.passed) == (7, 10, True)
    assert attempt.answers.count() == 10
    blocks = block_texts(learner_client.get(attempt.get_absolute_url()))
    assert "Passed" in blocks
    assert "You answered 7 of 10 questions correctly (70%). The pass mark is 70%." in blocks


def test_six_of_ten_does_not_pass(learner_client, learner, activity):
    learner_client.post(submit_url(activity), answer_sheet(activity, right=6))
    attempt = Attempt.objects.get(learner=learner)
    assert (attempt.score, attempt.passed) == (6, False)
    blocks = block_texts(learner_client.get(attempt.get_absolute_url()))
    assert "Not passed" in blocks


def test_a_failed_attempt_names_the_lessons_to_review_but_not_which_answers_were_right(
    learner_client, learner, activity, lessons
):
    learner_client.post(submit_url(activity), answer_sheet(activity, right=5))
    attempt = Attempt.objects.get(learner=learner)
    questions = list(Question.objects.for_activity(activity).prefetch_related("choices"))
    pages = [attempt.get_absolute_url(), page_url(activity), activity.get_absolute_url()]
    pages += [lesson.get_absolute_url() for lesson in lessons]
    pages += [reverse("quiz:your_thoughts", args=[activity.slug]), reverse("cme:progress")]
    for url in pages:
        html = learner_client.get(url).content.decode()
        assert "Correct answer" not in html, url
        for question in questions:
            assert question.rationale not in html, url
            assert question.rationale[:60] not in html, url

    response = learner_client.get(attempt.get_absolute_url())
    html, blocks = response.content.decode(), block_texts(response)
    assert "You answered 5 of 10 questions correctly (50%). The pass mark is 70%." in blocks
    # Nothing per question: no mark, no prompt, no choice, so a retake cannot keep the right
    # answers and change the wrong ones.
    assert "Answered correctly" not in html and "Answered incorrectly" not in html
    for question in questions:
        assert escape(question.prompt) not in html
        for choice in question.choices.all():
            assert f"<li>{escape(choice.text)}" not in html
    # The lessons teaching the missed questions (the last five), each once, in order.
    missed = {q.lesson_id for q in questions[5:]}
    expected = [lesson for lesson in lessons if lesson.pk in missed]
    links = re.findall(r'href="([^"]+)">Read lesson', html)
    assert links == [lesson.get_absolute_url() for lesson in expected]


def test_once_passed_every_attempt_shows_the_full_review(learner_client, learner, activity):
    learner_client.post(submit_url(activity), answer_sheet(activity, right=3))
    learner_client.post(submit_url(activity), answer_sheet(activity, right=10))
    failed = Attempt.objects.get(learner=learner, passed=False)
    response = learner_client.get(failed.get_absolute_url())
    html, blocks = response.content.decode(), block_texts(response)
    for answer in failed.answers.select_related("question__lesson", "choice"):
        question = answer.question
        correct = question.choices.get(is_correct=True)
        mark = "Answered correctly" if answer.is_correct else "Answered incorrectly"
        assert f"{question.order}. {question.prompt}" in blocks
        assert mark in blocks
        assert f"{answer.choice.text} Your answer" in " ".join(blocks)
        assert f"Correct answer: {correct.text}" in blocks
        assert f"Why: {question.rationale}" in blocks
        assert f'href="{question.lesson.get_absolute_url()}">Read lesson' in html
    assert blocks.count("Answered correctly") == 3


def choice_order(html, question):
    """The choice ids of a question's radio group, or of its review list, as the page has them."""
    return [int(pk) for pk in re.findall(rf'name="question_{question.pk}" value="(\d+)"', html)]


def review_order(html, question):
    """The choice texts of a question's review, in the order the page lists them."""
    heading = f"{question.order}. {escape(question.prompt)}</h3>"
    section = html.split(heading, 1)[1].split("</ul>", 1)[0]
    items = re.findall(r"<li>(.*?)</li>", section)
    return [unescape(re.sub(r"\s*<span.*", "", item).strip()) for item in items]


def test_choices_are_shown_in_the_order_the_forms_seed_gives(learner_client, activity):
    html = learner_client.get(page_url(activity)).content.decode()
    token = re.search(r'name="started" value="([^"]+)"', html).group(1)
    _, seed = read_start_token(token)
    for question in Question.objects.for_activity(activity).prefetch_related("choices"):
        shown = [choice.pk for choice in question.shuffled_choices(seed)]
        assert choice_order(html, question) == shown


def test_two_attempts_keep_their_own_shuffled_orders(learner_client, learner, activity):
    questions = list(Question.objects.for_activity(activity).prefetch_related("choices"))
    orders = {
        seed: [[c.text for c in q.shuffled_choices(seed)] for q in questions] for seed in (1, 2)
    }
    assert orders[1] != orders[2]  # these two seeds shuffle differently
    for seed in (1, 2):
        sheet = answer_sheet(activity, right=10) | {"started": start_token(seed)}
        learner_client.post(submit_url(activity), sheet)
    for attempt in Attempt.objects.filter(learner=learner):
        html = learner_client.get(attempt.get_absolute_url()).content.decode()
        assert attempt.shuffle_seed in (1, 2)
        seen = [review_order(html, question) for question in questions]
        assert seen == orders[attempt.shuffle_seed]


def test_a_form_shown_again_with_an_error_keeps_its_order(learner_client, activity):
    questions = list(Question.objects.for_activity(activity).prefetch_related("choices"))
    sheet = answer_sheet(activity, right=10) | {"started": start_token(7)}
    del sheet[f"question_{questions[0].pk}"]
    html = learner_client.post(submit_url(activity), sheet).content.decode()
    for question in questions:
        assert choice_order(html, question) == [c.pk for c in question.shuffled_choices(7)]


def test_a_question_left_unanswered_is_explained_and_nothing_is_stored(learner_client, activity):
    data = answer_sheet(activity, right=10)
    first = Question.objects.for_activity(activity).first()
    del data[f"question_{first.pk}"]
    response = learner_client.post(submit_url(activity), data)
    assert response.status_code == 200
    assert "Your answers were not submitted." in block_texts(response)
    assert "Choose an answer to this question." in response.content.decode()
    assert Attempt.objects.count() == 0
    assert Answer.objects.count() == 0


@pytest.mark.parametrize("bad", ["foreign", "999999", "abc", "-1", "", "1e3"])
def test_a_choice_not_of_its_question_is_refused_and_nothing_is_stored(
    learner_client, activity, bad
):
    questions = list(Question.objects.for_activity(activity))
    data = answer_sheet(activity, right=10)
    if bad == "foreign":
        bad = str(questions[1].choices.first().pk)
    data[f"question_{questions[0].pk}"] = bad
    response = learner_client.post(submit_url(activity), data)
    assert response.status_code == 200
    assert "Your answers were not submitted." in block_texts(response)
    assert Attempt.objects.count() == 0
    assert Answer.objects.count() == 0


def test_a_refused_submission_keeps_the_learners_other_answers(learner_client, activity):
    questions = list(Question.objects.for_activity(activity))
    data = answer_sheet(activity, right=10)
    del data[f"question_{questions[0].pk}"]
    html = learner_client.post(submit_url(activity), data).content.decode()
    kept = data[f"question_{questions[1].pk}"]
    assert re.search(rf'<input[^>]*value="{kept}"[^>]*checked', html)


def test_beside_the_submit_button_the_page_says_how_many_questions_are_answered(
    learner_client, activity
):
    html = learner_client.get(page_url(activity)).content.decode()
    assert text_of_id(html, "answered-count") == "0 of 10 answered"
    questions = list(Question.objects.for_activity(activity))
    sheet = answer_sheet(activity, right=10)
    three = {name: sheet[name] for name in [f"question_{q.pk}" for q in questions[:3]]}
    forged = {f"question_{questions[3].pk}": str(questions[4].choices.first().pk)}
    html = learner_client.post(submit_url(activity), three | forged).content.decode()
    assert "Your answers were not submitted." in block_texts_of(html)
    assert text_of_id(html, "answered-count") == "3 of 10 answered"  # the forged one is unpicked


def test_retakes_are_allowed_and_every_attempt_is_kept_and_listed(
    learner_client, learner, activity
):
    learner_client.post(submit_url(activity), answer_sheet(activity, right=4))
    learner_client.post(submit_url(activity), answer_sheet(activity, right=9))
    attempts = list(Attempt.objects.filter(learner=learner).order_by("submitted_at", "pk"))
    assert [(a.score, a.passed) for a in attempts] == [(4, False), (9, True)]
    blocks = block_texts(learner_client.get(page_url(activity)))
    assert "4 of 10 (40%)" in blocks
    assert "9 of 10 (90%)" in blocks
    assert "Passed" in blocks
    assert "Not passed" in blocks


def test_the_time_from_opening_to_submitting_is_kept(learner_client, learner, activity):
    with time_machine.travel("2026-11-24 09:00Z", tick=False):
        html = learner_client.get(page_url(activity)).content.decode()
    started = re.search(r'name="started" value="([^"]+)"', html).group(1)
    with time_machine.travel("2026-11-24 09:07Z", tick=False):
        learner_client.post(
            submit_url(activity), {**answer_sheet(activity, right=8), "started": started}
        )
    attempt = Attempt.objects.get(learner=learner)
    assert attempt.started_at.isoformat() == "2026-11-24T09:00:00+00:00"
    assert attempt.submitted_at.isoformat() == "2026-11-24T09:07:00+00:00"


def test_a_forged_start_time_is_ignored(learner_client, learner, activity):
    learner_client.post(submit_url(activity), {**answer_sheet(activity, right=8), "started": "1.0"})
    attempt = Attempt.objects.get(learner=learner)
    assert attempt.started_at == attempt.submitted_at


def test_another_learners_attempt_is_not_found(client, learner, activity):
    client.force_login(learner)
    client.post(submit_url(activity), answer_sheet(activity, right=8))
    attempt = Attempt.objects.get(learner=learner)
    client.force_login(make_learner(email="other@example.org"))
    assert client.get(attempt.get_absolute_url()).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, activity):
    response = client.get(page_url(activity))
    assert response["Location"] == f"{reverse('accounts:login')}?next={page_url(activity)}"
    response = client.post(submit_url(activity), answer_sheet(activity, right=10))
    assert response["Location"] == f"{reverse('accounts:login')}?next={page_url(activity)}"
    assert Attempt.objects.count() == 0


def test_the_page_runs_a_bounded_number_of_queries_however_many_questions(
    learner_client, learner, activity, django_assert_max_num_queries
):
    learner_client.post(submit_url(activity), answer_sheet(activity, right=5))
    lesson = Lesson.objects.for_activity(activity).first()
    for order in range(11, 41):
        question = Question.objects.create(
            activity=activity, order=order, prompt=f"Q{order}?", rationale="R", lesson=lesson
        )
        Choice.objects.bulk_create(
            Choice(question=question, order=n, text=f"C{n}", is_correct=n == 1) for n in range(1, 5)
        )
    with django_assert_max_num_queries(7):
        response = learner_client.get(page_url(activity))
    assert response.content.decode().count("<fieldset") == 40
    sheet = answer_sheet(activity, right=40)
    # Among them: LMS gradebooks to send a pass to; the learner's row, read before its page
    # version is counted up, to forget it in the user cache; and the results' counts (the
    # learner's share of the attempts and of the items, before and after: `cme.tallies`).
    with django_assert_max_num_queries(31):
        learner_client.post(submit_url(activity), sheet)
    attempt = Attempt.objects.filter(learner=learner).first()
    with django_assert_max_num_queries(10):
        learner_client.get(attempt.get_absolute_url())


def test_the_database_refuses_an_answer_with_another_questions_choice(learner, activity):
    first, second = Question.objects.for_activity(activity)[:2]
    attempt = Attempt.objects.create(
        learner=learner,
        activity=activity,
        number=1,
        started_at="2026-11-24T09:00Z",
        submitted_at="2026-11-24T09:05Z",
        score=0,
        total=10,
        passed=False,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(
            attempt=attempt, question=first, choice=second.choices.first(), is_correct=False
        )
    answer = Answer.objects.create(
        attempt=attempt, question=first, choice=first.choices.first(), is_correct=False
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.filter(pk=answer.pk).update(choice=second.choices.first())
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(
            attempt=attempt, question=first, choice=first.choices.last(), is_correct=False
        )


def test_the_database_allows_one_correct_choice_per_question(activity):
    question = Question.objects.for_activity(activity).first()
    wrong = question.choices.filter(is_correct=False).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Choice.objects.filter(pk=wrong.pk).update(is_correct=True)


def seed_of(html):
    token = re.search(r'name="started" value="([^"]+)"', html).group(1)
    return read_start_token(token)[1]


def test_reloading_keeps_the_order_and_each_attempt_gets_its_own(learner_client, activity):
    first = learner_client.get(page_url(activity)).content.decode()
    again = learner_client.get(page_url(activity)).content.decode()
    assert seed_of(first) == seed_of(again)
    learner_client.post(submit_url(activity), answer_sheet(activity, right=3) | {"started": ""})
    retake = learner_client.get(page_url(activity)).content.decode()
    assert seed_of(retake) != seed_of(first)


def test_the_page_comes_from_the_cache_once_warm(
    learner_client, activity, django_assert_max_num_queries
):
    learner_client.get(page_url(activity))
    learner_client.get(page_url(activity))
    with django_assert_max_num_queries(1):
        assert learner_client.get(page_url(activity)).status_code == 200


def test_once_passed_the_page_says_when_and_links_the_certificate_instead_of_the_form(
    learner_client, learner, activity
):
    learner_client.post(submit_url(activity), answer_sheet(activity, right=4))
    complete_all_lessons(learner, activity)
    with time_machine.travel("2025-09-02 14:00Z", tick=False):
        learner_client.post(submit_url(activity), answer_sheet(activity, right=9))
    response = learner_client.get(page_url(activity))
    blocks = block_texts(response)
    certificate = learner.activity_completions.get().get_absolute_url()
    assert "Passed on September 2, 2025 with 9 of 10 (90%). View certificate" in blocks
    html = response.content.decode()
    assert f'href="{certificate}">View certificate</a>' in html
    assert html.index("Passed on") < html.index("Your attempts")
    assert 'type="radio"' not in html  # no blank form to fill in again


def test_a_pass_before_the_lessons_are_done_says_what_is_left(learner_client, activity):
    with time_machine.travel("2025-09-02 14:00Z", tick=False):
        learner_client.post(submit_url(activity), answer_sheet(activity, right=10))
    blocks = block_texts(learner_client.get(page_url(activity)))
    assert (
        "Passed on September 2, 2025 with 10 of 10 (100%). Complete every lesson for your "
        "certificate: see the steps." in blocks
    )
