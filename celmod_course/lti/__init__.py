"""LTI 1.3: the activity launched from a learner's LMS (OIDC login, launch, deep linking) and the
learner's score sent back to the LMS gradebook (Assignment and Grade Services) by the task
queue's worker. Platform registrations, deployments and the tool's keys are django-lti's
(`lti_tool`); the LTI messages are PyLTI1p3's. See docs/lti.md."""
