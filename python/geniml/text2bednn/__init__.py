"""Text2BedNN: a feed-forward network mapping sentence embeddings to region-set embeddings.

``Vec2Vec`` is trained on pairs (embedding of a file's metadata sentence, the file's
region-set embedding) with early stopping on a validation split, and saved as a model folder
(``config.yaml`` with ``model_type: text2bednn``, ``model.safetensors``, upstream's
``checkpoint.pt``). torch is imported only when a network is built.
"""

from __future__ import annotations

from geniml.text2bednn.model import TrainHistory, Vec2Vec, Vec2VecFNN

__all__ = ["TrainHistory", "Vec2Vec", "Vec2VecFNN"]
