"""One bot message, as Rasa outputs it, turned into a messaging platform's request bodies.

The input is one message of Rasa's output (the REST channel's list, the dispatcher's
messages): a dict with optional "text", "buttons" (or "quick_replies") [{"title",
"payload"}], "custom" or "json_message" (the score card, bot/advice/messages.py
`result_card`), "image" and "attachment". The output is the bodies to send, in order, each
exactly the platform's API request body:

- WhatsApp Cloud API, POST /<PHONE_NUMBER_ID>/messages: {"messaging_product": "whatsapp", …};
- Messenger Send API, POST /me/messages: {"recipient": {"id": …}, "messaging_type": "RESPONSE", …};
- Telegram Bot API: sendMessage's parameters (sendPhoto's, sendDocument's… for media: see
  `telegram_method`);
- Twilio's Messages resource: the form fields {"To", "From", "Body"}.

Rules, within each platform's limits (platforms.py):

- Choices: WhatsApp shows up to 3 reply buttons whose titles fit whole, else a list of up to
  10 rows (a shortened row title keeps the full option in its description), else numbered
  lines in the text; Messenger up to 11 quick replies (when a title must be shortened, the
  full options are also written in the text), else numbered lines; Telegram an inline
  keyboard, one button a row, titles whole; SMS numbered lines "1. …" and a hint that a
  number or the owner's own words will do. Options already numbered in the text (the
  diagnostic's multiple-choice questions) are not written twice.
- A payload too long for the platform's id (WhatsApp 256 or 200, Telegram 64 bytes, Messenger
  1000) travels as a short key "c:<number>": `Rendering.choices` maps every key back to its
  payload, for `choices.read_choice`.
- Long text is split at the platform's limit between paragraphs, lines, sentences or words
  (fitting.py): never inside a word or a link. The choices go with the last piece.
- The score card is written out as text, worded from the messages file (`channels.card_…`).
- Anything else (carousels, unknown custom payloads) is not sent and is named in
  `Rendering.dropped`, for the connector to log.
"""

import re
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from bot.messages import message
from bot.messaging.choices import KEY_PREFIX, Choice, short_key
from bot.messaging.fitting import byte_length, length, shorten, split_keeping_last, split_text
from bot.messaging.platforms import MESSENGER, SMS, TELEGRAM, WHATSAPP, Platform

Body = Dict[str, Any]
Recipient = Union[str, int]

SCORE_CARD = "diagnostic_result"
_MEDIA_KINDS = ("image", "video", "audio", "file")
_URL = re.compile(r"https?://", re.IGNORECASE)
# The owner's bilan (/bilan/<id>): whoever holds its address reads it, so the platforms' servers
# must not fetch it for a link preview.
_PRIVATE_LINK = re.compile(r"https?://\S+/bilan/", re.IGNORECASE)


def _previewable(text: str) -> bool:
    return bool(_URL.search(text)) and not _PRIVATE_LINK.search(text)


@dataclass(frozen=True)
class Rendering:
    """The bodies to send, in order; the choices they offer; what could not be sent."""

    messages: List[Body]
    choices: Tuple[Choice, ...] = ()
    dropped: Tuple[str, ...] = ()


@dataclass(frozen=True)
class _Option:
    title: str
    payload: str


# ---------------------------------------------------------------- reading Rasa's message


def _options(raw: object) -> List[_Option]:
    options = []
    for button in raw if isinstance(raw, list) else []:
        if not isinstance(button, Mapping):
            continue
        title = " ".join(str(button.get("title") or "").split())
        payload = str(button.get("payload") or title)
        if title or payload:
            options.append(_Option(title or payload, payload))
    return options


def _is_score_card(card: object) -> bool:
    if not isinstance(card, Mapping) or card.get("type") != SCORE_CARD:
        return False
    dimensions = card.get("dimensions")
    return (
        isinstance(card.get("overall"), (int, float))
        and isinstance(card.get("level"), str)
        and isinstance(dimensions, list)
        and all(
            isinstance(d, Mapping) and isinstance(d.get("label"), str) and isinstance(d.get("score"), (int, float))
            for d in dimensions
        )
    )


