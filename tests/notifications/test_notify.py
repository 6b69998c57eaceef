"""The GOV.UK Notify email backend, against a local stand-in for Notify's API."""

import base64
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core.mail import EmailMessage

from epep.notifications.notify import GovukNotifyEmailBackend, notify_token

SERVICE_ID = "11111111-2222-3333-4444-555555555555"
SECRET = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
API_KEY = f"epep_live-{SERVICE_ID}-{SECRET}"
TEMPLATE = "99999999-8888-7777-6666-555555555555"


@pytest.fixture
def notify_server():
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, dict(self.headers), json.loads(body)))
            self.send_response(201)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"id": "x"}')

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", received
    server.shutdown()


def test_the_token_is_a_valid_hs256_jwt_for_the_service():
    token = notify_token(API_KEY, now=1_700_000_000)
    header, payload, signature = token.split(".")
    pad = lambda part: part + "=" * (-len(part) % 4)  # noqa: E731
    assert json.loads(base64.urlsafe_b64decode(pad(payload))) == {
        "iss": SERVICE_ID,
        "iat": 1_700_000_000,
    }
    expected = hmac.new(SECRET.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest()
    assert base64.urlsafe_b64decode(pad(signature)) == expected


def test_each_recipient_gets_one_notify_request_with_subject_and_body(notify_server):
    base_url, received = notify_server
    backend = GovukNotifyEmailBackend(api_key=API_KEY, template_id=TEMPLATE, base_url=base_url)
    message = EmailMessage(
        subject="PEP due for J.S.", body="Open ePEP.", to=["a@example.org", "b@example.org"]
    )
    message.attach("meeting.ics", b"BEGIN:VCALENDAR", "text/calendar")
    assert backend.send_messages([message]) == 1
    assert [r[0] for r in received] == ["/v2/notifications/email"] * 2
    path, headers, payload = received[0]
    assert headers["Authorization"].startswith("Bearer ")
    assert payload == {
        "email_address": "a@example.org",
        "template_id": TEMPLATE,
        "personalisation": {"subject": "PEP due for J.S.", "body": "Open ePEP."},
    }


def test_a_notify_failure_is_raised_so_the_outbox_retries():
    backend = GovukNotifyEmailBackend(
        api_key=API_KEY, template_id=TEMPLATE, base_url="http://127.0.0.1:9"
    )
    with pytest.raises(OSError):
        backend.send_messages([EmailMessage(subject="s", body="b", to=["a@example.org"])])


def test_it_refuses_to_start_without_its_settings():
    with pytest.raises(ValueError, match="NOTIFY_API_KEY"):
        GovukNotifyEmailBackend(api_key="", template_id="")
