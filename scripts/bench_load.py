"""The load of `make bench` (scripts/benchmark.py): business owners doing whole diagnostics
through the REST channel, as many at once as asked, each sending its next message as soon as
the previous reply arrived (closed loop).

One owner's diagnostic: a greeting, the diagnostic asked for in words, the profile (trade,
headcount, town) in words, the 15 questions answered mostly by clicking one of the buttons the
bot offers (their payloads, read from the reply as a widget does) and a few in free text
(« je sais pas », a sentence), then the results asked for and a goodbye. The owner reacts to
what the bot says, the same way whichever assistant answers: a question asked again gets a
button, a turn without a question gets a click on the buttons still shown. Each choice comes
from a random generator seeded by the owner's place in the phase, so that ours and vanilla see
the same owners.

The conversation is complete when the bot has shown the results (the score card the results
turn sends, or its headline) and the goodbye got an answer.
"""

import asyncio
import json
import os
import random
import resource
import time
import uuid
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import aiohttp

from bot.diagnostic.questionnaire import load_questionnaire
from bot.messages import message

QUESTIONNAIRE = load_questionnaire()
PROFILE_SLOTS = tuple(question.id for question in QUESTIONNAIRE.profile)
# What the bot says when it asks (or asks again) each profile question and each of the 15.
ASKS: List[Tuple[str, str]] = [(question.text, question.id) for question in QUESTIONNAIRE.profile]
ASKS += [(message(f"diagnostic.hint_{slot}"), slot) for slot in PROFILE_SLOTS]
ASKS += [(question.text, question.id) for question in QUESTIONNAIRE.questions]
# The results turn sends a score card (a custom message) and this headline, for both assistants:
# the results come from the same action server.
RESULT_CARD_TYPE = "diagnostic_result"
RESULT_HEADLINE = message("results.headline", score="", level="").split(":")[0]
START_PAYLOAD = "/start_diagnostic"
# More than this many messages in one conversation: the owner gives up (not completed).
MAX_MESSAGES = 60

GREETINGS = ["bonjour", "Bonjour !", "salut", "bonjour madame"]
DIAGNOSTIC_REQUESTS = [
    "je voudrais faire le diagnostic de mon entreprise",
    "on peut faire le point sur le numérique dans ma boîte ?",
    "je veux faire le diagnostic",
    "je voudrais savoir où j'en suis avec le numérique",
]
PROFILES = [
    ("je suis boulanger", "moi et deux salariés", "à Nantes"),
    ("on a un salon de coiffure", "on est 4", "Lyon"),
    ("je suis plombier", "je travaille seul", "dans le 59"),
    ("nous avons un restaurant", "une dizaine de personnes", "Bordeaux"),
    ("je vends des vêtements dans une boutique", "3 personnes", "à Rennes"),
    ("je suis infirmière libérale", "seule", "Toulouse"),
]
# Typed answers, by question: each owner types three of its fifteen answers.
SENTENCES = {
    "q_digital_benefit": "oui clairement",
    "q_connection": "on a la fibre",
    "q_cloud_services": "une messagerie pro et google drive",
    "q_reviews": "de temps en temps",
    "q_invoicing": "avec un logiciel de facturation",
    "q_backup": "sur une clé usb que je ramène chez moi",
    "q_training": "des tutos youtube",
    "q_ai_use": "chatgpt de temps en temps",
}
DONT_KNOW = ["je sais pas", "aucune idée", "je ne sais pas trop"]
RESULTS_REQUEST = "je voudrais voir mes résultats"
GOODBYE = "merci, au revoir"


@dataclass
class Outcome:
    """One message: its latency, and what went wrong if anything."""

    seconds: float
    replies: Optional[list]
    error: Optional[str] = None  # http_<status>, timeout, connection, empty


