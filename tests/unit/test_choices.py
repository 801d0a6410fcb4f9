"""An owner's reply read against the choices last offered: a number, an ordinal, the option's
words with slips, a button's key; anything else goes on to the NLU unchanged (None)."""

import pytest

from bot.advice.messages import buttons_for, question_text
from bot.diagnostic.answers import is_button
from bot.diagnostic.questionnaire import load_questionnaire
from bot.messaging.choices import Choice, number_of, read_choice
from bot.messaging.platforms import Platform
from bot.messaging.render import render

pytestmark = pytest.mark.unit

TO = "33612345678"
FROM = "+33700000000"


def offered(question_id, platform=Platform.SMS):
    """The choices of a diagnostic question as the renderer offers them on the platform."""
    questionnaire = load_questionnaire()
    question = questionnaire.question(question_id)
    item = {"text": question_text(questionnaire, question), "buttons": buttons_for(question)}
    return render(item, platform, TO, sender=FROM).choices


YES_NO = render(
    {
        "text": "Voulez-vous d'autres pistes ?",
        "buttons": [{"title": "Oui", "payload": "/affirm"}, {"title": "Non merci", "payload": "/deny"}],
    },
    Platform.SMS,
    TO,
    sender=FROM,
).choices

# q_digital_plan: 1 Rien de prévu, 2 Une idée, sans budget, 3 Un budget pour un achat précis,
# 4 Un plan chiffré sur l'année, 5 Je ne sais pas.
PLAN = "q_digital_plan"


@pytest.mark.parametrize(
    "reply, payload",
    [
        ("2", "Une idée, sans budget"),
        ("le 2", "Une idée, sans budget"),
        ("Le 2 svp", "Une idée, sans budget"),
        ("n°2", "Une idée, sans budget"),
        ("N° 2", "Une idée, sans budget"),
        ("2.", "Une idée, sans budget"),
        ("2)", "Une idée, sans budget"),
        ("#2", "Une idée, sans budget"),
        ("deux", "Une idée, sans budget"),
        ("la deuxième", "Une idée, sans budget"),
        ("la deuxieme", "Une idée, sans budget"),
        ("le second", "Une idée, sans budget"),
        ("2ème", "Une idée, sans budget"),
        ("c'est le 2", "Une idée, sans budget"),
        ("choix 3", "Un budget pour un achat précis"),
        ("réponse 4", "Un plan chiffré sur l'année"),
        ("le premier", "Rien de prévu"),
        ("1ère", "Rien de prévu"),
        ("la dernière", "Je ne sais pas"),
        ("cinq", "Je ne sais pas"),
    ],
)
def test_a_choice_named_by_its_number(reply, payload):
    assert read_choice(reply, offered(PLAN)) == payload


@pytest.mark.parametrize(
    "reply, payload",
    [
        ("Une idée, sans budget", "Une idée, sans budget"),
        ("une idee sans budget", "Une idée, sans budget"),
        ("UNE IDEE SANS BUDGET", "Une idée, sans budget"),
        ("une idée sans budjet", "Une idée, sans budget"),
        ("un plan chifre sur lannee", "Un plan chiffré sur l'année"),
        ("rien de prevu", "Rien de prévu"),
        ("je ne sais pas", "Je ne sais pas"),
        ("Je ne sai pas", "Je ne sais pas"),
    ],
)
def test_a_choice_named_by_its_words_with_or_without_accents_case_or_slips(reply, payload):
    assert read_choice(reply, offered(PLAN)) == payload


@pytest.mark.parametrize(
    "reply",
    [
        "1 et 3",
        "1, 3",
        "1 3",
        "2 ou 3",
        "les deux",
        "les 2",
        "6",  # only 5 choices
        "0",
        "12",
        "",
        "   ",
        "bonjour",
        "pas de budget du tout",
        "on a un budget de 3000 euros",
        "je ne sais pas trop, c'est mon comptable qui gère",
        "un budget",  # part of an option: the diagnostic's reader decides, not a guess here
    ],
)
def test_anything_else_goes_on_to_the_nlu_unchanged(reply):
    assert read_choice(reply, offered(PLAN)) is None


