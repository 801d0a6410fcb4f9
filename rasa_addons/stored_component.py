"""What our trainable NLU components share: their learnt state is one file in the model.

Rasa builds a component with `create` before training and with `load` from a trained
model; both end in the component's constructor with the state found (or None, when the
model holds none, as after training on data with nothing to learn).
"""

from __future__ import annotations

from typing import Any, ClassVar, Dict, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage


class StoredComponent(GraphComponent):
    state_file: ClassVar[str]

    def __init__(
        self,
        config: Optional[Dict[Text, Any]] = None,
        model_storage: Optional[ModelStorage] = None,
        resource: Optional[Resource] = None,
        state: Any = None,
    ) -> None:
        self.config = {**self.get_default_config(), **(config or {})}
        self._model_storage = model_storage
        self._resource = resource
        self.restore(state)

    def restore(self, state: Any) -> None:
        """Takes the learnt state (None: nothing learnt yet)."""
        raise NotImplementedError

    def encode(self) -> bytes:
        raise NotImplementedError

    @staticmethod
    def decode(data: bytes) -> Any:
        raise NotImplementedError

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> StoredComponent:
        return cls(config, model_storage, resource)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> StoredComponent:
        try:
            with model_storage.read_from(resource) as directory:
                state = cls.decode((directory / cls.state_file).read_bytes())
        except (ValueError, FileNotFoundError):
            state = None
        return cls(config, model_storage, resource, state)

    def persist(self) -> Resource:
        assert self._model_storage is not None and self._resource is not None
        with self._model_storage.write_to(self._resource) as directory:
            (directory / self.state_file).write_bytes(self.encode())
        return self._resource
