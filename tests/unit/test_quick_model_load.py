"""Loading any of our components (as Rasa does when it reads the model) installs the quick load."""

from rasa.utils.tensorflow.models import RasaModel

from rasa_addons import quick_model_load


def test_importing_our_components_installs_the_quick_load():
    assert RasaModel.load.__func__ is quick_model_load.load_with_eager_build
