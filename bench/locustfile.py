"""Simulated learners writing, for `make bench` (run by bench/served.py, one write at a time).

BENCH_SCENARIO names the write every simulated visitor makes, as fast as it can: complete (the
first lesson), vote (the poll at Your Thoughts), submit (the knowledge check) or claim (credit).
Each request is made by the next learner of the plan's list for that write (BENCH_PLAN, written
by bench/learners.py), who has not made it yet, so that every request does the real write; the
run ends early when the list does. A write counts as done when its page redirects where it
sends a learner after success ("lands"); anything else is a failure.
"""

import json
import os
from http.cookiejar import Cookie
from pathlib import Path

from locust import FastHttpUser, constant, task

SCENARIO = os.environ["BENCH_SCENARIO"]
WRITE = json.loads(Path(os.environ["BENCH_PLAN"]).read_text(encoding="utf-8"))["writes"][SCENARIO]
WRITERS = iter(WRITE["sessions"])
CSRF = "benchmarkcsrftoken0123456789abcd"  # any 32 letters or digits, sent as cookie and header


def cookie(name, value):
    return Cookie(
        0,
        name,
        value,
        None,
        False,
        "127.0.0.1",
        False,
        False,
        "/",
        True,
        False,
        None,
        True,
        None,
        None,
        {},
    )


class Learner(FastHttpUser):
    wait_time = constant(0)

    @task
    def write(self):
        session = next(WRITERS, None)
        if session is None:
            self.environment.runner.quit()
            return
        self.client.cookiejar.clear()
        self.client.cookiejar.set_cookie(cookie("sessionid", session))
        self.client.cookiejar.set_cookie(cookie("csrftoken", CSRF))
        with self.client.post(
            WRITE["path"],
            data=WRITE["data"],
            headers={"X-CSRFToken": CSRF},
            allow_redirects=False,
            name=SCENARIO,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code != 302:
                response.failure(f"status {response.status_code}")
            elif not location.startswith(WRITE["lands"]):
                response.failure(f"redirected to {location}, not {WRITE['lands']}")
