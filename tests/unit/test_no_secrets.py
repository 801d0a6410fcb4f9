"""No secret in the repository (SPEC section 9): every secret comes from the environment.

Scans every file git tracks, plus new files not yet added (untracked and not ignored),
for things that look like credentials: private keys, cloud and chat-platform tokens,
literal high-entropy values assigned to password/secret/token-like names, and committed
`.env` or key files. Standard library only; the scan takes well under a second.

A finding that is a deliberate test fixture goes in ALLOWED, with its reason; keep that
list as short as possible. Sample secrets in this file are assembled at run time so that
the file itself never holds one.
"""

import math
import re
import string
import subprocess
from collections import Counter
from pathlib import Path
from typing import Iterable, List, NamedTuple, Optional

import pytest

REPO = Path(__file__).resolve().parents[2]

# (path relative to the repository root, rule name) -> why the finding is not a secret.
ALLOWED = {}

# Rules: name -> (pattern, characters that must not come just before a match). Patterns
# start with a literal where they can, which keeps the regex engine fast; the word
# boundary before the match is checked in scan_text.
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
PATTERNS = {
    "private_key": (re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"), ""),
    "aws_access_key": (re.compile(r"A[KS]IA[0-9A-Z]{16}(?![0-9A-Za-z])"), ALNUM),
    "slack_token": (re.compile(r"xox[baprs]-[0-9]+-[0-9A-Za-z-]{8,}"), ALNUM + "_"),
    "slack_webhook": (re.compile(r"hooks\.slack\.com/services/T[0-9A-Z]+/B[0-9A-Z]+/[0-9A-Za-z]{16,}"), ""),
    "telegram_bot_token": (re.compile(r"[0-9]{8,10}:[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])"), "0123456789"),
    "twilio_account_sid": (re.compile(r"AC[0-9a-f]{32}(?![0-9A-Za-z_])"), ALNUM + "_"),
    "twilio_api_key": (re.compile(r"SK[0-9a-f]{32}(?![0-9A-Za-z_])"), ALNUM + "_"),
    "meta_access_token": (re.compile(r"EAA[A-Za-z0-9]{100,}"), ALNUM),
    "url_with_password": (re.compile(r"://[^/\s:@'\"]+:([^/\s:@'\"$<{]{8,})@"), ""),
}
# Passwords in URLs that only local throwaway databases and brokers use.
LOCAL_DEFAULT_PASSWORDS = {"postgres", "password", "changeme", "guest", "admin", "root", "secret", "example"}

# `name = "value"`, `name: value`, `"name": "value"`, `name => value` where the name looks
# like a credential; the value is then judged by looks_random(). Only lines holding one
# of NAME_HINTS (lower-cased) are matched against ASSIGNMENT.
NAME_HINTS = ("passw", "pwd", "secret", "token", "key", "credential")
SECRET_NAME = r"[A-Za-z0-9_.-]*(?:passw(?:or)?d|pwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|credentials?)[A-Za-z0-9_.-]*"
ASSIGNMENT = re.compile(
    r"(?i)(?<![A-Za-z0-9_])"
    + SECRET_NAME
    + r"""["']?[ \t]*(?::|=>|=|:=)[ \t]*(?:[rbuRBU]?["'])?([A-Za-z0-9+/=_.~!@#%^&*?|-]{12,})(?=["'`\s,;)}\]]|$)"""
)
# Values that name where a secret comes from rather than holding it.
INDIRECTION = re.compile(
    r"(?i)\$|%\(|\{\{|<|os\.environ|getenv|environ\[|example|changeme|placeholder|your[_-]|xxxx|\*\*\*|\.\.\."
)

SECRET_FILE_NAMES = re.compile(
    r"(?:^|/)(?:\.env(?:\.(?!example$|sample$|template$|dist$)[^/]+)?|id_(?:rsa|dsa|ecdsa|ed25519)|[^/]+\.(?:pem|key|p12|pfx|jks|keystore))$"
)
MAX_BYTES = 2_000_000
# Lower-cases ASCII only, so that offsets in the lowered text are offsets in the text.
ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


class Finding(NamedTuple):
    path: str
    line: int
    rule: str
    excerpt: str


def shannon_entropy(value: str) -> float:
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


def looks_random(value: str) -> bool:
    """A literal that could be a generated credential: 12+ chars, mixed, high entropy."""
    if len(value) < 12 or INDIRECTION.search(value):
        return False
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*\(?", value) and not re.search(r"\d", value):
        return False  # an identifier, attribute path or call: code, not a literal
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]", r"[^A-Za-z0-9]"))
    if classes < 2 or not re.search(r"\d", value):
        return False
    return shannon_entropy(value) >= 3.0


def _finding(text: str, path: str, rule: str, start: int, end: int) -> Finding:
    """A finding whose excerpt shows what precedes the secret and only its first characters."""
    line_start = text.rfind("\n", 0, start) + 1
    secret = text[start:end]
    shown = secret[:4] + "…" if len(secret) > 4 else secret
    excerpt = (text[max(line_start, start - 30) : start] + shown).strip()
    return Finding(path, text.count("\n", 0, start) + 1, rule, excerpt)


def scan_text(text: str, path: str = "<text>") -> List[Finding]:
    """Every secret-looking thing in text, one Finding per match, in line order."""
    findings = []
    for rule, (pattern, not_before) in PATTERNS.items():
        for match in pattern.finditer(text):
            start = match.start()
            if start and text[start - 1] in not_before:
                continue
            if match.groups():
                value = match.group(1)
                if value.lower() in LOCAL_DEFAULT_PASSWORDS or INDIRECTION.search(value):
                    continue
            findings.append(_finding(text, path, rule, start, match.end()))
    lowered = text.translate(ASCII_LOWER)
    line_starts = set()
    for hint in NAME_HINTS:
        position = lowered.find(hint)
        while position != -1:
            line_starts.add(lowered.rfind("\n", 0, position) + 1)
            position = lowered.find(hint, position + 1)
    for line_start in sorted(line_starts):
        line_end = text.find("\n", line_start)
        line_end = len(text) if line_end == -1 else line_end
        for match in ASSIGNMENT.finditer(text, line_start, line_end):
            if looks_random(match.group(1)):
                findings.append(_finding(text, path, "literal_secret", match.start(1), match.end(1)))
    return sorted(findings, key=lambda finding: finding.line)


def scan_path_name(path: str) -> Optional[Finding]:
    if SECRET_FILE_NAMES.search(path):
        return Finding(path, 0, "secret_file", path)
    return None


def repository_files() -> List[str]:
    """Files git tracks, and new files not ignored (so a secret is caught before it is added)."""
    output = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        check=True,
        capture_output=True,
    ).stdout
    return sorted({name for name in output.decode("utf-8", "surrogateescape").split("\0") if name})


