"""Benchmark: how long a task waits in the SQLite queue for an idle worker.

    uv run python bench/worker_wakeup.py --data-dir /tmp/ts-wakeup [--idle 30] [--tasks 5]

One real worker process (``trunkshow worker``, Huey on the data dir's queue file, no ``REDIS_URL``)
is left idle for ``--idle`` seconds, then a task is enqueued from this process and timed until the
worker has taken it from the queue (the queue is empty again; the task is the imports' recovery,
which on an empty book takes milliseconds). This repeats ``--tasks`` times, each after the same
idle wait, and prints every wait and the worst.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--idle", type=float, default=30.0, help="seconds the worker sits idle before each task")
    parser.add_argument("--tasks", type=int, default=5)
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    env = {**os.environ, "TRUNKSHOW_DATA_DIR": str(args.data_dir), "TRUNKSHOW_TASKS_IMMEDIATE": "false"}
    env.pop("REDIS_URL", None)
    env.pop("DATABASE_URL", None)
    os.environ.update(env)
    subprocess.run([sys.executable, "-m", "trunkshow.cli", "migrate"], env=env, check=True, capture_output=True)
    worker = subprocess.Popen(
        [sys.executable, "-m", "trunkshow.cli", "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        import django

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trunkshow.settings")
        django.setup()
        from django.conf import settings
        from huey.contrib.djhuey import HUEY

        from trunkshow.customers.tasks import imports_recover_task

        consumer = settings.HUEY.get("consumer", {})
        print(f"consumer settings: {consumer}")
        waits = []
        for i in range(args.tasks):
            time.sleep(args.idle)
            start = time.monotonic()
            imports_recover_task()
            while HUEY.pending_count():
                time.sleep(0.005)
            waits.append(time.monotonic() - start)
            print(f"task {i + 1}: enqueued to started in {waits[-1]:.2f} s after {args.idle:.0f} s idle")
        print(f"worst {max(waits):.2f} s, mean {sum(waits) / len(waits):.2f} s")
    finally:
        worker.terminate()
        worker.wait(10)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
