"""The assistant's messages on WhatsApp, Messenger, Telegram and SMS: within each platform's
limits, nothing lost, links whole, and each body the platform's own request body."""

import re

import pytest

from bot.advice.messages import buttons_for, question_text, result_card
from bot.diagnostic.questionnaire import load_questionnaire
from bot.diagnostic.scoring import score
from bot.messages import message
from bot.messaging.fitting import length, shorten, split_text
from bot.messaging.platforms import MESSENGER, SMS, TELEGRAM, WHATSAPP, Platform, text_limit
from bot.messaging.render import card_text, render, render_turn, telegram_method

pytestmark = pytest.mark.unit

TO = "33612345678"
FROM = "+33700000000"
HINT = "Répondez par le numéro ou par vos mots."
YES_NO = [{"title": "Oui", "payload": "/affirm"}, {"title": "Non merci", "payload": "/deny"}]
LINK = "https://www.francenum.gouv.fr/guides/cybersecurite/les-bons-reflexes-pour-proteger-son-entreprise"


def units(text: str) -> int:
    """Written again here, not imported: UTF-16 code units, never fewer than characters."""
    return len(text.encode("utf-16-le")) // 2


# ------------------------------------------------------------------ validity of each body
# The limits below are the platforms' documented numbers, written out (platforms.py cites them).


def assert_whatsapp(body):
    assert body["messaging_product"] == "whatsapp" and body["recipient_type"] == "individual"
    assert body["to"] == TO
    kind = body["type"]
    if kind == "text":
        assert 1 <= units(body["text"]["body"]) <= 4096
        assert isinstance(body["text"]["preview_url"], bool)
        return
    if kind in ("image", "document", "video", "audio"):
        assert body[kind]["link"].startswith("http")
        return
    assert kind == "interactive"
    interactive = body["interactive"]
    assert 1 <= units(interactive["body"]["text"]) <= 1024
    if interactive["type"] == "button":
        buttons = interactive["action"]["buttons"]
        assert 1 <= len(buttons) <= 3
        titles = [button["reply"]["title"] for button in buttons]
        ids = [button["reply"]["id"] for button in buttons]
        assert all(button["type"] == "reply" for button in buttons)
        assert all(1 <= units(title) <= 20 for title in titles) and len(set(titles)) == len(titles)
        assert all(1 <= units(i) <= 256 and i == i.strip() for i in ids) and len(set(ids)) == len(ids)
        return
    assert interactive["type"] == "list"
    action = interactive["action"]
    assert 1 <= units(action["button"]) <= 20
    assert 1 <= len(action["sections"]) <= 10
    rows = [row for section in action["sections"] for row in section["rows"]]
    assert 1 <= len(rows) <= 10
    assert all(1 <= units(section["title"]) <= 24 for section in action["sections"])
    assert all(1 <= units(row["title"]) <= 24 for row in rows)
    assert all(units(row.get("description", "")) <= 72 for row in rows)
    ids = [row["id"] for row in rows]
    assert all(1 <= units(i) <= 200 for i in ids) and len(set(ids)) == len(ids)


def assert_messenger(body):
    assert body["recipient"] == {"id": TO} and body["messaging_type"] == "RESPONSE"
    content = body["message"]
    assert ("text" in content) != ("attachment" in content)
    if "attachment" in content:
        assert content["attachment"]["type"] in ("image", "video", "audio", "file")
        assert content["attachment"]["payload"]["url"].startswith("http")
        return
    assert 1 <= units(content["text"]) <= 2000
    replies = content.get("quick_replies", [])
    assert len(replies) <= 11  # Rasa's fbmessenger refuses more; Messenger itself takes 13
    for reply in replies:
        assert reply["content_type"] == "text"
        assert 1 <= units(reply["title"]) <= 20
        assert 1 <= len(reply["payload"]) <= 1000


def assert_telegram(body):
    assert body["chat_id"] == TO
    if "text" not in body:
        assert telegram_method(body) in ("sendPhoto", "sendDocument", "sendVideo", "sendAudio")
        return
    assert telegram_method(body) == "sendMessage"
    assert 1 <= units(body["text"]) <= 4096
    for row in body.get("reply_markup", {"inline_keyboard": []})["inline_keyboard"]:
        for button in row:
            assert button["text"]
            assert 1 <= len(button["callback_data"].encode("utf-8")) <= 64


