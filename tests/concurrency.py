"""The race harness: jobs released together on real threads, each with its own connection; on
PostgreSQL, also jobs held at a lock and let go together."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from django.db import connection, transaction
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


WAITING = """
    SELECT pid, backend_xid IS NOT NULL FROM pg_stat_activity
    WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()
"""


def run_held(lock_sql, jobs, params=(), timeout=20):
    """PostgreSQL: run the jobs in threads while this connection holds a lock (`lock_sql`, or a
    function that takes it, such as a service run in this transaction), and let them go
    together once every job is waiting on a lock; return their results in order.

    Whatever each job does before it needs what is held happens first, so the jobs then meet at
    the same point every run, not by chance. Also returns, per waiting job, whether it had
    written anything (a transaction id) by the time it waited.
    """
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        with transaction.atomic(), connection.cursor() as cursor:
            if callable(lock_sql):
                lock_sql()
            else:
                cursor.execute(lock_sql, params)
            futures = [pool.submit(_closing, job) for job in jobs]
            deadline = time.monotonic() + timeout
            while True:
                # A transaction sees one snapshot of the statistics unless it asks anew.
                cursor.execute("SELECT pg_stat_clear_snapshot()")
                cursor.execute(WAITING)
                waiting = cursor.fetchall()
                if len(waiting) >= len(jobs) or any(f.done() for f in futures):
                    break
                assert time.monotonic() < deadline, f"only {len(waiting)} jobs came to wait"
                time.sleep(0.02)
        return [future.result() for future in futures], [wrote for _, wrote in waiting]


def _closing(job):
    try:
        return job()
    finally:
        connection.close()
