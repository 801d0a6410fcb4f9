"""NLU pipeline component: spaCy's French tokenizer, without a spaCy model, stored trained.

Why: the entity tagger needs French tokens ("d'Angers" is two tokens, "12h30" or
"e-commerce" are one), which spaCy's rules for French give. Its trained models (tagger,
parser, vectors: fr_core_news_md) are not needed for that, and loading one cost about
3.5 seconds at every start and 460 MB of memory in each Rasa server.

Why stored: spaCy builds its French rules at import, and one of them, the pattern of words
kept whole ("anti-spam", "prud'homme", "saut-de-ski"), is one regular expression of 266
alternatives that repeat the same Unicode letter classes: Python takes 2 to 3 seconds to
compile it, about a third of a Rasa server's start. Training stores the tokenizer (its rules
and patterns) in the model with that pattern factored (alternatives that end alike share
their ending: the same strings match, checked at training), which compiles in about a tenth
of a second; a Rasa server loads it without importing spaCy's French rules.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any, Callable, Dict, Iterable, List, Optional, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)

STATE_FILE = "french_tokenizer.bin"


def factored_pattern(alternatives: List[str], costly_classes: Iterable[str]) -> str:
    """One pattern matching what `"|".join(alternatives)` matches, each costly character class
    written once per distinct ending instead of once per alternative.

    Each alternative is cut before its first costly class: "^anti[-]" + "[a-z…][-a-z…]*$".
    Alternatives with the same ending become "^(?:anti[-]|auto[-]|…)[a-z…][-a-z…]*$":
    (A·E)|(B·E) and (A|B)·E match the same strings (the patterns use no back-references).
    """
    by_ending: "OrderedDict[str, List[str]]" = OrderedDict()
    for alternative in alternatives:
        cuts = [at for at in (alternative.find("[" + cls) for cls in costly_classes) if at > 0]
        cut = min(cuts) if cuts else len(alternative)
        by_ending.setdefault(alternative[cut:], []).append(alternative[:cut])
    return "|".join(
        "(?:(?:{}){})".format("|".join(f"(?:{head})" for head in heads), ending) for ending, heads in by_ending.items()
    )


def _french_token_match() -> Callable[[str], Any]:
    """spaCy's French `token_match`, factored (2 to 3 s to compile → about 0.1 s)."""
    import re

    from spacy.lang.char_classes import ALPHA, ALPHA_LOWER
    from spacy.lang.fr import tokenizer_exceptions

    pattern = factored_pattern(tokenizer_exceptions._regular_exp, [ALPHA_LOWER, ALPHA])
    return re.compile("(?iu)" + pattern).match


def french_rules_tokenizer(probe: Iterable[str] = ()) -> Any:
    """spaCy's tokenizer for French with its token_match factored, unless one of the probe
    strings (each word of the training data) is matched differently: then spaCy's own."""
    import spacy
    from spacy.lang.fr.tokenizer_exceptions import TOKEN_MATCH

    tokenizer = spacy.blank("fr").tokenizer
    factored = _french_token_match()
    differing = [word for word in probe if bool(factored(word)) != bool(TOKEN_MATCH(word))]
    if differing:
        logger.warning("French token_match kept unfactored: it differs on %r", differing[:5])
    else:
        tokenizer.token_match = factored
    return tokenizer


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class FrenchTokenizer(Tokenizer):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
        }

    @staticmethod
    def required_packages() -> List[Text]:
        return ["spacy"]

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: Optional[ModelStorage] = None,
        resource: Optional[Resource] = None,
        tokenizer: Any = None,
    ) -> None:
        super().__init__(config)
        self._model_storage = model_storage
        self._resource = resource
        self._tokenizer = tokenizer if tokenizer is not None else french_rules_tokenizer()

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FrenchTokenizer:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        words = {word for example in training_data.training_examples for word in (example.get("text") or "").split()}
        self._tokenizer = french_rules_tokenizer(sorted(words))
        assert self._model_storage is not None and self._resource is not None
        with self._model_storage.write_to(self._resource) as directory:
            (directory / STATE_FILE).write_bytes(self._tokenizer.to_bytes(exclude=["vocab"]))
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> FrenchTokenizer:
        try:
            with model_storage.read_from(resource) as directory:
                data = (directory / STATE_FILE).read_bytes()
        except (ValueError, FileNotFoundError):
            return cls(config, model_storage, resource)  # a model from before: spaCy's rules
        from spacy.tokenizer import Tokenizer as SpacyTokenizer
        from spacy.vocab import Vocab

        return cls(config, model_storage, resource, SpacyTokenizer(Vocab()).from_bytes(data, exclude=["vocab"]))

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = message.get(attribute) or ""
        tokens = [Token(token.text, token.idx) for token in self._tokenizer(text) if token.text.strip()]
        return self._apply_token_pattern(tokens)