def assert_sms(body):
    assert set(body) == {"To", "From", "Body"}
    assert body["To"] == TO and body["From"] == FROM
    assert 1 <= units(body["Body"]) <= 1600


VALID = {
    Platform.WHATSAPP: assert_whatsapp,
    Platform.MESSENGER: assert_messenger,
    Platform.TELEGRAM: assert_telegram,
    Platform.SMS: assert_sms,
}


def rendered(item, platform):
    rendering = render(item, platform, TO, sender=FROM)
    for body in rendering.messages:
        VALID[platform](body)
    return rendering


def shown_text(platform, bodies):
    """Every piece of text the owner sees, in order: messages, buttons, rows and descriptions."""
    seen = []
    for body in bodies:
        if platform is Platform.WHATSAPP:
            if body["type"] == "text":
                seen.append(body["text"]["body"])
            elif body["type"] == "interactive":
                seen.append(body["interactive"]["body"]["text"])
                action = body["interactive"]["action"]
                seen += [button["reply"]["title"] for button in action.get("buttons", [])]
                for section in action.get("sections", []):
                    seen += [row["title"] for row in section["rows"]]
                    seen += [row["description"] for row in section["rows"] if "description" in row]
        elif platform is Platform.MESSENGER:
            seen.append(body["message"].get("text", ""))
            seen += [reply["title"] for reply in body["message"].get("quick_replies", [])]
        elif platform is Platform.TELEGRAM:
            seen.append(body.get("text", ""))
            for row in body.get("reply_markup", {"inline_keyboard": []})["inline_keyboard"]:
                seen += [button["text"] for button in row]
        else:
            seen.append(body["Body"])
    return seen


def main_text(platform, bodies):
    """The message text alone, pieces joined by a space (buttons and rows left out)."""
    texts = []
    for body in bodies:
        if platform is Platform.WHATSAPP:
            texts.append(body["text"]["body"] if body["type"] == "text" else body["interactive"]["body"]["text"])
        elif platform is Platform.MESSENGER:
            texts.append(body["message"]["text"])
        elif platform is Platform.TELEGRAM:
            texts.append(body["text"])
        else:
            texts.append(body["Body"])
    return " ".join(texts)


# ------------------------------------------------------------------ the limits themselves


@pytest.mark.parametrize(
    "value, documented",
    [
        (WHATSAPP.text_body, 4096),
        (WHATSAPP.interactive_body, 1024),
        (WHATSAPP.reply_buttons, 3),
        (WHATSAPP.button_title, 20),
        (WHATSAPP.button_id, 256),
        (WHATSAPP.list_button, 20),
        (WHATSAPP.list_rows, 10),
        (WHATSAPP.row_title, 24),
        (WHATSAPP.row_description, 72),
        (WHATSAPP.row_id, 200),
        (WHATSAPP.section_title, 24),
        (MESSENGER.text, 2000),
        (MESSENGER.quick_replies, 11),
        (MESSENGER.quick_reply_title, 20),
        (MESSENGER.quick_reply_payload, 1000),
        (TELEGRAM.text, 4096),
        (TELEGRAM.callback_data_bytes, 64),
        (SMS.body, 1600),
    ],
)
def test_each_limit_is_the_documented_one(value, documented):
    assert value == documented


def test_the_limits_cannot_be_changed_by_accident():
    with pytest.raises(AttributeError):
        WHATSAPP.reply_buttons = 4  # type: ignore[misc]


@pytest.mark.parametrize(
    "platform, limit",
    [(Platform.WHATSAPP, 4096), (Platform.MESSENGER, 2000), (Platform.TELEGRAM, 4096), (Platform.SMS, 1600)],
)
def test_text_limit_per_platform(platform, limit):
    assert text_limit(platform) == limit


# ------------------------------------------------------------------ splitting and shortening


