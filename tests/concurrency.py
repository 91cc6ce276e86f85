"""The race harness: jobs released together on real threads, each with its own connection."""

import threading
from concurrent.futures import ThreadPoolExecutor

from django.db import connection
from django.test import Client


def run_at_once(jobs):
    """Run every job in its own thread, all released together; return their results in order."""
    barrier = threading.Barrier(len(jobs))

    def run(job):
        try:
            barrier.wait()
            return job()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def client_of(user):
    client = Client()
    client.force_login(user)
    return client


def posting(client, url, data=None):
    """A job that posts and returns the status code."""
    return lambda: client.post(url, data or {}).status_code
