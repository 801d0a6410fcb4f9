"""Free-text answers read as option ids (SPEC 4): what owners really type, read by the
trained reader and the exact rules."""

import pytest

from bot.advice.messages import buttons_for, clarify_text
from bot.diagnostic.answers import AMBIGUOUS, ANSWER, NOT_UNDERSTOOD, interpret, noted_text
from bot.diagnostic.questionnaire import DONT_KNOW, load_questionnaire
from tests.helpers import FREE_TEXT_ANSWERS

Q = load_questionnaire()

UNDERSTOOD = [
    ("q_digital_plan", "on a un budget chiffré pour l'année", "costed_plan"),
    ("q_digital_plan", "rien du tout", "none"),
    ("q_digital_plan", "g une idée mais pas de budget", "idea"),
    ("q_digital_benefit", "non pas vraiment", "no"),
    ("q_digital_benefit", "un peu", "somewhat"),
    ("q_digital_benefit", "jsp", "dont_know"),
    ("q_connection", "une box 4g", "mobile_only"),
    ("q_connection", "adsl ça rame", "slow"),
    ("q_connection", "100 Mb/s", "fast"),
    ("q_connection", "pas d'internet au boulot", "none"),
    ("q_cloud_services", "les trois", ["pro_email", "shared_storage", "online_software"]),
    ("q_cloud_services", "aucun", []),
    ("q_cloud_services", "juste une adresse mail pro", ["pro_email"]),
    ("q_cloud_services", "google drive et une messagerie pro", ["pro_email", "shared_storage"]),
    ("q_online_presence", "insta fb et tiktok", ["social_network", "several_social_networks"]),
    ("q_online_presence", "rien", []),
    ("q_online_presence", "juste une fiche google", ["business_listing"]),
    ("q_online_presence", "on n'a pas de site mais une page facebook", ["social_network"]),
    ("q_online_presence", "Plusieurs réseaux sociaux", ["social_network", "several_social_networks"]),
    ("q_online_sales", "on vend sur etsy", "via_platform"),
    ("q_online_sales", "non", "no"),
    ("q_online_sales", "on y pense pour l'an prochain", "planned"),
    ("q_online_sales", "les clients réservent sur notre site", "own_site"),
    ("q_reviews", "jamais", "never"),
    ("q_reviews", "je réponds à tous les avis chaque semaine", "regularly"),
    ("q_invoicing", "sur papier", "paper"),
    ("q_invoicing", "excel", "spreadsheet"),
    ("q_invoicing", "avec sage", "software"),
    ("q_customer_file", "on a un crm", "crm"),
    ("q_backup", "clé usb que je ramène chez moi", "occasional"),
    ("q_backup", "pas de sauvegarde", "none"),
    ("q_backup", "sauvegarde automatique dans le cloud", "automatic"),
    ("q_security_measures", "le même mot de passe partout", []),
    ("q_security_measures", "antivirus, double authentification", ["antivirus", "two_factor"]),
    ("q_security_measures", "aucune", []),
    ("q_training", "non", "none"),
    ("q_training", "une formation de 2 jours", "short_course"),
    ("q_it_support", "moi même", "myself"),
    ("q_it_support", "un prestataire", "provider"),
    ("q_it_support", "personne", "nobody"),
    ("q_ai_use", "non jamais", "no"),
    ("q_ai_use", "on y réfléchit", "considering"),
    ("q_automation", "plusieurs", "several"),
    ("q_backup", "Je ne sais pas", "dont_know"),
    ("q_cloud_services", "aucune idée", "dont_know"),
]
# And every answer the baker of the end-to-end conversations types (tests/helpers.py).
UNDERSTOOD += [(question_id, text, expected) for text, question_id, expected in FREE_TEXT_ANSWERS]


@pytest.mark.parametrize("question_id, text, expected", UNDERSTOOD)
def test_free_text_answers(question_id, text, expected):
    result = interpret(Q.question(question_id), text)
    assert (result.kind, result.value) == (ANSWER, expected)


def option_value(question, option_id):
    """What clicking one option stores: its id, in a list for a multiple-choice question (with
    the single network that "several networks" implies)."""
    if not question.is_multi:
        return option_id
    return ["social_network", option_id] if option_id == "several_social_networks" else [option_id]


