"""The staff's results of an activity, and their CSV downloads."""

from django.shortcuts import render

from celmod_course.accounts.decorators import staff_required
from celmod_course.accounts.models import Profession
from celmod_course.cme import results as results_data
from celmod_course.cme.exports import EXPORTS
from celmod_course.cme.tallies import kept
from quiz.models import Poll

from .downloads import stream_csv
from .lookups import visible_activity


@staff_required
def results(request, slug):
    activity = visible_activity(request.user, slug)
    counts = kept(activity)
    context = {
        "activity": activity,
        "polls": results_data.poll_results(activity, counts),
        "professions": Profession.labels,
        "knowledge_check": results_data.knowledge_check_results(activity, counts),
        "item_flags": results_data.ITEM_FLAGS,
        "funnel": results_data.funnel(activity, counts),
        "discussion": results_data.discussion_counts(activity),
        "credit": results_data.credit_totals(counts),
        "evaluation": results_data.evaluation_results(activity, counts),
        "texts_shown": results_data.TEXTS_SHOWN,
        "outcomes": results_data.outcomes(activity, counts),
        "first_scores": results_data.first_attempt_scores(activity, counts),
        "shown_from": Poll.RESULTS_MIN_RESPONSES,
    }
    return render(request, "cme/results.html", context)


@staff_required
def export(request, slug, name):
    """One of the results' CSV files (`exports.EXPORTS`), streamed in chunks."""
    activity = visible_activity(request.user, slug)
    export = EXPORTS[name]
    return stream_csv(
        f"{slug}-{name}.csv", export.header, export.rows(activity), text_columns=export.text
    )
