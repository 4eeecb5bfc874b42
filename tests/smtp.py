"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import asyncio
import email
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Mailbox:
    """What the server accepted. ``delay`` seconds pass before each answer to DATA (a slow
    server); the first ``refuse`` messages get a temporary error (451) and are kept in
    ``refused`` instead; ``on_data`` is called with each message before it is answered."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)
    refused: list[EmailMessage] = field(default_factory=list)
    delay: float = 0.0
    refuse: int = 0
    on_data: Callable[[EmailMessage], None] | None = None
    unknown: set[str] = field(default_factory=set)  # recipients refused with 550

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address in self.unknown:  # the reply names the address, as real servers' do
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(message, EmailMessage)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.on_data is not None:
            self.on_data(message)
        if len(self.refused) < self.refuse:
            self.refused.append(message)
            return "451 Try again later"
        self.messages.append(message)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(
    *,
    delay: float = 0.0,
    refuse: int = 0,
    on_data: Callable[[EmailMessage], None] | None = None,
) -> Iterator[Mailbox]:
    mailbox = Mailbox(port=free_port(), delay=delay, refuse=refuse, on_data=on_data)
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()
