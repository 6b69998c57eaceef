"""A Django email backend for GOV.UK Notify, the government's notification service that
councils use instead of running their own mail servers.

Configure in production with the environment (see epep/settings/production.py):
``EMAIL_BACKEND=epep.notifications.notify.GovukNotifyEmailBackend``,
``NOTIFY_API_KEY`` and ``NOTIFY_TEMPLATE_ID``. Notify sends from templates: create one
email template whose subject is ``((subject))`` and whose body is ``((body))``.

Notify does not take arbitrary attachments, so a message's attachments (the .ics of a
meeting invitation) are not sent; every ePEP email that carries one also links to the
same file in ePEP. Use SMTP where calendar attachments are wanted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.request

from django.core.mail.backends.base import BaseEmailBackend

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.notifications.service.gov.uk"


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def notify_token(api_key: str, *, now: float | None = None) -> str:
    """The JWT Notify expects: HS256, issuer = service id, signed with the key's secret.
    An API key is ``<name>-<service id (36)>-<secret (36)>``."""
    service_id, secret = api_key[-73:-37], api_key[-36:]
    header = _b64(json.dumps({"typ": "JWT", "alg": "HS256"}, separators=(",", ":")).encode())
    payload = _b64(
        json.dumps(
            {"iss": service_id, "iat": int(now or time.time())}, separators=(",", ":")
        ).encode()
    )
    signing_input = header + b"." + payload
    signature = _b64(hmac.new(secret.encode(), signing_input, hashlib.sha256).digest())
    return (signing_input + b"." + signature).decode()


class GovukNotifyEmailBackend(BaseEmailBackend):
    def __init__(
        self,
        *,
        api_key: str = "",
        template_id: str = "",
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 10,
        fail_silently: bool = False,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.fail_silently = fail_silently
        if not api_key or not template_id:
            raise ValueError("GOV.UK Notify needs NOTIFY_API_KEY and NOTIFY_TEMPLATE_ID.")
        self.api_key = api_key
        self.template_id = template_id
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def _post(self, payload: dict) -> None:
        request = urllib.request.Request(  # noqa: S310 - the URL is our own setting
            f"{self.base_url}/v2/notifications/email",
            data=json.dumps(payload).encode(),
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {notify_token(self.api_key)}",
                "User-Agent": "epep-notify/1",
            },
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            if response.status >= 300:
                raise RuntimeError(f"GOV.UK Notify answered {response.status}")

    def send_messages(self, email_messages) -> int:
        sent = 0
        for message in email_messages:
            if message.attachments:
                logger.info("GOV.UK Notify: %d attachment(s) not sent", len(message.attachments))
            for address in message.recipients():
                try:
                    self._post(
                        {
                            "email_address": address,
                            "template_id": self.template_id,
                            "personalisation": {"subject": message.subject, "body": message.body},
                        }
                    )
                except Exception:
                    if not self.fail_silently:
                        raise
                    logger.exception("GOV.UK Notify: sending failed")
                    continue
            sent += 1
        return sent