@pytest.mark.parametrize(
    "text, limit, pieces",
    [
        ("Bonjour.", 20, ["Bonjour."]),
        ("  ", 20, []),
        ("Premier paragraphe.\n\nDeuxième paragraphe.", 25, ["Premier paragraphe.", "Deuxième paragraphe."]),
        ("Ligne une\nLigne deux\nLigne trois", 21, ["Ligne une\nLigne deux", "Ligne trois"]),
        ("Une phrase. Une autre phrase. Et la fin.", 30, ["Une phrase. Une autre phrase.", "Et la fin."]),
        ("des mots sans aucune ponctuation ici", 15, ["des mots sans", "aucune", "ponctuation ici"]),
        (f"Voir {LINK} pour la suite", 40, ["Voir", LINK[:40], LINK[40:80], LINK[80:] + " pour la suite"]),
        (f"À lire : {LINK}", len(LINK) + 2, ["À lire :", LINK]),
        (f"À lire : {LINK} aujourd'hui", 100, ["À lire :", LINK, "aujourd'hui"]),
        ("😀😀😀", 4, ["😀😀", "😀"]),  # an emoji counts two units: never half of one
    ],
    ids=[
        "fits",
        "empty",
        "paragraphs",
        "lines",
        "sentences",
        "words",
        "a word longer than the limit",
        "link moved whole",
        "link kept whole between words",
        "emoji",
    ],
)
def test_text_is_split_at_the_coarsest_boundary_that_fits(text, limit, pieces):
    assert split_text(text, limit) == pieces


@pytest.mark.parametrize("limit", [120, 333, 1024, 1600])
def test_splitting_keeps_every_word_and_every_link_whole(limit):
    paragraph = (
        "Pour progresser, je vous propose : « Les bons réflexes » (Cybermalveillance.gouv.fr, gratuit) "
        f"{LINK} Formation courte, en ligne, 2 heures. Pourquoi ? Vos données sont votre outil de travail.\n"
    )
    text = "\n".join(paragraph * (i % 3 + 1) for i in range(12))
    pieces = split_text(text, limit)
    assert all(units(piece) <= limit for piece in pieces)
    assert " ".join(pieces).split() == text.split()
    assert all(LINK in piece or "http" not in piece for piece in pieces)


@pytest.mark.parametrize(
    "title, limit, shown",
    [
        ("Oui", 20, "Oui"),
        ("Un budget pour un achat précis", 20, "Un budget pour…"),
        ("Une idée, sans budget", 20, "Une idée, sans…"),
        ("Fibre ou câble (30 Mb/s ou plus)", 24, "Fibre ou câble…"),
        ("Oui, de temps en temps, à la main", 20, "Oui, de temps…"),
        ("Plan en cas de cyberattaque", 24, "Plan en cas…"),
        ("Anticonstitutionnellement", 10, "Anticonst…"),
        ("  Deux   espaces  ", 20, "Deux espaces"),
    ],
)
def test_a_title_too_long_is_shortened_after_a_whole_word(title, limit, shown):
    assert shorten(title, limit) == shown and length(shown) <= limit


# ------------------------------------------------------------------ WhatsApp


def test_whatsapp_two_choices_are_reply_buttons():
    rendering = rendered({"text": "Voulez-vous d'autres pistes ?", "buttons": YES_NO}, Platform.WHATSAPP)
    assert rendering.messages == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": TO,
            "type": "interactive",
            "interactive": {
                "type": "button",
                "body": {"text": "Voulez-vous d'autres pistes ?"},
                "action": {
                    "buttons": [
                        {"type": "reply", "reply": {"id": "/affirm", "title": "Oui"}},
                        {"type": "reply", "reply": {"id": "/deny", "title": "Non merci"}},
                    ]
                },
            },
        }
    ]
    assert [(c.number, c.key, c.payload) for c in rendering.choices] == [
        (1, "/affirm", "/affirm"),
        (2, "/deny", "/deny"),
    ]


def test_whatsapp_more_than_three_choices_become_a_list_with_full_options_in_descriptions():
    question = load_questionnaire().question("q_digital_plan")
    item = {"text": "Avez-vous un budget ?", "buttons": buttons_for(question)}
    [body] = rendered(item, Platform.WHATSAPP).messages
    assert body["interactive"]["type"] == "list"
    action = body["interactive"]["action"]
    assert action["button"] == "Voir les choix"
    assert action["sections"] == [
        {
            "title": "Réponses possibles",
            "rows": [
                {"id": "Rien de prévu", "title": "Rien de prévu"},
                {"id": "Une idée, sans budget", "title": "Une idée, sans budget"},
                {
                    "id": "Un budget pour un achat précis",
                    "title": "Un budget pour un achat…",
                    "description": "Un budget pour un achat précis",
                },
                {
                    "id": "Un plan chiffré sur l'année",
                    "title": "Un plan chiffré sur…",
                    "description": "Un plan chiffré sur l'année",
                },
                {"id": "Je ne sais pas", "title": "Je ne sais pas"},
            ],
        }
    ]


