"""An idle worker on the SQLite queue looks for new work at least once a second."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from huey import SqliteHuey


class Waits(threading.Event):
    """The worker's stop flag: records each pause instead of taking it."""

    def __init__(self) -> None:
        super().__init__()
        self.pauses: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        self.pauses.append(timeout or 0.0)
        return False


@pytest.mark.skipif(bool(settings.REDIS_URL), reason="Redis blocks on the queue instead of polling")
def test_an_idle_worker_on_the_sqlite_queue_never_pauses_more_than_a_second(tmp_path) -> None:
    huey = SqliteHuey("trunkshow", filename=str(tmp_path / "queue.sqlite3"))
    # The options `trunkshow worker` starts its consumer with (cli.cmd_worker).
    consumer = huey.create_consumer(**settings.HUEY["consumer"])
    worker = consumer._create_worker()
    worker.stop_flag = Waits()
    for _ in range(60):  # an empty queue, about a minute of backing off
        worker.loop()
    pauses = worker.stop_flag.pauses
    assert len(pauses) == 60
    assert pauses[0] == pytest.approx(0.1)
    assert max(pauses) == 1.0
    assert pauses[-20:] == [1.0] * 20
