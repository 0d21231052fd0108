"""BEDspace: joint embeddings of region sets (BED files) and their metadata labels.

A StarSpace ``trainMode 0`` model: a file is the bag of its universe regions, each of its labels
is a target. ``preprocess`` writes StarSpace's input, ``train`` fits the model (natively in Rust,
or with the StarSpace binary), :class:`BEDSpaceModel` embeds files and labels and searches in
three directions (``r2l``, ``l2r``, ``r2r``), ``distances`` precomputes the tables ``search``
reads.
"""

from geniml.bedspace.distances import distances, search
from geniml.bedspace.model import BEDSpaceModel
from geniml.bedspace.preprocess import preprocess
from geniml.bedspace.train import train

__all__ = ["BEDSpaceModel", "distances", "preprocess", "search", "train"]