@pytest.mark.parametrize("question", Q.questions, ids=lambda q: q.id)
def test_every_button_reads_back_as_its_option(question):
    expected = [option_value(question, option.id) for option in question.options]
    expected += [[]] if question.is_multi else []  # "Aucun de ceux-là"
    expected += [DONT_KNOW]
    read = [interpret(question, button["payload"]) for button in buttons_for(question)]
    assert [(result.kind, result.value) for result in read] == [(ANSWER, value) for value in expected]


@pytest.mark.parametrize(
    "question_id, text, intent, expected",
    [
        ("q_reviews", "nan", "deny", "never"),
        ("q_cloud_services", "non", "deny", []),
        ("q_connection", "euh", "dont_know", "dont_know"),
    ],
)
def test_bare_no_and_a_confident_dont_know(question_id, text, intent, expected):
    result = interpret(Q.question(question_id), text, intent=intent)
    assert (result.kind, result.value) == (ANSWER, expected)


def test_a_bare_yes_where_yes_could_mean_several_options_asks_which():
    result = interpret(Q.question("q_online_sales"), "ouais", intent="affirm")
    assert (result.kind, result.value, result.candidates) == (AMBIGUOUS, None, ("via_platform", "own_site"))


@pytest.mark.parametrize(
    "question_id, text, expected",
    [
        ("q_connection", "8 mega", "slow"),
        ("q_connection", "on a 100 Mb/s", "fast"),
        ("q_connection", "fibre a 1 giga", "fast"),
        ("q_cloud_services", "1 et 3", ["pro_email", "online_software"]),
        ("q_reviews", "2", "sometimes"),
        ("q_security_measures", "Aucun de ceux-là", []),
    ],
)
def test_exact_rules_for_numbers_and_speeds(question_id, text, expected):
    result = interpret(Q.question(question_id), text)
    assert (result.kind, result.value) == (ANSWER, expected)


@pytest.mark.parametrize(
    "question_id, text",
    [
        ("q_connection", "quel temps fait-il à Lyon"),
        ("q_cloud_services", "7"),
        ("q_backup", ""),
        ("q_reviews", "qsdfqsdf azerty"),
    ],
)
def test_nothing_is_stored_from_a_text_that_is_not_an_answer(question_id, text):
    assert interpret(Q.question(question_id), text).kind == NOT_UNDERSTOOD


@pytest.mark.parametrize("question_id", ["q_backup", "q_training", "q_security_measures", "q_automation"])
def test_aucune_idee_means_dont_know_not_none(question_id):
    result = interpret(Q.question(question_id), "aucune idée")
    assert (result.kind, result.value) == (ANSWER, DONT_KNOW)


def test_two_networks_named_mean_several_and_a_negated_one_does_not_count():
    question = Q.question("q_online_presence")
    assert interpret(question, "on est sur insta et tiktok").value == ["social_network", "several_social_networks"]
    assert interpret(question, "juste insta, pas de tiktok").value == ["social_network"]


@pytest.mark.parametrize(
    "question_id, value, expected",
    [
        ("q_customer_file", "crm", "Noté : un logiciel clients, non relié à vos autres outils."),
        ("q_security_measures", ["antivirus", "two_factor"], "Noté : un antivirus et la double authentification."),
        (
            "q_online_presence",
            ["social_network", "several_social_networks", "website"],
            "Noté : plusieurs réseaux sociaux et un site internet.",
        ),
        ("q_cloud_services", [], "Noté : aucun de ces services."),
        ("q_backup", "dont_know", "Noté : vous ne savez pas."),
    ],
)
def test_what_was_understood_is_read_back(question_id, value, expected):
    assert noted_text(Q.question(question_id), value) == expected


def test_a_clarifying_question_names_exactly_its_buttons():
    question = Q.question("q_customer_file")
    text, buttons = clarify_text(question, ("crm", "connected"))
    labels = [question.label_of("crm"), question.label_of("connected")]
    assert buttons == [{"title": label, "payload": label} for label in labels]
    assert text == (
        "Pour être sûr de bien noter : plutôt « Un logiciel clients (CRM) » ou « CRM relié aux factures ou au site » ?"
    )
