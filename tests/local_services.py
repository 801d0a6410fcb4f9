"""Real local stand-ins for what advisors are notified through: an HTTP webhook receiver and
an SMTP server (aiosmtpd), each in a background thread."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

from aiosmtpd.controller import Controller

from ops.servers import free_port


class WebhookInbox:
    def __init__(self):
        self.received = []
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                inbox.received.append((self.headers["Content-Type"], json.loads(body)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/conseillers"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, predicate, timeout=15.0):
        return wait_for(lambda: [payload for _, payload in self.received if predicate(payload)], timeout)

    def stop(self):
        self.server.shutdown()


class MailInbox:
    def __init__(self):
        self.messages = []
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())
        self.controller.start()
        self.port = self.controller.port

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append(envelope)
        return "250 OK"

    def wait_for(self, predicate, timeout=15.0):
        return wait_for(lambda: [m for m in self.messages if predicate(m)], timeout)

    def stop(self):
        self.controller.stop()


def wait_for(found, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = found()
        if result:
            return result
        time.sleep(0.2)
    return found()
