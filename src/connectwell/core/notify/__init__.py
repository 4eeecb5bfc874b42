"""The notification port (see :mod:`.port`): ``tell(session, people, kind, **context)``.

- :mod:`.port`: :func:`tell`, the one function services call;
- :mod:`.render`: the template environment, the filters and the renderer of each channel;
- :mod:`.models`: the inbox and outbox rows;
- :mod:`.delivery`: reading the inbox, and sending the outbox over SMTP.
"""

from connectwell.core.notify.delivery import (
    MAX_ATTEMPTS,
    DeliveryReport,
    build_email,
    deliver_pending,
    inbox,
    mark_read,
    outbox,
    unread_count,
)
from connectwell.core.notify.models import Notification, OutboxEmail
from connectwell.core.notify.port import Attachment, message_context, tell
from connectwell.core.notify.render import (
    CHANNELS,
    Recipient,
    Rendered,
    UnknownMessageKind,
    kinds,
    render,
)

__all__ = [
    "CHANNELS",
    "MAX_ATTEMPTS",
    "Attachment",
    "DeliveryReport",
    "Notification",
    "OutboxEmail",
    "Recipient",
    "Rendered",
    "UnknownMessageKind",
    "build_email",
    "deliver_pending",
    "inbox",
    "kinds",
    "mark_read",
    "message_context",
    "outbox",
    "render",
    "tell",
    "unread_count",
]
