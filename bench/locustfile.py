"""Simulated learners for `make bench` (run by bench/bench.py, one scenario at a time).

BENCH_SCENARIO picks what every simulated visitor does, as fast as it can: baseline
(GET /health/), reader-lesson (a lesson page without an account), lesson and overview (GET,
logged in), or vote (POST, each by a learner who has not answered yet, so every request does
the real insert).
"""

import json
import os
import random
from http.cookiejar import Cookie
from pathlib import Path

from locust import FastHttpUser, constant, task

SCENARIO = os.environ["BENCH_SCENARIO"]
PLAN = json.loads(Path(os.environ["BENCH_PLAN"]).read_text(encoding="utf-8"))
VOTERS = iter(PLAN["voters"])
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

    def on_start(self):
        if SCENARIO != "reader-lesson":
            self.client.cookiejar.set_cookie(cookie("sessionid", random.choice(PLAN["readers"])))

    @task
    def act(self):
        if SCENARIO == "vote":
            self.vote()
        else:
            path = PLAN["paths"][SCENARIO]
            with self.client.get(path, name=SCENARIO, catch_response=True) as response:
                if response.status_code != 200:
                    response.failure(f"status {response.status_code}")

    def vote(self):
        session = next(VOTERS, None)
        if session is None:
            self.environment.runner.quit()
            return
        self.client.cookiejar.clear()
        self.client.cookiejar.set_cookie(cookie("sessionid", session))
        self.client.cookiejar.set_cookie(cookie("csrftoken", CSRF))
        with self.client.post(
            PLAN["paths"]["vote"],
            data=PLAN["vote_data"],
            headers={"X-CSRFToken": CSRF},
            allow_redirects=False,
            name="vote",
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"status {response.status_code}")
