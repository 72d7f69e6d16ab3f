"""Mail backends of our own."""

from __future__ import annotations

import os
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.core.mail import EmailMessage, InvalidMailer
from django.core.mail.backends.base import BaseEmailBackend


class OneFilePerMessageBackend(BaseEmailBackend):
    """Write each message as one RFC 5322 ``.eml`` file (demos and black-box tests)."""

    def __init__(self, *, directory: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not directory:
            raise InvalidMailer("OPTIONS must define 'directory'.", alias=kwargs.get("alias"))
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = 0
        for message in email_messages:
            name = f"{uuid.uuid4().hex}.eml"
            tmp = self.directory / f".{name}.tmp"
            tmp.write_bytes(message.message().as_bytes())
            # Rename so a reader polling the directory never sees half a message.
            os.replace(tmp, self.directory / name)
            sent += 1
        return sent
