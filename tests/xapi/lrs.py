"""ralph, a real LRS, for the xAPI tests: started from its own virtual environment (.lrs-venv,
built by `make test` from requirements-lrs.txt) on a free port, with its file-system backend
(run_ralph.py),
and read back through its own statements API; stopped and started again on the same port and
files as an LRS that goes down and comes back. Also what the tests put between the site and it:
a proxy that loses the LRS's first answer to each statement."""

import base64
import json
import os
import subprocess
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.test_two_servers import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
LRS_VENV = ROOT / ".lrs-venv"
USERNAME, PASSWORD = "celmod-site", "an-lrs-test-password"

HASH = (
    "import bcrypt, json, sys; json.dump([{'username': sys.argv[2], 'hash': "
    "bcrypt.hashpw(sys.argv[3].encode(), bcrypt.gensalt(4)).decode(), 'scopes': ['all'], "
    "'agent': {'mbox': 'mailto:site@example.org'}}], open(sys.argv[1], 'w'))"
)
# ralph's own xAPI model (strict: no unknown field, no empty value), for each statement read back.
VALIDATE = """
import json, sys
from pydantic import ValidationError
from ralph.models.xapi.base.statements import BaseXapiStatement
problems = []
for statement in json.load(sys.stdin):
    try:
        BaseXapiStatement.model_validate(statement)
    except ValidationError as error:
        problems.append(f"{statement.get('verb')}: {error}")
json.dump(problems, sys.stdout)
"""


def installed():
    return (LRS_VENV / ".installed-stamp").exists()


class LRS:
    def __init__(self, directory):
        self.directory = Path(directory)
        self.port = free_port()
        self.process = None
        self.auth_file = self.directory / "auth.json"
        self.store = self.directory / "fs_lrs.jsonl"
        self.store.touch()
        subprocess.run(
            [LRS_VENV / "bin" / "python", "-c", HASH, self.auth_file, USERNAME, PASSWORD],
            check=True,
        )

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}/xAPI"

    def start(self):
        env = {
            "PATH": os.environ.get("PATH", ""),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.directory),
            "RALPH_AUTH_FILE": str(self.auth_file),
            "RALPH_APP_DIR": str(self.directory / "app"),
            "RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT": "1000",
        }
        self.log = open(self.directory / "lrs.log", "ab")  # noqa: SIM115 (closed by stop)
        self.process = subprocess.Popen(
            [LRS_VENV / "bin" / "python", Path(__file__).parent / "run_ralph.py", str(self.port)],
            env=env,
            cwd=self.directory,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/__heartbeat__"):
                    return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("ralph did not start:\n" + (self.directory / "lrs.log").read_text())

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)
        self.log.close()

    def clear(self):
        self.store.write_text("")

    def _request(self, path, data=None, method="GET"):
        credentials = base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            data=data,
            method=method,
            headers={
                "Authorization": f"Basic {credentials}",
                "X-Experience-API-Version": "1.0.3",
                "Content-Type": "application/json",
            },
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()

    def statements(self):
        """Every statement the LRS holds, through its statements API (following `more`)."""
        found, path = [], "/xAPI/statements?limit=1000"
        while path:
            _, body = self._request(path)
            page = json.loads(body)
            found += page["statements"]
            path = page.get("more") or None
        return found

    def put(self, statement):
        return self._request(
            f"/xAPI/statements?statementId={statement['id']}",
            json.dumps(statement).encode(),
            method="PUT",
        )[0]


def invalid(statements):
    """What ralph's strict xAPI model finds wrong in each statement (none: an empty list)."""
    result = subprocess.run(
        [LRS_VENV / "bin" / "python", "-c", VALIDATE],
        input=json.dumps(statements),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


class LosingProxy:
    """Between the site and the LRS: passes each request on, but answers the first PUT of each
    statement with a 503 once the LRS has taken it, as when an answer is lost on the way back.
    `puts` counts the PUTs of each statement id."""

    def __init__(self, upstream_port):
        proxy = self
        self.puts = {}

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                statement_id = self.path.rsplit("statementId=", 1)[-1]
                request = urllib.request.Request(
                    f"http://127.0.0.1:{upstream_port}{self.path}",
                    data=body,
                    method="PUT",
                    headers={k: v for k, v in self.headers.items() if k.lower() != "host"},
                )
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:
                        status, answer = response.status, response.read()
                except urllib.error.HTTPError as error:
                    status, answer = error.code, error.read()
                proxy.puts[statement_id] = proxy.puts.get(statement_id, 0) + 1
                if proxy.puts[statement_id] == 1:
                    status, answer = 503, b"the answer was lost on the way back"
                self.send_response(status)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}/xAPI"

    def close(self):
        self.server.shutdown()
        self.server.server_close()
