"""Running the project's own code from the bench, each time in a child process: manage.py
commands, and the bench's scripts that work inside Django (bench/inside.py, bench/learners.py),
which print their answer as one line of JSON."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def inside(env, script, *args):
    """Run one of the bench's in-Django scripts; returns what it printed last, as JSON."""
    done = subprocess.run(
        [sys.executable, str(BENCH / script), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise RuntimeError(f"bench/{script} {' '.join(args)} failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def setup_django():
    """For the in-Django scripts: the project importable and Django set up, with the settings
    and database the bench's environment names."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