def test_whatsapp_a_title_too_long_for_a_reply_button_goes_to_a_list_row():
    buttons = [
        {"title": "Parler à un conseiller", "payload": "/request_advisor"},
        {"title": "Autre chose", "payload": "/help"},
    ]
    [body] = rendered({"text": "Que souhaitez-vous faire ?", "buttons": buttons}, Platform.WHATSAPP).messages
    assert body["interactive"]["type"] == "list"
    assert body["interactive"]["action"]["sections"][0]["rows"] == [
        {"id": "/request_advisor", "title": "Parler à un conseiller"},
        {"id": "/help", "title": "Autre chose"},
    ]


def test_whatsapp_more_than_ten_choices_are_numbered_in_the_text():
    buttons = [{"title": f"Secteur {n}", "payload": f"secteur {n}"} for n in range(1, 12)]
    rendering = rendered({"text": "Votre secteur ?", "buttons": buttons}, Platform.WHATSAPP)
    lines = "\n".join(f"{n}. Secteur {n}" for n in range(1, 12))
    assert rendering.messages == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": TO,
            "type": "text",
            "text": {"preview_url": False, "body": f"Votre secteur ?\n\n{lines}\n{HINT}"},
        }
    ]
    assert [c.key for c in rendering.choices] == [f"c:{n}" for n in range(1, 12)]


@pytest.mark.parametrize("count, id_limit", [(2, 256), (5, 200)], ids=["reply button id", "list row id"])
def test_whatsapp_a_payload_too_long_for_an_id_travels_as_a_short_key(count, id_limit):
    long_payload = '/affirm{"offer_choice": "' + "x" * id_limit + '"}'
    buttons = [{"title": "Le guide", "payload": long_payload}] + [
        {"title": f"Choix {n}", "payload": f"/c{n}"} for n in range(2, count + 1)
    ]
    rendering = rendered({"text": "Et ensuite ?", "buttons": buttons}, Platform.WHATSAPP)
    assert rendering.choices[0].key == "c:1" and rendering.choices[0].payload == long_payload
    assert [c.key for c in rendering.choices[1:]] == [f"/c{n}" for n in range(2, count + 1)]


def test_whatsapp_long_text_with_buttons_ends_with_a_body_that_fits_an_interactive_message():
    sentence = "Les sauvegardes protègent votre activité contre les pannes et les attaques. "
    text = (sentence * 30).strip()  # about 2 300 characters
    rendering = rendered({"text": text, "buttons": YES_NO}, Platform.WHATSAPP)
    kinds = [body["type"] for body in rendering.messages]
    assert kinds == ["text", "interactive"]
    assert main_text(Platform.WHATSAPP, rendering.messages).split() == text.split()


def test_whatsapp_a_link_in_a_text_asks_for_its_preview():
    [body] = rendered({"text": f"À consulter : {LINK}"}, Platform.WHATSAPP).messages
    assert body["text"] == {"preview_url": True, "body": f"À consulter : {LINK}"}


BILAN_LINK = message(
    "results.bilan_link", url="https://cci.exemple.fr/bilan/x", pdf_url="https://cci.exemple.fr/bilan/x.pdf"
)


def test_the_bilan_link_gets_no_preview_so_that_no_platform_server_fetches_the_bilan():
    [whatsapp] = rendered({"text": BILAN_LINK}, Platform.WHATSAPP).messages
    assert whatsapp["text"] == {"preview_url": False, "body": BILAN_LINK}
    [telegram] = rendered({"text": BILAN_LINK}, Platform.TELEGRAM).messages
    assert telegram["link_preview_options"] == {"is_disabled": True}
    [other] = rendered({"text": f"À consulter : {LINK}"}, Platform.TELEGRAM).messages
    assert "link_preview_options" not in other


# ------------------------------------------------------------------ Messenger


