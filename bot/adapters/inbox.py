"""The inbox of messages the assistant did not understand, in the tickets' database.

A message lands here when the assistant fell back (nothing understood outside the
diagnostic), when a clarifying question got no usable answer, or when an answer was
recorded as "je ne sais pas" after three unread tries. Contact details are masked before
the text is stored. Advisors label each message in the console; the labelled ones are
exported as training data (ops/reviewed.py).

The functions below each open and close their own session and hand out InboxRecord
dataclasses (bot/review/records.py); `url` is the database, by default the configured one
(CONSEILLER_DATABASE_URL). The last ones gather what an export needs from the repository's
files (domain, NLU data, evaluation sets, answer examples) for bot/review/export.py.
"""

from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence

import yaml
from sqlalchemy import JSON, Column, DateTime, Integer, String, Text, delete, func, select, update
from sqlalchemy.orm import Session

from bot.adapters.storage import REPO_ROOT, Base, engine, utcnow
from bot.diagnostic.answer_examples import (
    ANSWERS_DIR,
    REVIEWED_FILE,
    parse_answer_examples,
    parse_reviewed_examples,
)
from bot.diagnostic.questionnaire import load_questionnaire
from bot.language.contact_redaction import redact_text
from bot.review.export import (
    AnswersExport,
    NluExample,
    NluExport,
    build_answers_export,
    build_nlu_export,
    choosable_intents,
    nlu_examples,
)
from bot.review.records import (  # noqa: F401  (the reasons and statuses, as the actions name them)
    ANSWER_GIVEN_UP,
    CLARIFICATION_FAILED,
    DISMISSED,
    FALLBACK,
    LABELLED,
    NEW,
    REASONS,
    AnswerLabel,
    InboxRecord,
)

MAX_TEXT = 2000  # the door refuses longer messages anyway
# The console lists at most this many new messages (the newest), and changes at most this many at once.
MAX_LISTED = 1000
MAX_CHANGED = 1000


class InboxMessage(Base):
    __tablename__ = "inbox_messages"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow, index=True)
    sender_id = Column(String(255), index=True, nullable=False)  # for erasure and retention only
    channel = Column(String(64))
    reason = Column(String(32), nullable=False)
    question_id = Column(String(64))  # the question being asked, if any
    text = Column(Text, nullable=False)  # contact details masked
    status = Column(String(16), nullable=False, default=NEW, index=True)
    intent = Column(String(64))  # the label: an intent (faq/… and objection/… included) …
    answer = Column(JSON)  # … or an answer: an option id, a list of option ids, or dont_know
    labelled_by = Column(String(120))  # who labelled or dismissed it, as the console shows the advisor
    labelled_at = Column(DateTime)
    labelled_by_id = Column(Integer)  # that advisor's account: two accounts may show the same name


def record_not_understood(
    sender_id: str,
    text: str,
    reason: str,
    channel: Optional[str] = None,
    question_id: Optional[str] = None,
    url: Optional[str] = None,
) -> None:
    """Puts one message in the inbox, its contact details masked. Empty texts are skipped."""
    masked = redact_text(text or "").strip()[:MAX_TEXT]
    if not masked or reason not in REASONS:
        return
    with Session(engine(url)) as session:
        session.add(
            InboxMessage(sender_id=sender_id, channel=channel, reason=reason, question_id=question_id, text=masked)
        )
        session.commit()


# ------------------------------------------------------------------------ the advisors' side


def _record(row: InboxMessage) -> InboxRecord:
    answer = row.answer
    return InboxRecord(
        id=row.id,
        at=row.at,
        text=row.text,
        reason=row.reason,
        status=row.status,
        question_id=row.question_id,
        channel=row.channel,
        intent=row.intent,
        answer=tuple(answer) if isinstance(answer, list) else answer,
        labelled_by=row.labelled_by,
        labelled_at=row.labelled_at,
    )


