"""Free-text answers read as option ids (SPEC 4): what owners really type."""
import pytest

from bot.answers import AMBIGUOUS, ANSWER, NOT_UNDERSTOOD, interpret
from bot.messages import buttons_for
from bot.questionnaire import load_questionnaire

Q = load_questionnaire()

UNDERSTOOD = [
    ("q_digital_plan", "on a un budget chiffré pour l'année", "one_off_budget"),
    ("q_digital_plan", "rien du tout", "none"),
    ("q_digital_plan", "g une idée mais pas de budget", "idea"),
    ("q_digital_benefit", "non pas vraiment", "no"),
    ("q_digital_benefit", "oui clairement", "clearly"),
    ("q_digital_benefit", "un peu", "somewhat"),
    ("q_digital_benefit", "jsp", "dont_know"),
    ("q_connection", "on a la fibre", "fast"),
    ("q_connection", "une box 4g", "mobile_only"),
    ("q_connection", "adsl ça rame", "slow"),
    ("q_connection", "8 mega", "slow"),
    ("q_connection", "100 Mb/s", "fast"),
    ("q_connection", "pas d'internet au boulot", "none"),
    ("q_cloud_services", "les trois", ["pro_email", "shared_storage", "online_software"]),
    ("q_cloud_services", "aucun", []),
    ("q_cloud_services", "juste une adresse mail pro", ["pro_email"]),
    ("q_cloud_services", "google drive et une messagerie pro", ["pro_email", "shared_storage"]),
    ("q_cloud_services", "1 et 3", ["pro_email", "online_software"]),
    ("q_online_presence", "facebook et un site", ["social_network", "website"]),
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
    ("q_reviews", "de temps en temps", "sometimes"),
    ("q_reviews", "je réponds à tous les avis chaque semaine", "regularly"),
    ("q_invoicing", "sur papier", "paper"),
    ("q_invoicing", "excel", "spreadsheet"),
    ("q_invoicing", "avec sage", "software"),
    ("q_customer_file", "dans un cahier", "spreadsheet"),
    ("q_customer_file", "on a un crm", "crm"),
    ("q_backup", "clé usb que je ramène chez moi", "occasional"),
    ("q_backup", "pas de sauvegarde", "none"),
    ("q_backup", "sauvegarde automatique dans le cloud", "automatic"),
    ("q_security_measures", "antivirus et mises à jour", ["antivirus", "auto_updates"]),
    ("q_security_measures", "le même mot de passe partout", []),
    ("q_security_measures", "antivirus, double authentification", ["antivirus", "two_factor"]),
    ("q_security_measures", "aucune", []),
    ("q_training", "non", "none"),
    ("q_training", "des tutos youtube", "self_taught"),
    ("q_training", "une formation de 2 jours", "short_course"),
    ("q_it_support", "moi même", "myself"),
    ("q_it_support", "un prestataire", "provider"),
    ("q_it_support", "personne", "nobody"),
    ("q_ai_use", "chatgpt de temps en temps", "testing"),
    ("q_ai_use", "non jamais", "no"),
    ("q_ai_use", "on y réfléchit", "considering"),
    ("q_automation", "les relances de factures sont automatiques", "one"),
    ("q_automation", "plusieurs", "several"),
    ("q_reviews", "2", "sometimes"),
    ("q_backup", "Je ne sais pas", "dont_know"),
    ("q_cloud_services", "aucune idée", "dont_know"),
]


@pytest.mark.parametrize("question_id, text, expected", UNDERSTOOD)
def test_free_text_answers(question_id, text, expected):
    result = interpret(Q.question(question_id), text)
    assert (result.kind, result.value) == (ANSWER, expected)


@pytest.mark.parametrize("question", Q.questions, ids=lambda q: q.id)
def test_every_button_reads_back_as_its_option(question):
    for button in buttons_for(question):
        result = interpret(question, button["payload"])
        assert result.kind == ANSWER, button


@pytest.mark.parametrize("question_id, text, intent, expected", [
    ("q_online_sales", "ouais", "affirm", AMBIGUOUS),
    ("q_reviews", "nan", "deny", "never"),
    ("q_cloud_services", "non", "deny", []),
    ("q_connection", "euh", "dont_know", "dont_know"),
])
def test_yes_no_and_dont_know_intents(question_id, text, intent, expected):
    result = interpret(Q.question(question_id), text, intent=intent)
    if expected == AMBIGUOUS:
        assert result.kind == AMBIGUOUS and len(result.candidates) > 1
    else:
        assert result.value == expected


def test_an_entity_from_the_nlu_answers_the_connection_question():
    entities = [{"entity": "connection_type", "value": "fiber"}]
    assert interpret(Q.question("q_connection"), "c'est la FTTH chez nous", entities=entities).value == "fast"


def test_two_different_answers_ask_for_clarification_instead_of_guessing():
    result = interpret(Q.question("q_invoicing"), "sur papier ou sur excel ça dépend")
    assert result.kind == AMBIGUOUS
    assert set(result.candidates) == {"paper", "spreadsheet"}


@pytest.mark.parametrize("question_id, text", [
    ("q_connection", "quel temps fait-il à Lyon"),
    ("q_reviews", "bof"),
    ("q_cloud_services", "7"),
    ("q_backup", ""),
])
def test_nothing_is_stored_from_a_text_that_is_not_an_answer(question_id, text):
    assert interpret(Q.question(question_id), text).kind == NOT_UNDERSTOOD


@pytest.mark.parametrize("question_id", ["q_backup", "q_training", "q_security_measures", "q_automation"])
def test_aucune_idee_means_dont_know_not_none(question_id):
    assert interpret(Q.question(question_id), "aucune idée").value == "dont_know"
