"""A stated need gets a chat-sized answer on the message's own topic (SPEC 6)."""

import pytest

from bot.advice.catalogue import load_catalogue
from bot.advice.messages import buyers_guide_text, more_resources_text, resource_text
from bot.advice.recommendations import answer_need

CATALOGUE = load_catalogue()


@pytest.mark.parametrize(
    "intent, text, topic, resource",
    [
        (
            "need_management_tools",
            "une appli pour faire mes factures sur le telephone ?",
            "invoicing",
            "dgfip_einvoicing",
        ),
        ("need_management_tools", "je cherche un CRM pas cher", "customer_file", "francenum_erp"),
        ("need_management_tools", "un logiciel pour gerer mon stock", "stock", "francenum_erp"),
        ("need_visibility", "je voudrais un site vitrine", "website", "francenum_create_website"),
        ("need_visibility", "comment avoir une fiche google", "google_listing", "francenum_google_business_profile"),
        ("need_connectivity", "internet rame, on voudrait la fibre", "internet_access", "arcep_ma_connexion_internet"),
        ("need_online_sales", "je voudrais vendre sur amazon", "marketplace", "cci_moselle_marketplace"),
        ("need_cybersecurity", "j'ai peur de me faire pirater", "attack", "cyber_emergency_17cyber"),
        ("need_online_sales", "je voudrais vendre en ligne", None, "francenum_ecommerce_create_or_buy"),
    ],
)
def test_the_answer_fits_the_topic_of_the_message(intent, text, topic, resource):
    answer = answer_need(CATALOGUE, intent, text)
    assert answer.topic == topic
    assert answer.resource.id == resource


def test_two_messages_of_one_need_on_different_topics_get_different_answers():
    invoices = answer_need(CATALOGUE, "need_management_tools", "une appli pour faire mes factures sur le téléphone ?")
    crm = answer_need(CATALOGUE, "need_management_tools", "je cherche un CRM pas cher")
    assert invoices.advice != crm.advice


@pytest.mark.parametrize("intent", sorted(CATALOGUE.needs))
def test_every_need_answer_fits_a_chat_turn(intent):
    for topic in [None] + [topic.id for topic in CATALOGUE.needs[intent].topics]:
        answer = answer_need(CATALOGUE, intent, topic_id=topic)
        first_turn = answer.advice + (resource_text(answer.resource) if answer.resource else "")
        assert len(first_turn) <= 600, (intent, topic, len(first_turn))
        if answer.guide:
            assert len(buyers_guide_text(answer.guide)) <= 600
        assert len(more_resources_text(answer.more)) <= 600
