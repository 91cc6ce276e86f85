"""What the site holds about a learner from their LMS, for the download of their data."""

from .models import Identity


def lms_identities(user):
    return [
        {
            "platform": identity.issuer,
            "your_id_there": identity.subject,
            "since": identity.created_at,
        }
        for identity in Identity.objects.filter(user=user).order_by("created_at")
    ]
