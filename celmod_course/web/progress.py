"""My progress: every activity's state for the learner, and their CME transcript."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from celmod_course.cme.progress import TRANSCRIPT_CSV_HEADER, Progress, State, Transcript
from lessons.models import Activity

from .downloads import stream_csv
from .pdf import pdf_response


@login_required
def my_progress(request):
    progresses = Progress.for_activities(request.user, list(Activity.objects.published()))
    completed_count = sum(1 for progress in progresses if progress.state == State.COMPLETED)
    transcript = Transcript.for_completions([p.completion for p in progresses if p.completion])
    context = {
        "progresses": progresses,
        "completed_count": completed_count,
        "transcript": transcript,
    }
    return render(request, "cme/my_progress.html", context)


@login_required
def transcript_csv(request):
    rows = Transcript.for_learner(request.user).csv_rows()
    return stream_csv("cme-transcript.csv", TRANSCRIPT_CSV_HEADER, rows)


@login_required
def transcript_pdf(request):
    learner = request.user
    context = {
        "transcript": Transcript.for_learner(learner),
        "name": learner.full_name,
        "profession": learner.get_profession_display(),
        "today": timezone.localdate(),
    }
    return pdf_response(request, "cme/pdf/transcript.html", context, "cme-transcript.pdf")
