"""The inbox of misunderstood messages in the advisor console: /console/api/inbox/…

    GET  /console/api/inbox                     the new messages in groups of similar ones, the
                                                labels one may give them, how many are labelled
    POST /console/api/inbox/label               {"ids": [...], "intent": "need_ai"}
                                                or {"ids": [...], "question_id": "q_backup", "answer": "automatic"}
                                                (multiple choice: a list of option ids, [] for none; or "dont_know")
    POST /console/api/inbox/dismiss             {"ids": [...]}: nothing to learn from them
    POST /console/api/inbox/reopen              {"ids": [...]}: back among the new ones, label removed
    GET  /console/api/inbox/export/nlu.yml      what `make reviewed` would write in data/nlu/reviewed.yml
    GET  /console/api/inbox/export/answers.yml  … and in bot/data/answers/reviewed.yml

Every advisor may label. The calls that change something come only from the console's page
(`from_the_console`); errors are French, as everywhere in the console.
"""

import asyncio
import logging
from typing import Any, Dict, List, Optional, Tuple

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.adapters import inbox
from bot.adapters.channels.json_api import error, json_body
from bot.datafile import DataFileError
from bot.diagnostic.questionnaire import DONT_KNOW, Question, load_questionnaire
from bot.labels import load_labels
from bot.review.export import LabelError, check_answer, check_intent
from bot.review.grouping import MessageGroup, group_messages
from bot.review.records import InboxRecord

logger = logging.getLogger(__name__)

REASON_LABELS = {
    inbox.FALLBACK: "Message non compris",
    inbox.CLARIFICATION_FAILED: "Précision non comprise",
    inbox.ANSWER_GIVEN_UP: "Réponse abandonnée (notée « je ne sais pas »)",
}
DONT_KNOW_LABEL = "Je ne sais pas"
EXPORT_FILES = {
    "nlu.yml": "exemples-nlu-reviewed.yml",
    "answers.yml": "exemples-reponses-reviewed.yml",
}


MAX_ID = 2**31 - 1  # the database's integer: a larger id is no message, and would overflow it


def _ids(body: Dict[str, Any]) -> List[int]:
    ids = body.get("ids")
    if not isinstance(ids, list) or not ids:
        raise LabelError("Sélectionnez au moins un message.")
    if len(ids) > inbox.MAX_CHANGED:
        raise LabelError(f"Sélectionnez au plus {inbox.MAX_CHANGED} messages à la fois.")
    if not all(
        isinstance(identifier, int) and not isinstance(identifier, bool) and 1 <= identifier <= MAX_ID
        for identifier in ids
    ):
        raise LabelError("Identifiants de messages invalides.")
    return ids


# ------------------------------------------------------------------------ what the page shows


def intent_label(intent: str, labels: Dict[str, Dict[str, str]]) -> str:
    """The French name of an intent where labels.yml has one, followed by the id; else the id."""
    name: Optional[str] = labels.get("needs", {}).get(intent)
    if intent.startswith("objection/"):
        objection = labels.get("objections", {}).get(intent.split("/", 1)[1])
        name = f"Objection : {objection}" if objection else None
    return f"{name} ({intent})" if name else intent


def question_json(question: Question, dimension: str) -> Dict[str, Any]:
    options = [{"id": option.id, "label": option.label} for option in question.options]
    return {
        "id": question.id,
        "title": question.text,
        "dimension": dimension,
        "multi": question.is_multi,
        "options": options + [{"id": DONT_KNOW, "label": DONT_KNOW_LABEL}],
    }


def message_json(message: InboxRecord, channels: Dict[str, str]) -> Dict[str, Any]:
    return {
        "id": message.id,
        "text": message.text,
        "at": message.at.isoformat(),
        "reason": message.reason,
        "reason_label": REASON_LABELS.get(message.reason, message.reason),
        "channel": message.channel,
        "channel_label": channels.get(message.channel or "", message.channel),
    }


def group_json(group: MessageGroup, titles: Dict[str, str], channels: Dict[str, str]) -> Dict[str, Any]:
    return {
        "key": f"{group.question_id or ''}:{group.key}",
        "representative": group.representative,
        "count": group.count,
        "question_id": group.question_id,
        "question": titles.get(group.question_id or ""),
        "reasons": [{"id": reason, "label": REASON_LABELS.get(reason, reason)} for reason in group.reasons],
        "newest": group.newest.isoformat(),
        "messages": [message_json(message, channels) for message in group.messages],
    }


