"""Evaluation and credit: the evaluation a completed learner fills in, then the credit claim."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse

from celmod_course.accounts.decorators import login_required_post
from celmod_course.cme.duration import time_recorded
from celmod_course.cme.models import (
    ActivityCompletion,
    Evaluation,
    completion_required,
    credit_offer,
)
from celmod_course.cme.services import credit_claim, evaluation_submit
from celmod_course.refusal import Refused

from .forms import ClaimForm, EvaluationForm
from .lookups import activity_page, visible_activity


def _evaluation_page(request, activity, form=None):
    completion = ActivityCompletion.objects.of(request.user, activity)
    if completion is None:
        messages.info(request, str(completion_required("The evaluation")))
        return redirect(activity)
    questions = list(activity.evaluation_questions.all())
    context = {
        "activity": activity,
        "completion": completion,
        "evaluation": Evaluation.objects.filter(completion=completion).first(),
        "form": form or EvaluationForm(questions=questions),
        "credit_follows": credit_follows(request.user, activity),
    }
    return render(request, "cme/evaluation.html", context)


@login_required
def evaluation(request, slug):
    return _evaluation_page(request, visible_activity(request.user, slug))


@login_required_post(back=activity_page("cme:evaluation"))
def submit_evaluation(request, slug):
    activity = visible_activity(request.user, slug)
    form = EvaluationForm(request.POST, questions=list(activity.evaluation_questions.all()))
    if not form.is_valid():
        return _evaluation_page(request, activity, form)
    try:
        evaluation_submit(learner=request.user, activity=activity, answers=form.answers())
    except Refused as refusal:
        messages.info(request, str(refusal))
        return redirect("cme:evaluation", slug=slug)
    messages.success(request, "Thank you: your evaluation is recorded.")
    return redirect("cme:claim", slug=slug)


def credit_follows(learner, activity):
    """Whether claiming credit is where this learner goes next: credit is offered to them, now
    or once they have filled in the evaluation (`credit_offer` decides)."""
    try:
        credit_offer(learner=learner, activity=activity)
    except Refused as refusal:
        return refusal.code == "evaluate"
    return True


def _next_step(refusal, activity, learner):
    """What a learner refused credit can do instead: (label, URL)."""
    if refusal.code == "not_completed":
        return "Back to the activity", activity.get_absolute_url()
    if refusal.code == "evaluate":
        return "Fill in the evaluation", reverse("cme:evaluation", args=[activity.slug])
    completion = ActivityCompletion.objects.of(learner, activity)
    return "View your certificate", completion.get_absolute_url()


def _claim_page(request, activity, form=None):
    """The claim form for the credit the learner may claim now, or why there is none."""
    context = {"activity": activity}
    try:
        context["offer"] = offer = credit_offer(learner=request.user, activity=activity)
    except Refused as refusal:
        context["refusal"] = refusal
        context["next_step"] = _next_step(refusal, activity, request.user)
    else:
        context["form"] = form or ClaimForm(designation=offer.designation, learner=request.user)
        context["minutes"] = round(time_recorded(request.user, activity).total_seconds() / 60)
    return render(request, "cme/claim.html", context)


@login_required
def claim(request, slug):
    return _claim_page(request, visible_activity(request.user, slug))


@login_required_post(back=activity_page("cme:claim"))
def submit_claim(request, slug):
    activity = visible_activity(request.user, slug)
    try:
        offer = credit_offer(learner=request.user, activity=activity)
    except Refused:
        return _claim_page(request, activity)
    form = ClaimForm(request.POST, designation=offer.designation, learner=request.user)
    if not form.is_valid():
        return _claim_page(request, activity, form)
    try:
        claimed = credit_claim(learner=request.user, activity=activity, **form.claim())
    except Refused as refusal:
        messages.error(request, str(refusal))
        return redirect("cme:claim", slug=slug)
    messages.success(request, f"You have claimed {claimed.credit}. Your certificate states it.")
    return redirect(claimed.evaluation.completion)
