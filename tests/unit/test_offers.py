"""Offers read back from the slot as they were written, including by earlier versions."""

import pytest

from bot.offers import Offer, OfferKind


@pytest.mark.parametrize(
    "stored, offer",
    [
        ("restart", Offer(OfferKind.RESTART)),
        ("delete_my_data", Offer(OfferKind.DELETE_MY_DATA)),
        ("handoff:basic_level", Offer(OfferKind.HANDOFF, "basic_level")),
        ("more_recommendations", Offer(OfferKind.MORE_RECOMMENDATIONS)),
        ("resume_diagnostic", Offer(OfferKind.RESUME_DIAGNOSTIC)),
        ("need:need_gdpr:cookies", Offer(OfferKind.NEED, "need_gdpr", "cookies")),
        ("need:need_ai:", Offer(OfferKind.NEED, "need_ai", "")),
    ],
)
def test_an_offer_reads_back_as_written(stored, offer):
    assert Offer.decode(stored) == offer and offer.encode() == stored


@pytest.mark.parametrize("stored", [None, "", "unknown", 42, ["restart"]])
def test_no_offer_or_an_unknown_one_reads_as_none(stored):
    assert Offer.decode(stored) is None


def test_only_restart_and_erasure_are_confirmations():
    assert {kind for kind in OfferKind if kind.is_confirmation} == {OfferKind.RESTART, OfferKind.DELETE_MY_DATA}