@dataclass
class PhaseStats:
    label: str
    concurrency: int
    latencies: List[float] = field(default_factory=list)
    errors: Dict[str, int] = field(default_factory=dict)
    sent: int = 0
    answered: int = 0
    started: int = 0
    completed: int = 0
    incomplete_senders: List[str] = field(default_factory=list)
    messages_per_completed: List[int] = field(default_factory=list)
    recoveries: int = 0  # moves off the owner's plan: a button after an unread answer, a repeated request…
    wall_seconds: float = 0.0
    client_cpu_seconds: float = 0.0
    first_latency: Optional[float] = None

    def record(self, outcome: Outcome) -> None:
        self.sent += 1
        if self.first_latency is None:
            self.first_latency = outcome.seconds
        if outcome.error is None or outcome.error == "empty":
            self.latencies.append(outcome.seconds)
        if outcome.error is None:
            self.answered += 1
        else:
            self.errors[outcome.error] = self.errors.get(outcome.error, 0) + 1

    def summary(self) -> dict:
        ordered = sorted(self.latencies)
        error_count = sum(self.errors.values()) + (self.started - self.completed)
        return {
            "label": self.label,
            "concurrency": self.concurrency,
            "p50_ms": percentile(ordered, 50) * 1000 if ordered else None,
            "p95_ms": percentile(ordered, 95) * 1000 if ordered else None,
            "max_ms": ordered[-1] * 1000 if ordered else None,
            "messages_per_second": self.answered / self.wall_seconds if self.wall_seconds else None,
            "sent": self.sent,
            "answered": self.answered,
            "errors": error_count,
            "error_kinds": dict(self.errors, **({"incomplete": self.started - self.completed} if error_count else {})),
            "conversations": self.started,
            "completed": self.completed,
            "incomplete_senders": self.incomplete_senders[:20],
            "messages_per_diagnostic": (
                sum(self.messages_per_completed) / len(self.messages_per_completed)
                if self.messages_per_completed
                else None
            ),
            "recoveries": self.recoveries,
            "wall_seconds": self.wall_seconds,
            "client_cpu_seconds": self.client_cpu_seconds,
            "first_reply_ms": self.first_latency * 1000 if self.first_latency is not None else None,
            "latencies_ms": [round(value * 1000, 1) for value in self.latencies],
        }