def _ids(ids: Iterable[int]) -> List[int]:
    return sorted({int(identifier) for identifier in ids})[:MAX_CHANGED]


def new_messages(limit: int = MAX_LISTED, url: Optional[str] = None) -> List[InboxRecord]:
    """The newest `limit` messages no advisor has labelled or dismissed yet, newest first."""
    query = select(InboxMessage).where(InboxMessage.status == NEW)
    query = query.order_by(InboxMessage.at.desc(), InboxMessage.id.desc()).limit(limit)
    with Session(engine(url)) as session:
        return [_record(row) for row in session.scalars(query)]


def count_by_status(url: Optional[str] = None) -> Dict[str, int]:
    """How many messages are new, labelled (with an intent or an answer) and dismissed."""
    counts = {NEW: 0, LABELLED: 0, DISMISSED: 0, "intents": 0, "answers": 0}
    with Session(engine(url)) as session:
        for status, number in session.execute(select(InboxMessage.status, func.count()).group_by(InboxMessage.status)):
            counts[status] = number
        counts["intents"] = session.scalar(
            select(func.count()).where(InboxMessage.status == LABELLED, InboxMessage.intent.is_not(None))
        )
    counts["answers"] = counts[LABELLED] - counts["intents"]
    return counts


def messages(ids: Iterable[int], url: Optional[str] = None) -> List[InboxRecord]:
    wanted = _ids(ids)
    if not wanted:
        return []
    with Session(engine(url)) as session:
        query = select(InboxMessage).where(InboxMessage.id.in_(wanted)).order_by(InboxMessage.id)
        return [_record(row) for row in session.scalars(query)]