@pytest.mark.parametrize(
    "question_id, reply, payload",
    [
        ("q_online_presence", "un site internet", "Un site internet"),
        ("q_online_presence", "un site internett", "Un site internet"),
        ("q_online_presence", "pas un site internet", None),  # a negation is not a slip
        ("q_backup", "oui de temps en temps a la main", "Oui, de temps en temps, à la main"),
        ("q_backup", "non de temps en temps a la main", None),  # yes and no never swap
        ("q_connection", "fibre ou câble (30 mb/s ou plus)", "Fibre ou câble (30 Mb/s ou plus)"),
        ("q_connection", "fibre ou cable 80 mb s ou plus", None),  # another figure
        ("q_ai_use", "non je ne l utilise pas", "Non, je ne l'utilise pas"),
        ("q_reviews", "oui regulierement", "Oui, régulièrement"),
        ("q_reviews", "non regulierement", None),
    ],
)
def test_a_slip_is_forgiven_a_different_meaning_is_not(question_id, reply, payload):
    assert read_choice(reply, offered(question_id)) == payload


@pytest.mark.parametrize(
    "reply, payload",
    [
        ("1", "/affirm"),
        ("oui", "/affirm"),
        ("Oui", "/affirm"),
        ("non merci", "/deny"),
        ("le 2", "/deny"),
        ("3", None),
        ("non", None),
    ],
)
def test_yes_and_no_offers(reply, payload):
    assert read_choice(reply, YES_NO) == payload


def test_a_shortened_button_label_typed_back_is_its_choice():
    choices = offered(PLAN, Platform.MESSENGER)
    assert [c.label for c in choices][2] == "Un budget pour…"
    assert read_choice("un budget pour", choices) == "Un budget pour un achat précis"


@pytest.mark.parametrize("platform", [Platform.WHATSAPP, Platform.TELEGRAM, Platform.MESSENGER])
def test_a_short_key_sent_back_by_a_button_is_its_payload(platform):
    long_payload = '/affirm{"offer_choice": "' + "guide-" * 60 + '"}'
    item = {
        "text": "Et ensuite ?",
        "buttons": [{"title": "Le guide", "payload": "/help"}, {"title": "Plus", "payload": long_payload}],
    }
    choices = render(item, platform, TO).choices
    key = choices[1].key
    assert key == ("c:2" if platform is not Platform.MESSENGER else long_payload)
    assert read_choice(key, choices) == long_payload
    assert read_choice("/help", choices) == "/help"  # a payload sent back as it is


def test_two_options_that_read_the_same_are_neither():
    choices = (
        Choice(number=1, title="Oui", payload="/a", key="/a", label="Oui"),
        Choice(number=2, title="oui !", payload="/b", key="/b", label="oui !"),
    )
    assert read_choice("oui", choices) is None
    assert read_choice("2", choices) == "/b"


def test_no_choices_offered_reads_nothing():
    assert read_choice("2", ()) is None


@pytest.mark.parametrize(
    "reply, count, number",
    [("2", 3, 2), ("la troisième", 3, 3), ("le dernier", 4, 4), ("quatre", 3, None), ("1 et 2", 3, None), ("02", 3, 2)],
)
def test_number_of(reply, count, number):
    assert number_of(reply, count) == number


@pytest.mark.parametrize("question", load_questionnaire().questions, ids=lambda q: q.id)
def test_a_number_typed_on_sms_is_the_option_the_diagnostic_numbers_so(question):
    """ "k" is the k-th option for the renderer as for bot/diagnostic/answers.py (its "1 et 3")."""
    choices = offered(question.id)
    for number, option in enumerate(question.options, 1):
        payload = read_choice(str(number), choices)
        assert payload == option.label and is_button(question, payload)
    # several numbers are left to the diagnostic's reader, which takes them
    assert read_choice("1 et 2", choices) is None and is_button(question, "1 et 2")