def percentile(ordered: Sequence[float], rank: float) -> float:
    """Nearest-rank percentile of sorted values."""
    index = max(0, min(len(ordered) - 1, int(-(-rank * len(ordered) // 100)) - 1))
    return ordered[index]


class RestClient:
    def __init__(self, session: aiohttp.ClientSession, base_url: str, timeout: float):
        self.session, self.url = session, f"{base_url}/webhooks/rest/webhook"
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        # Where the REST channel asks for a token (production), the owners' client sends it.
        token = os.environ.get("REST_CHANNEL_TOKEN")
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    async def send(self, sender: str, text: str) -> Outcome:
        start = time.perf_counter()
        try:
            async with self.session.post(
                self.url, json={"sender": sender, "message": text}, headers=self.headers, timeout=self.timeout
            ) as response:
                body = await response.read()
                seconds = time.perf_counter() - start
                if response.status != 200:
                    return Outcome(seconds, None, f"http_{response.status}")
                replies = json.loads(body)
        except asyncio.TimeoutError:
            return Outcome(time.perf_counter() - start, None, "timeout")
        except (aiohttp.ClientError, ValueError):
            return Outcome(time.perf_counter() - start, None, "connection")
        if not isinstance(replies, list) or not replies:
            return Outcome(seconds, replies, "empty")
        return Outcome(seconds, replies)


def shows_results(replies: list) -> bool:
    for reply in replies:
        custom = reply.get("custom")
        if isinstance(custom, dict) and custom.get("type") == RESULT_CARD_TYPE:
            return True
        if (reply.get("text") or "").startswith(RESULT_HEADLINE):
            return True
    return False


def asked(replies: list) -> Optional[str]:
    """The profile slot or question the reply asks (its last one), if any."""
    found, where = None, -1
    text = "\n".join(reply.get("text") or "" for reply in replies)
    for question_text, slot in ASKS:
        position = text.rfind(question_text)
        if position > where:
            found, where = slot, position
    return found


def buttons(replies: list) -> List[dict]:
    return [button for reply in replies for button in reply.get("buttons") or [] if button.get("payload")]


class Owner:
    """One business owner doing one whole diagnostic."""

    def __init__(self, client: RestClient, sender: str, seed: str, stats: PhaseStats):
        self.client, self.sender, self.stats = client, sender, stats
        self.rng = random.Random(seed)
        self.profile = dict(zip(PROFILE_SLOTS, self.rng.choice(PROFILES), strict=True))
        typed = self.rng.sample(sorted(SENTENCES), 2)
        others = [question_id for question_id in QUESTIONNAIRE.question_ids if question_id not in typed]
        self.typed = {question_id: SENTENCES[question_id] for question_id in typed}
        self.typed[self.rng.choice(others)] = self.rng.choice(DONT_KNOW)
        self.messages = 0
        self.results_seen = False
        self.last_buttons: List[dict] = []
        self.tries: Dict[str, int] = {}

    async def say(self, text: str) -> Optional[list]:
        """The bot's replies; None when the conversation cannot go on (HTTP error, timeout)."""
        outcome = await self.client.send(self.sender, text)
        self.messages += 1
        self.stats.record(outcome)
        if outcome.error not in (None, "empty"):
            return None
        replies = outcome.replies or []
        if shows_results(replies):
            self.results_seen = True
        if buttons(replies):
            self.last_buttons = buttons(replies)
        return replies

    def next_message(self, replies: list) -> str:
        slot = asked(replies)
        if slot is None:
            # Nothing asked (a clarifying question, an answer to a digression, an empty reply):
            # the owner clicks one of the buttons on screen, or asks for the diagnostic again.
            self.stats.recoveries += 1
            if self.last_buttons:
                return self.rng.choice(self.last_buttons)["payload"]
            return START_PAYLOAD
        tries = self.tries[slot] = self.tries.get(slot, 0) + 1
        offered = buttons(replies) or (self.last_buttons if tries > 1 else [])
        if slot in PROFILE_SLOTS:
            if tries == 1:
                return self.profile[slot]
            self.stats.recoveries += 1
            if offered:
                return self.rng.choice(offered)["payload"]
            return {"headcount": "3", "location": "Paris"}.get(slot, "commerce")
        if tries == 1 and slot in self.typed:
            return self.typed[slot]
        if tries > 1:
            self.stats.recoveries += 1
        if offered:
            return self.rng.choice(offered)["payload"]
        return self.rng.choice(DONT_KNOW)

    async def whole_diagnostic(self) -> bool:
        replies = await self.say(self.rng.choice(GREETINGS))
        if replies is None:
            return False
        replies = await self.say(self.rng.choice(DIAGNOSTIC_REQUESTS))
        if replies is None:
            return False
        if asked(replies) is None:  # the request was not understood: the greeting's button
            self.stats.recoveries += 1
            replies = await self.say(START_PAYLOAD)
        while replies is not None and not self.results_seen and self.messages < MAX_MESSAGES:
            replies = await self.say(self.next_message(replies))
        if replies is None or not self.results_seen:
            return False
        replies = await self.say(RESULTS_REQUEST)
        if replies is None:
            return False
        replies = await self.say(GOODBYE)
        return bool(replies)


async def run_owner(client: RestClient, stats: PhaseStats, sender: str, seed: str) -> None:
    stats.started += 1
    owner = Owner(client, sender, seed, stats)
    if await owner.whole_diagnostic():
        stats.completed += 1
        stats.messages_per_completed.append(owner.messages)
    else:
        stats.incomplete_senders.append(sender)


async def run_phase(
    base_url: str,
    label: str,
    concurrency: int,
    sender_prefix: str,
    timeout: float,
    sequential: int = 0,
    on_start: Optional[Callable[[], None]] = None,
) -> PhaseStats:
    """`concurrency` owners at once, each doing one whole diagnostic; or, with `sequential`,
    that many diagnostics one after another (one owner at a time)."""
    stats = PhaseStats(label, concurrency if not sequential else 1)
    connector = aiohttp.TCPConnector(limit=max(concurrency, 1) + 5)
    async with aiohttp.ClientSession(connector=connector) as session:
        client = RestClient(session, base_url, timeout)
        sender = f"{sender_prefix}-{label}-{uuid.uuid4().hex[:6]}"
        if on_start:
            on_start()
        cpu_before = _own_cpu()
        started = time.perf_counter()
        if sequential:
            for index in range(sequential):
                await run_owner(client, stats, f"{sender}-{index:03d}", f"{label}-{index}")
        else:
            await asyncio.gather(
                *(run_owner(client, stats, f"{sender}-{index:03d}", f"{label}-{index}") for index in range(concurrency))
            )
        stats.wall_seconds = time.perf_counter() - started
        stats.client_cpu_seconds = _own_cpu() - cpu_before
    return stats


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