def scan_repository(paths: Iterable[str]) -> List[Finding]:
    findings = []
    for relative in paths:
        named = scan_path_name(relative)
        if named:
            findings.append(named)
        path = REPO / relative
        if not path.is_file() or path.is_symlink():
            continue
        data = path.read_bytes()[:MAX_BYTES]
        if b"\0" in data[:8192]:
            continue  # binary (images)
        findings.extend(scan_text(data.decode("utf-8", "replace"), relative))
    return findings


# ------------------------------------------------------------------ the repository


def test_repository_holds_no_secret():
    files = repository_files()
    assert len(files) > 50, "git ls-files found too few files: not run inside the repository?"
    findings = [f for f in scan_repository(files) if (f.path, f.rule) not in ALLOWED]
    report = "\n".join(f"{f.path}:{f.line}: {f.rule}: {f.excerpt}" for f in findings)
    assert not findings, "Possible secrets (move them to the environment, or allow-list a fixture):\n" + report


def test_allow_list_names_files_of_the_repository():
    files = set(repository_files())
    for (path, rule), reason in ALLOWED.items():
        assert path in files, path
        assert rule in set(PATTERNS) | {"literal_secret", "secret_file"}, rule
        assert reason.strip(), path


# ------------------------------------------------------------------ the scanner itself
# Samples are assembled so that this file holds no secret-looking literal.

AWS = "AKIA" + "Q3EXAMPLE7KEYZ42"
TELEGRAM = "123456789" + ":" + "AAH7f0x9-Zq2LwYtR4bK8sVd1mNcPe6uJgW"
SLACK = "xoxb" + "-2481632641-1357913579246-" + "Zk8Qw3Rt5Yu7Io9P"
TWILIO_SID = "AC" + "0123456789abcdef" * 2
TWILIO_KEY = "SK" + "fedcba9876543210" * 2
META = "EAA" + "Bw3ZCq9ZAkKx7pQ" * 8
PRIVATE_KEY = "-----BEGIN " + "OPENSSH PRIVATE KEY-----"
RANDOM_VALUE = "q7" + "Xv9LmT2rWz8KpB4n"


