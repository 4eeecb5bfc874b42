"""An SMTP sink on loopback (aiosmtpd, like tests/smtp.py) that records each message's
recipients and Message-ID."""

from __future__ import annotations

import email
import threading
from dataclasses import dataclass, field
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Received:
    message_id: str
    recipients: tuple[str, ...]
    to_header: str


@dataclass
class Sink:
    port: int
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=default)
        item = Received(
            message_id=str(message.get("Message-ID", "")).strip(),
            recipients=tuple(r.lower() for r in envelope.rcpt_tos),
            to_header=str(message.get("To", "")),
        )
        with self.lock:
            self.received.append(item)
        return "250 OK"


class SmtpSink:
    """Start with ``start()``; ``sink.received`` holds what arrived."""

    def __init__(self, port: int) -> None:
        self.sink = Sink(port=port)
        self._controller = Controller(self.sink, hostname="127.0.0.1", port=port)

    def start(self) -> None:
        self._controller.start()

    def stop(self) -> None:
        self._controller.stop(no_assert=True)
