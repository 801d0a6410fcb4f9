"""Loads DIET and ResponseSelector models in under half the time, with the same weights.

Why: to give a loaded model the right shapes, Rasa 3.6 (`RasaModel.load`) fits it on one
example before reading the saved weights, and that fit first compiles the whole training
step into a TensorFlow graph: on these 2 cores about 37 of the 65 seconds a load took
(`import rasa` included), for a step that runs once and whose result the weights overwrite. Running
that single step eagerly skips the compilation; prediction then uses a compiled graph as
before. `scripts/benchmark_model_load.py` measures both ways.

Installed when `rasa_addons` is imported, which Rasa does when it reads our model's
pipeline, before it loads any component. CONSEILLER_QUICK_MODEL_LOAD=0 keeps Rasa's own.
"""

from __future__ import annotations

import os
from typing import Any, Text

ENVIRONMENT_SWITCH = "CONSEILLER_QUICK_MODEL_LOAD"


def load_with_eager_build(
    cls,
    model_file_name: Text,
    model_data_example,
    predict_data_example=None,
    finetune_mode: bool = False,
    *args: Any,
    **kwargs: Any,
):
    """Rasa's `RasaModel.load`, except that the one-example fit runs eagerly."""
    import tensorflow as tf
    from rasa.utils.tensorflow.constants import LEARNING_RATE, RUN_EAGERLY
    from rasa.utils.tensorflow.data_generator import RasaBatchDataGenerator

    model = cls(*args, **kwargs)
    config = kwargs.get("config", {})
    model.compile(optimizer=tf.keras.optimizers.Adam(config.get(LEARNING_RATE, 0.001)), run_eagerly=True)
    model.fit(RasaBatchDataGenerator(model_data_example, batch_size=1), verbose=False)
    model.load_weights(model_file_name)
    model.run_eagerly = config.get(RUN_EAGERLY)  # predictions: a compiled graph, as Rasa does
    if not finetune_mode and predict_data_example:
        model.run_inference(predict_data_example)  # traces the prediction graph now, not on the first message
    return model


def install() -> bool:
    """Replaces `RasaModel.load` unless the switch says 0; True when installed."""
    if os.environ.get(ENVIRONMENT_SWITCH, "1") == "0":
        return False
    from rasa.utils.tensorflow.models import RasaModel

    RasaModel.load = classmethod(load_with_eager_build)
    return True