def test_messenger_choices_are_quick_replies():
    rendering = rendered({"text": "Voulez-vous d'autres pistes ?", "buttons": YES_NO}, Platform.MESSENGER)
    assert rendering.messages == [
        {
            "recipient": {"id": TO},
            "messaging_type": "RESPONSE",
            "message": {
                "text": "Voulez-vous d'autres pistes ?",
                "quick_replies": [
                    {"content_type": "text", "title": "Oui", "payload": "/affirm"},
                    {"content_type": "text", "title": "Non merci", "payload": "/deny"},
                ],
            },
        }
    ]


def test_messenger_shortened_quick_replies_come_with_the_full_options_in_the_text():
    question = load_questionnaire().question("q_digital_plan")
    [body] = rendered({"text": "Avez-vous un budget ?", "buttons": buttons_for(question)}, Platform.MESSENGER).messages
    assert body["message"]["text"] == (
        "Avez-vous un budget ?\n\n1. Rien de prévu\n2. Une idée, sans budget\n3. Un budget pour un achat précis\n"
        f"4. Un plan chiffré sur l'année\n5. Je ne sais pas\n{HINT}"
    )
    assert [(r["title"], r["payload"]) for r in body["message"]["quick_replies"]] == [
        ("Rien de prévu", "Rien de prévu"),
        ("Une idée, sans…", "Une idée, sans budget"),
        ("Un budget pour…", "Un budget pour un achat précis"),
        ("Un plan chiffré sur…", "Un plan chiffré sur l'année"),
        ("Je ne sais pas", "Je ne sais pas"),
    ]


def test_messenger_more_than_eleven_choices_are_numbered_in_the_text():
    buttons = [{"title": f"Choix {n}", "payload": f"/c{n}"} for n in range(1, 13)]
    [body] = rendered({"text": "Lequel ?", "buttons": buttons}, Platform.MESSENGER).messages
    lines = "\n".join(f"{n}. Choix {n}" for n in range(1, 13))
    assert body["message"] == {"text": f"Lequel ?\n\n{lines}\n{HINT}"}


def test_messenger_a_payload_over_1000_characters_travels_as_a_short_key():
    buttons = [{"title": "Oui", "payload": "/affirm" + "x" * 1000}, {"title": "Non", "payload": "/deny"}]
    [body] = rendered({"text": "Alors ?", "buttons": buttons}, Platform.MESSENGER).messages
    assert [r["payload"] for r in body["message"]["quick_replies"]] == ["c:1", "/deny"]


# ------------------------------------------------------------------ Telegram


def test_telegram_choices_are_an_inline_keyboard_one_button_a_row():
    rendering = rendered({"text": "Voulez-vous d'autres pistes ?", "buttons": YES_NO}, Platform.TELEGRAM)
    assert rendering.messages == [
        {
            "chat_id": TO,
            "text": "Voulez-vous d'autres pistes ?",
            "reply_markup": {
                "inline_keyboard": [
                    [{"text": "Oui", "callback_data": "/affirm"}],
                    [{"text": "Non merci", "callback_data": "/deny"}],
                ]
            },
        }
    ]


@pytest.mark.parametrize(
    "payload, data",
    [
        ("é" * 32, "é" * 32),  # 64 bytes: fits
        ("é" * 33, "c:1"),  # 33 characters but 66 bytes
        ('/affirm{"offer_choice": "guide"}', '/affirm{"offer_choice": "guide"}'),
        ("x" * 65, "c:1"),
    ],
    ids=["64 bytes", "66 bytes of accents", "Rasa payload", "65 bytes"],
)
def test_telegram_callback_data_is_the_payload_only_within_64_bytes(payload, data):
    rendering = rendered({"text": "Alors ?", "buttons": [{"title": "Ceci", "payload": payload}]}, Platform.TELEGRAM)
    assert rendering.messages[0]["reply_markup"]["inline_keyboard"] == [[{"text": "Ceci", "callback_data": data}]]
    assert rendering.choices[0].payload == payload


# ------------------------------------------------------------------ SMS


def test_sms_choices_are_numbered_lines_with_the_hint():
    rendering = rendered({"text": "Voulez-vous d'autres pistes ?", "buttons": YES_NO}, Platform.SMS)
    assert rendering.messages == [
        {"To": TO, "From": FROM, "Body": f"Voulez-vous d'autres pistes ?\n\n1. Oui\n2. Non merci\n{HINT}"}
    ]


