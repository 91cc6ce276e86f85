"""What the server's log says about a request: its method and path, never its contents.

One line per event, whatever a request sends: control characters in any logged field (a path
with an encoded line break, say) are written escaped, so no URL can forge a line. Database
errors' details, which quote the row a form submitted ("Failing row contains (…)"), are left out
of tracebacks.
"""

import logging
import re

# Tokens that travel in paths (password reset, email change) are secrets: replaced in logs.
SECRET_PATHS = re.compile(r"(/accounts/(?:reset|email/confirm)/)[^\s?#]+")
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# PostgreSQL's details of a failed statement: the submitted row, or a key's value.
DATABASE_DETAIL = re.compile(r"(DETAIL:|Failing row contains|Key \().*")


def escaped(text):
    """`text` on one line: each control character written as an escape (\\n, \\x00)."""
    return CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode(), text)


def _clean(value):
    return escaped(SECRET_PATHS.sub(r"\1[redacted]", value)) if isinstance(value, str) else value


class RequestFilter(logging.Filter):
    """Adds `method` and `path` to every record (empty outside a request), with secrets in the
    path redacted, and redacts them from the message too (Django logs the path there)."""

    def filter(self, record):
        request = getattr(record, "request", None)
        path = getattr(request, "path", "") if request is not None else ""
        record.method = _clean(getattr(request, "method", "-")) if request is not None else "-"
        record.path = _clean(path) or "-"
        record.msg = _clean(record.msg)
        if record.args:
            record.args = tuple(
                _clean(arg)
                for arg in (record.args if isinstance(record.args, tuple) else (record.args,))
            )
        if record.exc_info and not record.exc_text:
            traceback = logging.Formatter().formatException(record.exc_info)
            record.exc_text = DATABASE_DETAIL.sub(r"\1 [left out of the log]", traceback)
        return True