def inbox_page() -> Dict[str, Any]:
    """Everything GET /console/api/inbox returns (run in a worker thread: it reads the database)."""
    labels = load_labels().as_json()
    channels = labels.get("channels", {})
    questionnaire = load_questionnaire()
    questions = [
        question_json(question, dimension.label)
        for dimension in questionnaire.dimensions
        for question in dimension.questions
    ]
    titles = {question["id"]: question["title"] for question in questions}
    new = inbox.new_messages()
    counts = inbox.count_by_status()
    return {
        "groups": [group_json(group, titles, channels) for group in group_messages(new)],
        "shown": len(new),
        "counts": {
            "new": counts[inbox.NEW],
            "labelled": counts[inbox.LABELLED],
            "labelled_intents": counts["intents"],
            "labelled_answers": counts["answers"],
            "dismissed": counts[inbox.DISMISSED],
        },
        "intents": [{"id": intent, "label": intent_label(intent, labels)} for intent in inbox.intent_choices()],
        "questions": questions,
    }


def _label(body: Dict[str, Any], advisor) -> Tuple[int, int]:
    """Checks the label and stores it: (messages labelled, messages asked). LabelError: French."""
    ids = _ids(body)
    has_intent, has_answer = body.get("intent") not in (None, ""), "answer" in body
    if has_intent == has_answer:
        raise LabelError("Choisissez une intention, ou une réponse à la question posée.")
    if has_intent:
        intent = check_intent(body["intent"], inbox.intent_choices())
        return inbox.label_messages(ids, advisor.name, intent=intent, advisor_id=advisor.id), len(ids)
    found = inbox.messages(ids)
    if not found:
        return 0, len(ids)
    asked = {message.question_id for message in found}
    if len(asked) != 1 or None in asked:
        raise LabelError(
            "Une réponse ne s'applique qu'à des messages envoyés pendant la même question du diagnostic : "
            "sélectionnez-les dans un seul groupe."
        )
    question_id = asked.pop()
    if body.get("question_id") not in (None, question_id):
        raise LabelError("Ces messages ont été envoyés pendant une autre question.")
    try:
        question = load_questionnaire().question(question_id or "")
    except KeyError:
        raise LabelError("Cette question ne fait plus partie du diagnostic : choisissez une intention.") from None
    answer = check_answer(question, body["answer"])
    return inbox.label_messages(
        [message.id for message in found], advisor.name, answer=answer, advisor_id=advisor.id
    ), len(ids)


def add_inbox_routes(blueprint: Blueprint, signed_in, from_the_console) -> None:
    """Registers the inbox's API on the console's blueprint."""

    @blueprint.route("/console/api/inbox", methods=["GET"])
    @signed_in
    async def inbox_list(_: Request, advisor) -> HTTPResponse:
        return response.json(await asyncio.to_thread(inbox_page), headers={"Cache-Control": "no-store"})

    @blueprint.route("/console/api/inbox/label", methods=["POST"])
    @from_the_console
    @signed_in
    async def inbox_label(request: Request, advisor) -> HTTPResponse:
        try:
            changed, asked = await asyncio.to_thread(_label, json_body(request), advisor)
        except LabelError as refusal:
            return error(400, str(refusal))
        if not changed:
            return error(404, "Ces messages n'existent plus (effacés entre-temps).")
        return response.json({"labelled": changed, "missing": asked - changed})

    @blueprint.route("/console/api/inbox/<change:dismiss|reopen>", methods=["POST"])
    @from_the_console
    @signed_in
    async def inbox_change(request: Request, advisor, change: str) -> HTTPResponse:
        try:
            ids = _ids(json_body(request))
        except LabelError as refusal:
            return error(400, str(refusal))
        if change == "dismiss":
            changed = await asyncio.to_thread(inbox.dismiss_messages, ids, advisor.name, advisor.id)
        else:
            changed = await asyncio.to_thread(inbox.reopen_messages, ids)
        if not changed:
            return error(404, "Ces messages n'existent plus (effacés entre-temps).")
        return response.json({"dismissed" if change == "dismiss" else "reopened": changed})

    async def download(file: str) -> HTTPResponse:
        try:
            export = await asyncio.to_thread(inbox.nlu_export if file == "nlu.yml" else inbox.answers_export)
        except DataFileError as broken:
            logger.error("Inbox export refused: %s", broken)
            return error(500, f"Un fichier d'exemples est invalide, corrigez-le d'abord : {broken}")
        return response.raw(
            export.yaml.encode("utf-8"),
            content_type="application/yaml; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="{EXPORT_FILES[file]}"',
                "Cache-Control": "no-store",
            },
        )

    @blueprint.route("/console/api/inbox/export/nlu.yml", methods=["GET"])
    @signed_in
    async def inbox_export_nlu(_: Request, advisor) -> HTTPResponse:
        return await download("nlu.yml")

    @blueprint.route("/console/api/inbox/export/answers.yml", methods=["GET"])
    @signed_in
    async def inbox_export_answers(_: Request, advisor) -> HTTPResponse:
        return await download("answers.yml")
