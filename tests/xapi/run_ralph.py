"""Serve ralph's LRS API on 127.0.0.1:PORT with its file-system backend; run with the Python of
.lrs-venv (`.lrs-venv/bin/python tests/xapi/run_ralph.py PORT`), configured by RALPH_* variables.

ralph 5.1.0's file-system LRS writes each statement with the `create` operation, which refuses
its file once the first statement has made it; here it appends, as an LRS keeps statements."""

import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

if __name__ == "__main__":
    uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
