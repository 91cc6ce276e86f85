"""Posting a score to an LMS gradebook (LTI Assignment and Grade Services), for the worker: the
access token (a client-assertion JWT signed with the tool's key, exchanged at the platform's
token URL), the gradebook column's maximum, and the score."""

from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException
from pylti1p3.grade import Grade
from pylti1p3.service_connector import ServiceConnector

from .launches import TimeoutSession
from .models import SCORE_MAXIMUM


def post_score(report):
    """Send the report's score to its placement's gradebook column; returns the score given and
    the maximum it is out of. Raises on any failure (the worker retries)."""
    placement = report.placement
    registration = placement.deployment.registration
    if not (registration.is_active and placement.deployment.is_active):
        raise LtiException("The platform's registration or deployment is switched off.")
    connector = ServiceConnector(registration.to_registration(), TimeoutSession())
    service = AssignmentsGradesService(
        connector, {"scope": placement.scopes, "lineitem": placement.lineitem_url}
    )
    maximum = SCORE_MAXIMUM
    if service.can_read_lineitem():
        maximum = service.get_lineitem().get_score_maximum() or SCORE_MAXIMUM
    given = report.scaled_to(maximum)
    grade = (
        Grade()
        .set_score_given(given)
        .set_score_maximum(maximum)
        .set_activity_progress(report.activity_progress)
        .set_grading_progress(report.grading_progress)
        .set_timestamp(report.happened_at.isoformat())
        .set_user_id(placement.identity.subject)
    )
    service.put_grade(grade)
    return given, maximum
