"""Real local stand-ins for what advisors are notified through: an HTTP webhook receiver and
an SMTP server (aiosmtpd, in clear, with STARTTLS or in implicit TLS), each in a background
thread; and a self-signed certificate for the TLS ones."""

import datetime
import ipaddress
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Optional, Tuple

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