def _set(ids: Iterable[int], url: Optional[str], **values: Any) -> int:
    wanted = _ids(ids)
    if not wanted:
        return 0
    with Session(engine(url)) as session:
        changed = session.execute(
            update(InboxMessage)
            .where(InboxMessage.id.in_(wanted))
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
        session.commit()
        return int(changed or 0)


def _decide(
    ids: Iterable[int], url: Optional[str], status: str, advisor: str, advisor_id: Optional[int], **label: Any
) -> int:
    """An advisor's decision on the messages: its status and label, by whom and when."""
    return _set(
        ids, url, status=status, labelled_by=advisor[:120], labelled_by_id=advisor_id, labelled_at=utcnow(), **label
    )


def label_messages(
    ids: Iterable[int],
    advisor: str,
    intent: Optional[str] = None,
    answer: Optional[AnswerLabel] = None,
    advisor_id: Optional[int] = None,
    url: Optional[str] = None,
) -> int:
    """Labels the messages with an intent, or with an answer to their question (checked by the
    caller: bot.review.export.check_intent / check_answer). Returns how many exist."""
    if (intent is None) == (answer is None):
        raise ValueError("a label is an intent or an answer")
    stored = list(answer) if isinstance(answer, tuple) else answer
    return _decide(ids, url, LABELLED, advisor, advisor_id, intent=intent, answer=stored)


def dismiss_messages(
    ids: Iterable[int], advisor: str, advisor_id: Optional[int] = None, url: Optional[str] = None
) -> int:
    """Marks the messages as nothing to learn from (gibberish, a test…)."""
    return _decide(ids, url, DISMISSED, advisor, advisor_id, intent=None, answer=None)


def reopen_messages(ids: Iterable[int], url: Optional[str] = None) -> int:
    """Puts labelled or dismissed messages back among the new ones, without their label."""
    return _set(ids, url, status=NEW, intent=None, answer=None, labelled_by=None, labelled_by_id=None, labelled_at=None)


def labelled_messages(url: Optional[str] = None) -> List[InboxRecord]:
    """Every labelled message, oldest first: what an export writes."""
    query = select(InboxMessage).where(InboxMessage.status == LABELLED).order_by(InboxMessage.id)
    with Session(engine(url)) as session:
        return [_record(row) for row in session.scalars(query)]


def delete_for_sender(sender_id: str, url: Optional[str] = None) -> int:
    """Erases every message of a conversation, labelled or not (SPEC 9: delete_my_data)."""
    return _delete(InboxMessage.sender_id == sender_id, url)


def purge_older_than(days: int, url: Optional[str] = None) -> int:
    """Deletes the messages received more than `days` days ago, labelled or not (SPEC 9:
    retention period). Examples already exported stay in the exported files."""
    return _delete(InboxMessage.at < utcnow() - timedelta(days=days), url)


def _delete(condition: Any, url: Optional[str]) -> int:
    with Session(engine(url)) as session:
        removed = session.execute(delete(InboxMessage).where(condition).execution_options(synchronize_session=False))
        session.commit()
        return int(removed.rowcount or 0)


# ------------------------------------------------------------------------ what an export writes

DOMAIN_FILE = REPO_ROOT / "domain.yml"
NLU_DIR = REPO_ROOT / "data" / "nlu"
REVIEWED_NLU_FILE = NLU_DIR / "reviewed.yml"
REVIEWED_ANSWERS_FILE = ANSWERS_DIR / REVIEWED_FILE
# Messages never trained on, so that the NLU's evaluation stays honest (tests/unit/test_nlu_sets.py).
EVALUATION_DIRS = (REPO_ROOT / "tests" / "nlu_holdout", REPO_ROOT / "tests" / "nlu_holdout_independent")

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # LibYAML's reader when installed: several times faster


@lru_cache(maxsize=64)
def _parsed(path: str, modified: int) -> Any:
    with open(path, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=_Loader)  # a safe loader, LibYAML's when installed


def _yaml(path: Path) -> Any:
    """A YAML file's content, read again only when the file changes; None if it does not exist."""
    try:
        return _parsed(str(path), path.stat().st_mtime_ns)
    except FileNotFoundError:
        return None


def intent_choices(domain_file: Path = DOMAIN_FILE) -> List[str]:
    """The labels an advisor may give a message: the domain's intents, faq/… and objection/… included."""
    domain = _yaml(domain_file) or {}
    return choosable_intents(list(domain.get("intents") or []), list(domain.get("responses") or {}))


def _examples_of(paths: Sequence[Path]) -> List[NluExample]:
    return [example for path in paths for example in nlu_examples(_yaml(path))]


def nlu_export(
    url: Optional[str] = None,
    nlu_dir: Path = NLU_DIR,
    domain_file: Path = DOMAIN_FILE,
    evaluation_dirs: Sequence[Path] = EVALUATION_DIRS,
) -> NluExport:
    """What data/nlu/reviewed.yml would hold: its examples, and the inbox's labelled messages."""
    reviewed = nlu_dir / REVIEWED_NLU_FILE.name
    training = _examples_of([path for path in sorted(nlu_dir.glob("*.yml")) if path.name != reviewed.name])
    held_out = [
        example.plain
        for folder in evaluation_dirs
        if folder.is_dir()
        for example in _examples_of(sorted(folder.glob("*.yml")))
    ]
    return build_nlu_export(
        labelled_messages(url),
        intent_choices(domain_file),
        training=training,
        held_out=held_out,
        previous=_examples_of([reviewed]),
    )


def answers_export(url: Optional[str] = None, directory: Path = ANSWERS_DIR) -> AnswersExport:
    """What bot/data/answers/reviewed.yml would hold: its examples, and the inbox's labelled answers.
    Raises bot.datafile.DataFileError if an answer file (reviewed.yml included) is broken."""
    questionnaire = load_questionnaire()
    existing = parse_answer_examples(questionnaire, directory, reviewed=False).by_question
    previous = parse_reviewed_examples(questionnaire, directory / REVIEWED_FILE)
    return build_answers_export(labelled_messages(url), questionnaire, existing, previous)