def test_sms_options_the_question_already_numbers_are_not_written_twice():
    questionnaire = load_questionnaire()
    question = questionnaire.question("q_cloud_services")  # multiple choice: its text numbers the options
    item = {"text": question_text(questionnaire, question), "buttons": buttons_for(question)}
    [body] = rendered(item, Platform.SMS).messages
    assert body["Body"] == (
        question_text(questionnaire, question) + f"\n\n4. Aucun de ceux-là\n5. Je ne sais pas\n{HINT}"
    )


def test_sms_long_text_is_cut_into_several_messages_at_1600():
    text = "\n\n".join(f"Paragraphe {n} : " + "des conseils utiles pour votre entreprise " * 8 for n in range(12))
    bodies = rendered({"text": text}, Platform.SMS).messages
    assert len(bodies) > 1
    assert " ".join(body["Body"] for body in bodies).split() == text.split()
    assert all(body["Body"].startswith("Paragraphe") for body in bodies)  # cut between paragraphs


def test_sms_needs_the_sending_number():
    with pytest.raises(ValueError, match="From"):
        render({"text": "Bonjour"}, Platform.SMS, TO)


# ------------------------------------------------------------------ score card


CARD = {
    "type": "diagnostic_result",
    "overall": 42,
    "level": "Intermédiaire",
    "dimensions": [
        {"id": "strategy", "label": "Stratégie et investissement", "score": 40},
        {"id": "security", "label": "Données et cybersécurité", "score": 20},
        {"id": "skills", "label": "Compétences et organisation", "score": 66},
    ],
    "weakest": ["security", "strategy"],
}
CARD_TEXT = (
    "Votre résultat : 42/100, niveau « Intermédiaire ».\n\n"
    "Votre score par thème :\n"
    "• Stratégie et investissement : 40/100\n"
    "• Données et cybersécurité : 20/100\n"
    "• Compétences et organisation : 66/100\n\n"
    "Vos deux axes de progrès prioritaires : « Données et cybersécurité » et « Stratégie et investissement »."
)


@pytest.mark.parametrize("platform", list(Platform))
@pytest.mark.parametrize("field", ["custom", "json_message"])
def test_the_score_card_becomes_readable_text(platform, field):
    rendering = rendered({field: CARD}, platform)
    assert main_text(platform, rendering.messages) == CARD_TEXT
    assert rendering.dropped == ()


def test_the_real_result_card_names_every_dimension_and_the_two_weakest():
    questionnaire = load_questionnaire()
    answers = {q.id: [q.option_ids[0]] if q.is_multi else q.option_ids[0] for q in questionnaire.questions}
    card = result_card(questionnaire, score(questionnaire, answers))
    text = card_text(card)
    assert text.startswith(message("channels.card_headline", score=card["overall"], level=card["level"]))
    for dimension in questionnaire.dimensions:
        assert f"• {dimension.label} : " in text
    assert text.endswith(
        message(
            "channels.card_priorities",
            first=questionnaire.dimension(card["weakest"][0]).label,
            second=questionnaire.dimension(card["weakest"][1]).label,
        )
    )


def test_a_card_with_one_weakest_dimension_names_it_alone():
    card = {**CARD, "weakest": ["security"]}
    assert card_text(card).endswith("Votre axe de progrès prioritaire : « Données et cybersécurité ».")


# ------------------------------------------------------------------ media and the rest


