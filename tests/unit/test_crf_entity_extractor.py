"""The CRF tagger is stored trained: loading it tags the same and trains nothing."""

from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_addons.crf_entity_extractor import StoredCRFEntityExtractor
from rasa_addons.french_tokenizer import FrenchTokenizer

EXAMPLES = [
    ("je suis à Lille", "Lille"),
    ("on est basés à Nantes", "Nantes"),
    ("mon salon est à Rennes", "Rennes"),
    ("boulangerie à Lyon", "Lyon"),
    ("je travaille à Bordeaux", "Bordeaux"),
    ("à Toulouse", "Toulouse"),
]


def tokenized(message):
    FrenchTokenizer(FrenchTokenizer.get_default_config()).process([message])
    return message


def example(text, place):
    start = text.index(place)
    entity = {"entity": "location", "start": start, "end": start + len(place), "value": place}
    return tokenized(Message(data={"text": text, "intent": "inform", "entities": [entity]}))


def test_loaded_as_trained_it_tags_the_same_without_training(tmp_path, monkeypatch):
    storage, resource = LocalModelStorage(tmp_path), Resource("crf")
    context = ExecutionContext(graph_schema=None, model_id="test")
    config = StoredCRFEntityExtractor.get_default_config()
    trained = StoredCRFEntityExtractor.create(config, storage, resource, context)
    trained.train(TrainingData([example(text, place) for text, place in EXAMPLES * 10]))

    def no_training(*_args, **_kwargs):
        raise AssertionError("the CRF was trained again at load")

    monkeypatch.setattr(CRFEntityExtractor, "train_model", no_training)
    loaded = StoredCRFEntityExtractor.load(config, storage, resource, context)
    for text in ("je suis à Lille", "on est basés à Nantes", "on est à Marseille"):
        expected = trained.process([tokenized(Message(data={"text": text}))])[0].get("entities")
        found = loaded.process([tokenized(Message(data={"text": text}))])[0].get("entities")
        assert found == expected
    assert set(loaded.entity_taggers) == set(trained.entity_taggers) == {"entity"}


def test_a_model_trained_before_is_loaded_rasas_way(tmp_path):
    storage, resource = LocalModelStorage(tmp_path), Resource("crf")
    context = ExecutionContext(graph_schema=None, model_id="test")
    config = CRFEntityExtractor.get_default_config()
    rasas = CRFEntityExtractor.create(config, storage, resource, context)
    rasas.train(TrainingData([example(text, place) for text, place in EXAMPLES]))
    loaded = StoredCRFEntityExtractor.load(config, storage, resource, context)
    assert loaded.entity_taggers and set(loaded.entity_taggers) == set(rasas.entity_taggers)