def card_text(card: Mapping[str, Any]) -> str:
    """The score card ({"type": "diagnostic_result", …}) as text an owner reads anywhere."""
    dimensions = card["dimensions"]
    lines = [
        message("channels.card_headline", score=round(card["overall"]), level=card["level"]),
        "",
        message("channels.card_by_dimension"),
    ]
    lines += [
        message("channels.card_dimension", dimension=item["label"], score=round(item["score"])) for item in dimensions
    ]
    names = {item.get("id"): item["label"] for item in dimensions}
    weakest = [names.get(dimension_id, str(dimension_id)) for dimension_id in card.get("weakest") or []]
    if len(weakest) >= 2:
        lines += ["", message("channels.card_priorities", first=weakest[0], second=weakest[1])]
    elif weakest:
        lines += ["", message("channels.card_priority", dimension=weakest[0])]
    return "\n".join(lines)


def _media(bot_message: Mapping[str, Any]) -> Tuple[List[Tuple[str, str]], List[str]]:
    """[(kind, url)] of the message's image and attachment; what could not be read."""
    media: List[Tuple[str, str]] = []
    dropped: List[str] = []
    image = bot_message.get("image")
    if isinstance(image, str) and image.strip():
        media.append(("image", image.strip()))
    elif image:
        dropped.append("image without a link")
    attachment = bot_message.get("attachment")
    if isinstance(attachment, str) and attachment.strip():
        media.append(("file", attachment.strip()))
    elif isinstance(attachment, Mapping):
        payload = attachment.get("payload")
        url = attachment.get("url") or (payload.get("url") if isinstance(payload, Mapping) else None)
        kind = attachment.get("type") if attachment.get("type") in _MEDIA_KINDS else "file"
        if isinstance(url, str) and url.strip():
            media.append((str(kind), url.strip()))
        else:
            dropped.append("attachment without a link")
    elif attachment:
        dropped.append("attachment without a link")
    return media, dropped


# ---------------------------------------------------------------- choices


def numbered_lines(titles: Sequence[str], first: int = 1) -> str:
    return "\n".join(f"{number}. {title}" for number, title in enumerate(titles, first))


def _listed_already(text: str, titles: Sequence[str]) -> int:
    """How many of the first options the text already writes as "1. …" lines, in order."""
    count = 0
    for number, title in enumerate(titles, 1):
        if not re.search(rf"(?m)^{number}\.\s+{re.escape(title)}\s*$", text):
            break
        count = number
    return count


def with_numbered_choices(text: str, titles: Sequence[str]) -> str:
    """The text, then the options as numbered lines and the hint to answer by number or words."""
    done = _listed_already(text, titles)
    block = numbered_lines(titles[done:], done + 1)
    hint = message("channels.reply_hint")
    block = f"{block}\n{hint}" if block else hint
    return f"{text}\n\n{block}" if text else block


def _keys(options: Sequence[_Option], fits: Callable[[str], bool]) -> List[str]:
    """What each option sends back when tapped: its payload when it fits and is unambiguous."""
    keys, seen = [], set()
    for number, option in enumerate(options, 1):
        payload = option.payload
        usable = (
            payload
            and payload == payload.strip()
            and fits(payload)
            and payload not in seen
            and not payload.startswith(KEY_PREFIX)
        )
        keys.append(payload if usable else short_key(number))
        seen.add(payload)
    return keys


def _choices(options: Sequence[_Option], keys: Sequence[str], labels: Sequence[str]) -> Tuple[Choice, ...]:
    return tuple(
        Choice(number=number, title=option.title, payload=option.payload, key=key, label=label)
        for number, (option, key, label) in enumerate(zip(options, keys, labels, strict=True), 1)
    )


# ---------------------------------------------------------------- platforms


def _whatsapp_base(to: Recipient) -> Body:
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": str(to)}


def _whatsapp_text(to: Recipient, text: str) -> Body:
    return {
        **_whatsapp_base(to),
        "type": "text",
        "text": {"preview_url": _previewable(text), "body": text},
    }


def _whatsapp_texts(to: Recipient, text: str) -> List[Body]:
    return [_whatsapp_text(to, piece) for piece in split_text(text, WHATSAPP.text_body)]