@pytest.mark.parametrize(
    "platform, item, body",
    [
        (
            Platform.WHATSAPP,
            {"image": "https://exemple.fr/a.png"},
            {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": TO,
                "type": "image",
                "image": {"link": "https://exemple.fr/a.png"},
            },
        ),
        (
            Platform.WHATSAPP,
            {"attachment": "https://exemple.fr/guide.pdf"},
            {
                "messaging_product": "whatsapp",
                "recipient_type": "individual",
                "to": TO,
                "type": "document",
                "document": {"link": "https://exemple.fr/guide.pdf"},
            },
        ),
        (
            Platform.MESSENGER,
            {"image": "https://exemple.fr/a.png"},
            {
                "recipient": {"id": TO},
                "messaging_type": "RESPONSE",
                "message": {
                    "attachment": {"type": "image", "payload": {"url": "https://exemple.fr/a.png", "is_reusable": True}}
                },
            },
        ),
        (
            Platform.MESSENGER,
            {"attachment": {"type": "video", "payload": {"url": "https://exemple.fr/v.mp4"}}},
            {
                "recipient": {"id": TO},
                "messaging_type": "RESPONSE",
                "message": {
                    "attachment": {"type": "video", "payload": {"url": "https://exemple.fr/v.mp4", "is_reusable": True}}
                },
            },
        ),
        (
            Platform.TELEGRAM,
            {"image": "https://exemple.fr/a.png"},
            {"chat_id": TO, "photo": "https://exemple.fr/a.png"},
        ),
        (
            Platform.TELEGRAM,
            {"attachment": "https://exemple.fr/guide.pdf"},
            {"chat_id": TO, "document": "https://exemple.fr/guide.pdf"},
        ),
        (
            Platform.SMS,
            {"image": "https://exemple.fr/a.png"},
            {"To": TO, "From": FROM, "Body": "https://exemple.fr/a.png"},
        ),
    ],
)
def test_images_and_attachments(platform, item, body):
    assert rendered(item, platform).messages == [body]


@pytest.mark.parametrize(
    "body, method",
    [
        ({"chat_id": 1, "text": "a"}, "sendMessage"),
        ({"chat_id": 1, "photo": "u"}, "sendPhoto"),
        ({"chat_id": 1, "document": "u"}, "sendDocument"),
    ],
)
def test_telegram_method_of_each_body(body, method):
    assert telegram_method(body) == method


@pytest.mark.parametrize(
    "item, dropped",
    [
        ({"custom": {"type": "carousel"}}, ("custom payload 'carousel'",)),
        ({"elements": [{"title": "Carte"}]}, ("elements",)),
        ({"attachment": {"type": "file"}}, ("attachment without a link",)),
    ],
)
def test_what_cannot_be_sent_is_named_not_lost_silently(item, dropped):
    rendering = render(item, Platform.TELEGRAM, TO)
    assert rendering.messages == [] and rendering.dropped == dropped


def test_choices_without_a_sentence_get_one():
    [body] = rendered({"buttons": YES_NO}, Platform.SMS).messages
    assert body["Body"] == f"Choisissez une réponse :\n\n1. Oui\n2. Non merci\n{HINT}"


def test_a_turn_offers_the_choices_of_its_last_message_that_has_some():
    turn = [
        {"text": "Noté : la fibre."},
        {"text": "Question suivante ?", "buttons": YES_NO},
        {"text": "Prenez votre temps."},
    ]
    rendering = render_turn(turn, Platform.SMS, TO, FROM)
    assert [c.payload for c in rendering.choices] == ["/affirm", "/deny"]
    assert render_turn([{"text": "Merci !"}], Platform.SMS, TO, FROM).choices == ()


# ------------------------------------------------------------------ every real question, every platform


def questionnaire_messages():
    questionnaire = load_questionnaire()
    items = [
        pytest.param({"text": question_text(questionnaire, q), "buttons": buttons_for(q)}, id=q.id)
        for q in questionnaire.questions
    ]
    items.append(
        pytest.param(
            {"text": (f"À consulter : {LINK}\n\n" + "Un conseil utile. " * 300).strip(), "buttons": YES_NO},
            id="long text",
        )
    )
    return items


@pytest.mark.parametrize("platform", list(Platform))
@pytest.mark.parametrize("item", questionnaire_messages())
def test_every_option_is_offered_within_the_limits_and_none_is_lost(platform, item):
    rendering = rendered(item, platform)  # each body checked against the platform's limits
    seen = shown_text(platform, rendering.messages)
    for button in item["buttons"]:
        assert any(
            button["title"] == text or button["title"] in text.split("\n") or f". {button['title']}" in text
            for text in seen
        ), button["title"]
    assert [c.payload for c in rendering.choices] == [b["payload"] for b in item["buttons"]]
    body = main_text(platform, rendering.messages)
    assert re.sub(r"\s+", " ", item["text"]).strip() in re.sub(r"\s+", " ", body)
    assert all(LINK in text or "https://" not in text for text in seen)
