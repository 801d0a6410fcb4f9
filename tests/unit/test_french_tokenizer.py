"""French tokens for the entity tagger, without a spaCy model."""

import pytest
from rasa.shared.nlu.training_data.message import Message

from rasa_addons.french_tokenizer import FrenchTokenizer


@pytest.mark.parametrize(
    "text, expected",
    [
        ("je suis boulanger à Angers", ["je", "suis", "boulanger", "à", "Angers"]),
        ("un salon d'Angers", ["un", "salon", "d'", "Angers"]),
        ("on est 3 dans l'équipe", ["on", "est", "3", "dans", "l'", "équipe"]),
        ("vente  en ligne\u00a0!", ["vente", "en", "ligne", "!"]),
    ],
)
def test_tokens_and_their_place_in_the_message(text, expected):
    tokens = FrenchTokenizer(FrenchTokenizer.get_default_config()).tokenize(Message(data={"text": text}), "text")
    assert [token.text for token in tokens] == expected
    assert all(text[token.start : token.end] == token.text for token in tokens)