def _whatsapp_choices(to: Recipient, text: str, options: Sequence[_Option]) -> Tuple[List[Body], Tuple[Choice, ...]]:
    titles = [option.title for option in options]
    fit_whole = all(length(title) <= WHATSAPP.button_title for title in titles)
    if len(options) <= WHATSAPP.reply_buttons and fit_whole and len(set(titles)) == len(titles):
        keys = _keys(options, lambda payload: length(payload) <= WHATSAPP.button_id)
        pieces = split_keeping_last(text, WHATSAPP.text_body, WHATSAPP.interactive_body)
        buttons = [
            {"type": "reply", "reply": {"id": key, "title": title}} for key, title in zip(keys, titles, strict=True)
        ]
        interactive = {"type": "button", "body": {"text": pieces[-1]}, "action": {"buttons": buttons}}
        bodies = [_whatsapp_text(to, piece) for piece in pieces[:-1]]
        bodies.append({**_whatsapp_base(to), "type": "interactive", "interactive": interactive})
        return bodies, _choices(options, keys, titles)
    if len(options) <= WHATSAPP.list_rows:
        labels = [shorten(title, WHATSAPP.row_title) for title in titles]
        if any(
            label != title and length(title) > WHATSAPP.row_description
            for label, title in zip(labels, titles, strict=True)
        ):
            text = with_numbered_choices(text, titles)  # a full option fits no row: write them out
        keys = _keys(options, lambda payload: length(payload) <= WHATSAPP.row_id)
        rows = []
        for key, label, title in zip(keys, labels, titles, strict=True):
            row = {"id": key, "title": label}
            if label != title and length(title) <= WHATSAPP.row_description:
                row["description"] = title
            rows.append(row)
        pieces = split_keeping_last(text, WHATSAPP.text_body, WHATSAPP.interactive_body)
        section = {"title": shorten(message("channels.list_section"), WHATSAPP.section_title), "rows": rows}
        action = {"button": shorten(message("channels.list_button"), WHATSAPP.list_button), "sections": [section]}
        interactive = {"type": "list", "body": {"text": pieces[-1]}, "action": action}
        bodies = [_whatsapp_text(to, piece) for piece in pieces[:-1]]
        bodies.append({**_whatsapp_base(to), "type": "interactive", "interactive": interactive})
        return bodies, _choices(options, keys, labels)
    keys = [short_key(number) for number in range(1, len(options) + 1)]
    return _whatsapp_texts(to, with_numbered_choices(text, titles)), _choices(options, keys, titles)


def _whatsapp_media(to: Recipient, kind: str, url: str) -> Body:
    field = "document" if kind == "file" else kind
    return {**_whatsapp_base(to), "type": field, field: {"link": url}}


def _messenger(to: Recipient, content: Body) -> Body:
    return {"recipient": {"id": str(to)}, "messaging_type": "RESPONSE", "message": content}


def _messenger_texts(to: Recipient, text: str) -> List[Body]:
    return [_messenger(to, {"text": piece}) for piece in split_text(text, MESSENGER.text)]


def _messenger_choices(to: Recipient, text: str, options: Sequence[_Option]) -> Tuple[List[Body], Tuple[Choice, ...]]:
    titles = [option.title for option in options]
    if len(options) > MESSENGER.quick_replies:
        keys = [short_key(number) for number in range(1, len(options) + 1)]
        return _messenger_texts(to, with_numbered_choices(text, titles)), _choices(options, keys, titles)
    labels = [shorten(title, MESSENGER.quick_reply_title) for title in titles]
    if labels != titles:
        text = with_numbered_choices(text, titles)  # a quick reply has no room for the rest
    keys = _keys(options, lambda payload: length(payload) <= MESSENGER.quick_reply_payload)
    bodies = _messenger_texts(to, text)
    bodies[-1]["message"]["quick_replies"] = [
        {"content_type": "text", "title": label, "payload": key} for label, key in zip(labels, keys, strict=True)
    ]
    return bodies, _choices(options, keys, labels)


def _messenger_media(to: Recipient, kind: str, url: str) -> Body:
    return _messenger(to, {"attachment": {"type": kind, "payload": {"url": url, "is_reusable": True}}})


def _telegram_text(to: Recipient, text: str) -> Body:
    body: Body = {"chat_id": to, "text": text}
    if _PRIVATE_LINK.search(text):
        body["link_preview_options"] = {"is_disabled": True}
    return body


def _telegram_texts(to: Recipient, text: str) -> List[Body]:
    return [_telegram_text(to, piece) for piece in split_text(text, TELEGRAM.text)]


def _telegram_choices(to: Recipient, text: str, options: Sequence[_Option]) -> Tuple[List[Body], Tuple[Choice, ...]]:
    titles = [option.title for option in options]
    keys = _keys(options, lambda payload: 1 <= byte_length(payload) <= TELEGRAM.callback_data_bytes)
    bodies = _telegram_texts(to, text)
    keyboard = [[{"text": title, "callback_data": key}] for title, key in zip(titles, keys, strict=True)]
    bodies[-1]["reply_markup"] = {"inline_keyboard": keyboard}
    return bodies, _choices(options, keys, titles)