@pytest.mark.parametrize(
    "text, rule",
    [
        (PRIVATE_KEY + "\nb3BlbnNzaC1rZXktdjEAAAAA\n", "private_key"),
        ("-----BEGIN " + "RSA PRIVATE KEY-----", "private_key"),
        ("-----BEGIN " + "PRIVATE KEY-----", "private_key"),
        ("aws_id = " + AWS, "aws_access_key"),
        ("SLACK=" + SLACK, "slack_token"),
        (
            "url: https://hooks.slack.com/services/" + "T0123ABCD/B0456EFGH/" + "aB3dE5fG7hI9jK1lM3nO5pQ7",
            "slack_webhook",
        ),
        ("telegram:\n  access_token: " + TELEGRAM, "telegram_bot_token"),
        ("account_sid: " + TWILIO_SID, "twilio_account_sid"),
        ("key " + TWILIO_KEY, "twilio_api_key"),
        ("page_access_token = '" + META + "'", "meta_access_token"),
        ('password = "' + RANDOM_VALUE + '"', "literal_secret"),
        ("client_secret: " + RANDOM_VALUE, "literal_secret"),
        ('{"api_key": "' + RANDOM_VALUE + '"}', "literal_secret"),
        ("DB_PASSWORD=" + RANDOM_VALUE, "literal_secret"),
        ("TEST_POSTGRES_URL=postgresql://app:" + RANDOM_VALUE + "@db:5432/x", "url_with_password"),
        ("amqp://bot:" + "s3cr3t-broker" + "@rabbit:5672", "url_with_password"),
    ],
)
def test_scanner_finds_a_secret(text, rule):
    assert rule in {finding.rule for finding in scan_text(text)}


@pytest.mark.parametrize(
    "text",
    [
        'password = os.environ["ADVISOR_PASSWORD"]',
        "access_token: ${TELEGRAM_TOKEN}",
        'secret = secret_from("WIDGET_SESSION_SECRET", "widget-session-secret")',
        "token_digest=_digest(token), advisor_id=account.id",
        "password_hash = Column(String(200), nullable=False)",
        'token = "your-token-here-please"',
        "auth_token: <TWILIO_AUTH_TOKEN>",
        "api_key: changeme-1234567890",
        "password: short1",
        "MIN_PASSWORD_LENGTH = 10",
        "POSTGRES_URL = postgresql://postgres@127.0.0.1:5432/test",
        "http://user:${PASSWORD}@host/",
        "postgresql://postgres:postgres@127.0.0.1:5432/test",
        "id = BACKAKIA" + "ABCDEFGHIJKLMNOP",
        "hash: 0AC" + "0123456789abcdef" * 2,
        "A Slack token starts with xoxb- and a key with AKIA.",
        "secret: a-plain-sentence-of-words",
    ],
)
def test_scanner_ignores_indirections_and_code(text):
    assert scan_text(text) == []


def test_scanner_reports_path_and_line_without_printing_the_secret():
    findings = scan_text("line one\npassword: " + RANDOM_VALUE + "\n", "settings.yml")
    assert [(f.path, f.line, f.rule) for f in findings] == [("settings.yml", 2, "literal_secret")]
    assert RANDOM_VALUE not in findings[0].excerpt


@pytest.mark.parametrize("path", [".env", "ops/.env", ".env.production", "deploy/server.pem", "keys/id_rsa", "tls.key"])
def test_committed_env_and_key_files_are_findings(path):
    assert scan_path_name(path) == Finding(path, 0, "secret_file", path)


@pytest.mark.parametrize(
    "path", [".env.example", "docs/env.md", "credentials.yml", "bot/language/keywords.py", "src/.envrc.md"]
)
def test_ordinary_file_names_are_not_findings(path):
    assert scan_path_name(path) is None


def test_scanner_line_numbers_survive_non_ascii_text():
    text = "İstanbul ÉTÉ ß\n" * 3 + "token: " + RANDOM_VALUE
    assert [(f.line, f.rule) for f in scan_text(text)] == [(4, "literal_secret")]


def test_entropy():
    assert shannon_entropy("aaaaaaaaaaaa") == 0
    assert shannon_entropy(RANDOM_VALUE) > 3.5
