"""NLU pipeline component: Rasa's CRF entity tagger, loaded as trained instead of retrained.

Why: Rasa 3.6's CRFEntityExtractor stores only its training set and, at every load, trains
the CRFs again from it (`load` → `train_model`): profiled with py-spy, that was 46 % of a
Rasa server's start-up (about 13 s of 28). This one also stores the trained taggers and loads
them as they are: the same model, ready at once. A model trained before it (no stored
taggers) is still loaded Rasa's way.
"""

from __future__ import annotations

import pickle
from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor, CRFToken
from rasa.shared.utils.io import read_json_file

TAGGERS_FILE = "crf_taggers.pkl"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class StoredCRFEntityExtractor(CRFEntityExtractor):
    def persist(self, dataset: List[List[CRFToken]]) -> None:
        super().persist(dataset)
        with self._model_storage.write_to(self._resource) as model_dir:
            # Only models trained here are loaded (README, "Known vulnerabilities": keras).
            (model_dir / TAGGERS_FILE).write_bytes(pickle.dumps(dict(self.entity_taggers)))

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> CRFEntityExtractor:
        try:
            with model_storage.read_from(resource) as model_dir:
                taggers = pickle.loads((model_dir / TAGGERS_FILE).read_bytes())
                crf_order = read_json_file(model_dir / "crf_order.json")
        except (ValueError, FileNotFoundError):
            return super().load(config, model_storage, resource, execution_context, **kwargs)
        extractor = cls(config, model_storage, resource, taggers)
        extractor.crf_order = crf_order
        return extractor
