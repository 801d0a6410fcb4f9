"""Real local stand-ins for what advisors are notified through: an HTTP webhook receiver and
an SMTP server (aiosmtpd, in clear, with STARTTLS or in implicit TLS), each in a background
thread; a self-signed certificate for the TLS ones; and the messaging platforms' APIs
(WhatsApp, Messenger, Telegram, Twilio) that the assistant's replies are sent to."""

import datetime
import ipaddress
import itertools
import json
import ssl
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer
from pathlib import Path
from typing import NamedTuple, Optional, Tuple

from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from ops.servers import free_port


class Arrivals:
    """What a stand-in server received, and a way to await it: the server's thread notifies
    each arrival, so a test wakes as soon as what it waits for is there (no polling)."""

    def __init__(self):
        self._arrived = threading.Condition()

    def arrived(self, items: list, item) -> None:
        with self._arrived:
            items.append(item)
            self._arrived.notify_all()

    def wait_until(self, found, timeout: float):
        """found's first truthy result, or its last (falsy) one once `timeout` seconds have passed."""
        with self._arrived:
            return self._arrived.wait_for(found, timeout)


class WebhookInbox(Arrivals):
    def __init__(self):
        super().__init__()
        self.received = []
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                inbox.arrived(inbox.received, (self.headers["Content-Type"], json.loads(body)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/conseillers"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, predicate, timeout=15.0):
        return self.wait_until(lambda: [payload for _, payload in self.received if predicate(payload)], timeout)

    def stop(self):
        self.server.shutdown()


def self_signed_certificate(folder: Path, host: str = "127.0.0.1") -> Tuple[Path, Path]:
    """A certificate for `host` (and localhost) signed by its own key: (certificate, key) PEM files.
    The certificate file is also what a client trusts to verify it (SMTP_CA_FILE)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host)), x509.DNSName("localhost")]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    certificate_file, key_file = Path(folder) / "smtp-cert.pem", Path(folder) / "smtp-key.pem"
    certificate_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return certificate_file, key_file


class MailInbox(Arrivals):
    """tls: None (clear, no STARTTLS offered), "starttls" (offered, and required before MAIL) or
    "ssl" (implicit TLS); certificate: (certificate, key) files for the TLS ones."""

    def __init__(self, tls: Optional[str] = None, certificate: Optional[Tuple[Path, Path]] = None):
        super().__init__()
        self.messages = []
        options = {}
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*map(str, certificate))
            options = (
                {"tls_context": context, "require_starttls": True} if tls == "starttls" else {"ssl_context": context}
            )
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port(), **options)
        self.controller.start()
        self.port = self.controller.port

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        # What a test checks: did the message travel encrypted?
        envelope.encrypted = server.transport.get_extra_info("ssl_object") is not None
        self.arrived(self.messages, envelope)
        return "250 OK"

    def wait_for(self, predicate, timeout=15.0):
        return self.wait_until(lambda: [m for m in self.messages if predicate(m)], timeout)

    def stop(self):
        self.controller.stop()


class PlatformCall(NamedTuple):
    """One request the assistant made to a messaging platform's API, as the stand-in saw it."""

    platform: str  # "whatsapp", "messenger", "telegram" or "twilio": the first part of the path
    path: str  # the rest of the path: "/<phone number id>/messages", "/bot<token>/sendMessage"…
    query: dict
    headers: dict
    body: dict  # the JSON body, or the form fields (Twilio)

    @property
    def recipient(self) -> str:
        """Whom the message is for, as each API names it."""
        if self.platform == "whatsapp":
            return str(self.body.get("to"))
        if self.platform == "messenger":
            return str((self.body.get("recipient") or {}).get("id"))
        if self.platform == "telegram":
            return str(self.body.get("chat_id") or self.body.get("callback_query_id"))
        return str(self.body.get("To"))


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client closing its kept-alive connection is no error (aiohttp does when it is done)."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class PlatformApis(Arrivals):
    """One local HTTP server standing in for the APIs of WhatsApp (Graph API), Messenger (Send
    API), Telegram (Bot API) and Twilio (Messages resource), each under its own first path part
    (`url_of("whatsapp")`…, what the *_API_URL variables point at). It records every request and
    answers as the real API does. A WhatsApp number put in `outside_window` is refused as Meta
    refuses a free message more than 24 hours after the owner's last one (error 131047)."""

    PLATFORMS = ("whatsapp", "messenger", "telegram", "twilio")

    def __init__(self):
        super().__init__()
        self.calls: list = []
        self.outside_window: set = set()
        self._count = itertools.count(1)
        apis = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as aiohttp's session expects

            def do_POST(self):  # noqa: N802 (http.server's name)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                split = urllib.parse.urlsplit(self.path)
                platform, _, rest = split.path.lstrip("/").partition("/")
                if "form-urlencoded" in (self.headers.get("Content-Type") or ""):
                    body = dict(urllib.parse.parse_qsl(raw.decode(), keep_blank_values=True))
                else:
                    body = json.loads(raw or b"{}")
                call = PlatformCall(
                    platform, "/" + rest, dict(urllib.parse.parse_qsl(split.query)), dict(self.headers), body
                )
                status, answer = apis._answer(call)
                apis.arrived(apis.calls, call)
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url_of(self, platform: str) -> str:
        return f"{self.url}/{platform}"

    def _answer(self, call: PlatformCall):
        number = next(self._count)
        if call.platform == "whatsapp":
            if call.recipient in self.outside_window:
                return 400, {
                    "error": {
                        "message": "(#131047) Re-engagement message",
                        "type": "OAuthException",
                        "code": 131047,
                        "error_data": {
                            "messaging_product": "whatsapp",
                            "details": "Message failed to send because more than 24 hours have passed since "
                            "the customer last replied to this number.",
                        },
                        "fbtrace_id": "AbCdEfGhIjKlMnOpQrStUvW",
                    }
                }
            return 200, {
                "messaging_product": "whatsapp",
                "contacts": [{"input": call.recipient, "wa_id": call.recipient}],
                "messages": [{"id": f"wamid.HBgLMzM2MTIzNDU2NzgVAgARGBI{number:08d}"}],
            }
        if call.platform == "messenger":
            return 200, {"recipient_id": call.recipient, "message_id": f"m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_{number}"}
        if call.platform == "telegram":
            if call.path.endswith("/answerCallbackQuery"):
                return 200, {"ok": True, "result": True}
            chat = {"id": int(call.recipient), "type": "private"} if call.recipient.lstrip("-").isdigit() else {}
            message = {"message_id": number, "chat": chat, "date": 1700000000 + number}
            return 200, {"ok": True, "result": {**message, "text": call.body.get("text", "")}}
        if call.platform == "twilio":
            account = call.path.split("/")[3] if call.path.count("/") >= 4 else ""
            return 201, {
                "sid": f"SM{number:032x}",
                "account_sid": account,
                "to": call.body.get("To"),
                "from": call.body.get("From"),
                "body": call.body.get("Body"),
                "status": "queued",
                "direction": "outbound-api",
                "num_segments": "1",
            }
        return 404, {"error": "unknown platform"}

    def to(self, platform: str, recipient: str) -> list:
        """The calls made so far to one platform for one recipient, in order."""
        return [call for call in list(self.calls) if call.platform == platform and call.recipient == str(recipient)]

    def wait_for(self, predicate, timeout=30.0) -> list:
        """The calls matching `predicate` once there is one (all of them so far), else []."""
        return self.wait_until(lambda: [call for call in self.calls if predicate(call)], timeout)

    def stop(self):
        self.server.shutdown()
