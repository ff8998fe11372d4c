"""The sandbox provider: the default when no Twilio keys are set.

It sends nothing anywhere. Every outbound message is recorded (``SandboxOutbox``, in process and
on the message row itself), so the demo and the tests can see exactly what would have gone out,
and the staff app can simulate an inbound text through the same service a real webhook calls.
"""

from __future__ import annotations

import threading

from trunkshow.messaging.channels.base import Accepted, Outbound


class SandboxAdapter:
    name = "sandbox"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sent: dict[str, Accepted] = {}

    def send(self, message: Outbound) -> Accepted:
        with self._lock:
            # A resend of the same reference is the same message (what an idempotent provider does).
            accepted = self._sent.get(message.reference)
            if accepted is None:
                accepted = Accepted(provider=self.name, provider_id=f"SB{message.reference.replace('-', '')}")
                self._sent[message.reference] = accepted
            return accepted

    def lookup(self, reference: str) -> Accepted | None:
        with self._lock:
            return self._sent.get(reference)
