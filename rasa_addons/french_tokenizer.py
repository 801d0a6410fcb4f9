"""NLU pipeline component: spaCy's French tokenizer, without a spaCy model.

Why: the entity tagger needs French tokens ("d'Angers" is two tokens, "12h30" or
"e-commerce" are one), which spaCy's rules for French give. Its trained models (tagger,
parser, vectors: fr_core_news_md) are not needed for that, and loading one cost about
3.5 seconds at every start and 460 MB of memory in each Rasa server.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
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

    def __init__(self, config: Dict[Text, Any]) -> None:
        import spacy

        super().__init__(config)
        self._tokenizer = spacy.blank("fr").tokenizer

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> FrenchTokenizer:
        return cls(config)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        text = message.get(attribute) or ""
        tokens = [Token(token.text, token.idx) for token in self._tokenizer(text) if token.text.strip()]
        return self._apply_token_pattern(tokens)