_TELEGRAM_MEDIA = {"image": "photo", "video": "video", "audio": "audio", "file": "document"}
_TELEGRAM_METHODS = {
    "text": "sendMessage",
    "photo": "sendPhoto",
    "video": "sendVideo",
    "audio": "sendAudio",
    "document": "sendDocument",
}


def telegram_method(body: Mapping[str, Any]) -> str:
    """The Bot API method a Telegram body is for: sendMessage, sendPhoto, sendDocument…"""
    for field, method in _TELEGRAM_METHODS.items():
        if field in body:
            return method
    raise ValueError("not a Telegram body made by render()")


def _sms(to: Recipient, sender: Optional[str], text: str) -> List[Body]:
    if not sender:
        raise ValueError("an SMS needs the sending number (Twilio's From)")
    return [{"To": str(to), "From": sender, "Body": piece} for piece in split_text(text, SMS.body)]


# ---------------------------------------------------------------- one message, one turn


def render(
    bot_message: Mapping[str, Any], platform: Platform, recipient: Recipient, sender: Optional[str] = None
) -> Rendering:
    """The platform's request bodies for one bot message, with the choices they offer.

    recipient: the WhatsApp number, Messenger page-scoped id, Telegram chat id or SMS number;
    sender: the Twilio number SMS are sent from (SMS only).
    """
    platform = Platform(platform)
    dropped: List[str] = []
    text = str(bot_message.get("text") or "").strip()
    blocks = [text] if text else []
    card = bot_message.get("custom") or bot_message.get("json_message")
    if card:
        if _is_score_card(card):
            blocks.append(card_text(card))
        else:
            kind = card.get("type") if isinstance(card, Mapping) else None
            dropped.append(f"custom payload {kind!r}" if kind else "custom payload")
    if bot_message.get("elements"):
        dropped.append("elements")
    options = _options(bot_message.get("buttons")) + _options(bot_message.get("quick_replies"))
    if options and not blocks:
        blocks.append(message("channels.choose"))
    media, unread = _media(bot_message)
    dropped += unread

    bodies: List[Body] = []
    choices: Tuple[Choice, ...] = ()
    for index, block in enumerate(blocks):
        offers = options if index == len(blocks) - 1 else []
        if platform is Platform.WHATSAPP:
            if offers:
                made, choices = _whatsapp_choices(recipient, block, offers)
            else:
                made = _whatsapp_texts(recipient, block)
        elif platform is Platform.MESSENGER:
            if offers:
                made, choices = _messenger_choices(recipient, block, offers)
            else:
                made = _messenger_texts(recipient, block)
        elif platform is Platform.TELEGRAM:
            if offers:
                made, choices = _telegram_choices(recipient, block, offers)
            else:
                made = _telegram_texts(recipient, block)
        else:
            titles = [option.title for option in offers]
            made = _sms(recipient, sender, with_numbered_choices(block, titles) if offers else block)
            if offers:
                choices = _choices(offers, [short_key(n) for n in range(1, len(offers) + 1)], titles)
        bodies += made
    for kind, url in media:
        if platform is Platform.WHATSAPP:
            bodies.append(_whatsapp_media(recipient, kind, url))
        elif platform is Platform.MESSENGER:
            bodies.append(_messenger_media(recipient, kind, url))
        elif platform is Platform.TELEGRAM:
            bodies.append({"chat_id": recipient, _TELEGRAM_MEDIA[kind]: url})
        else:
            bodies += _sms(recipient, sender, url)  # a link every phone can open
    return Rendering(bodies, choices, tuple(dropped))


def render_turn(
    bot_messages: Sequence[Mapping[str, Any]], platform: Platform, recipient: Recipient, sender: Optional[str] = None
) -> Rendering:
    """Every message of one bot turn, in order.

    The choices are those of the turn's last message that offers any, none if no message
    does: the connector stores them as the conversation's choices, replacing earlier ones,
    so that a "2" is never read against a question already answered.
    """
    bodies: List[Body] = []
    choices: Tuple[Choice, ...] = ()
    dropped: List[str] = []
    for item in bot_messages:
        rendering = render(item, platform, recipient, sender)
        bodies += rendering.messages
        choices = rendering.choices or choices
        dropped += rendering.dropped
    return Rendering(bodies, choices, tuple(dropped))
