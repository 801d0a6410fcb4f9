"""French tokens for the entity tagger, without a spaCy model."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import spacy
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from spacy.lang.fr._tokenizer_exceptions_list import FR_BASE_EXCEPTIONS

from rasa_addons.french_tokenizer import FrenchTokenizer, factored_pattern

REPO_ROOT = Path(__file__).resolve().parents[2]


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


def stored_and_loaded(tmp_path, training_texts):
    """The tokenizer as `rasa train` stores it and a Rasa server loads it."""
    storage, resource = LocalModelStorage(tmp_path), Resource("tokenizer")
    context = ExecutionContext(graph_schema=None, model_id="test")
    config = FrenchTokenizer.get_default_config()
    trained = FrenchTokenizer.create(config, storage, resource, context)
    trained.train(TrainingData([Message(data={"text": text, "intent": "inform"}) for text in training_texts]))
    return FrenchTokenizer.load(config, storage, resource, context)


def our_training_texts():
    texts = []
    for path in sorted((REPO_ROOT / "data").rglob("*.yml")):
        texts += [line.strip(" -|") for line in path.read_text(encoding="utf-8").splitlines()]
    return [text for text in texts if text]


def test_loaded_it_tokenizes_as_spacys_french_rules(tmp_path):
    """Every line of our training data, and every word spaCy lists as a French exception
    (capitalised too), gives spaCy's own French tokens."""
    texts = our_training_texts()
    words = list(FR_BASE_EXCEPTIONS) + [word.capitalize() for word in FR_BASE_EXCEPTIONS]
    words += ["Anti-Spam", "e-commerce", "auto-entrepreneur", "saut-de-ski", "prud'hommes", "sous-traitance"]
    loaded = stored_and_loaded(tmp_path, texts)
    reference = spacy.blank("fr").tokenizer
    for text in texts + words + [" ".join(words[i : i + 40]) for i in range(0, len(words), 40)]:
        tokens = loaded.tokenize(Message(data={"text": text}), "text")
        assert [token.text for token in tokens] == [token.text for token in reference(text) if token.text.strip()], text


def test_a_rasa_server_loads_it_without_compiling_spacys_french_rules(tmp_path):
    """spaCy's French rules cost 2 to 3 s of every start: loading must not import them."""
    stored_and_loaded(tmp_path, ["je suis à Angers"])
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from rasa.engine.graph import ExecutionContext\n"
        "from rasa.engine.storage.local_model_storage import LocalModelStorage\n"
        "from rasa.engine.storage.resource import Resource\n"
        "from rasa.shared.nlu.training_data.message import Message\n"
        "from rasa_addons.french_tokenizer import FrenchTokenizer\n"
        f"storage = LocalModelStorage(Path({str(tmp_path)!r}))\n"
        "tokenizer = FrenchTokenizer.load(FrenchTokenizer.get_default_config(), storage, Resource('tokenizer'),"
        " ExecutionContext(graph_schema=None, model_id='test'))\n"
        "print([t.text for t in tokenizer.tokenize(Message(data={'text': \"l'anti-spam d'Angers\"}), 'text')])\n"
        "print('spacy.lang.fr.tokenizer_exceptions' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO_ROOT, check=True, timeout=120
    )
    assert result.stdout.splitlines() == [str(["l'", "anti-spam", "d'", "Angers"]), "False"]


def test_factored_pattern_matches_what_the_alternatives_match():
    alternatives = ["^anti[-][a-z]+$", "^auto[-][a-z]+$", "^[a-z]+[-]de[-][a-z]+$", "^ok$"]
    factored = re.compile(factored_pattern(alternatives, ["a-z"]))
    original = re.compile("|".join(f"(?:{alternative})" for alternative in alternatives))
    for text in ["anti-spam", "auto-ecole", "saut-de-ski", "ok", "oki", "anti-", "pro-spam", "de-de-de", ""]:
        assert bool(factored.match(text)) == bool(original.match(text)), text
    assert factored.pattern.count("[a-z]") == 3  # 6 in the alternatives


def test_a_model_trained_before_it_was_stored_still_loads_with_spacys_rules(tmp_path):
    """A deployer's older model holds no stored tokenizer: it loads and tokenizes as before."""
    context = ExecutionContext(graph_schema=None, model_id="test")
    config = FrenchTokenizer.get_default_config()
    loaded = FrenchTokenizer.load(config, LocalModelStorage(tmp_path), Resource("tokenizer"), context)
    tokens = loaded.tokenize(Message(data={"text": "l'anti-spam d'Angers"}), "text")
    assert [token.text for token in tokens] == ["l'", "anti-spam", "d'", "Angers"]
