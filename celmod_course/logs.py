"""What the server's log says about a request: its method and path, never its contents."""

import logging
import re

# Tokens that travel in paths (password reset, email change) are secrets: replaced in logs.
SECRET_PATHS = re.compile(r"(/accounts/(?:reset|email/confirm)/)[^\s?#]+")


class RequestFilter(logging.Filter):
    """Adds `method` and `path` to every record (empty outside a request), with secrets in the
    path redacted, and redacts them from the message too (Django logs the path there)."""

    def filter(self, record):
        request = getattr(record, "request", None)
        path = getattr(request, "path", "") if request is not None else ""
        record.method = getattr(request, "method", "-") if request is not None else "-"
        record.path = SECRET_PATHS.sub(r"\1[redacted]", path) or "-"
        if isinstance(record.msg, str):
            record.msg = SECRET_PATHS.sub(r"\1[redacted]", record.msg)
        if record.args:
            record.args = tuple(
                SECRET_PATHS.sub(r"\1[redacted]", arg) if isinstance(arg, str) else arg
                for arg in (record.args if isinstance(record.args, tuple) else (record.args,))
            )
        return True
