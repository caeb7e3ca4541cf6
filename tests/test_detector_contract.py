"""The contract every frame detector follows (scikit-learn conventions).

New detectors (topic models, classifiers) are added to ``DETECTORS``; each
must pass every test here.
"""

from __future__ import annotations

import inspect

import pandas as pd
import pytest
from sklearn.base import clone

from framing.frames import LexiconDetector
from framing.frames.classify import FrameClassifier
from framing.frames.topics import TopicModel

DOCUMENTS = [
    ("a", "Russia's full-scale invasion of Ukraine began on 24 February."),
    ("b", 'The Kremlin calls the war a "special military operation".'),
    ("c", "Grain prices rose in markets across Africa."),
]

DETECTORS = {
    "lexicon": lambda: LexiconDetector(lexicon="war-naming", batch_size=2),
    # Features that also count mentions of other events.
    "lexicon-referents": lambda: LexiconDetector(
        lexicon="war-naming", batch_size=2, referents=("event", "other")
    ),
    "topics": lambda: TopicModel(
        k=2, passes=2, no_below=1, no_above=1.0, phrase_layers=0, batch_size=2
    ),
    # Unlabelled fit(DOCUMENTS): labels come from own-voice lexicon naming.
    "classifier": lambda: FrameClassifier(weak_labels="war-naming", char_ngrams=None),
}


@pytest.fixture(params=sorted(DETECTORS))
def make(request):
    return DETECTORS[request.param]


def test_hyperparameters_are_keyword_only(make):
    parameters = inspect.signature(type(make()).__init__).parameters
    for name, parameter in parameters.items():
        if name != "self":
            assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, name


def test_hyperparameters_are_stored_unchanged_and_clone(make):
    detector = make()
    params = detector.get_params()
    for name, value in params.items():
        assert getattr(detector, name) is value
    assert clone(detector).get_params() == params


def test_fit_returns_self_and_learns_trailing_underscore_state(make):
    detector = make()
    before = set(vars(detector))
    assert detector.fit(DOCUMENTS) is detector
    learned = set(vars(detector)) - before
    assert learned
    assert all(name.endswith("_") for name in learned)


def test_transform_gives_one_row_per_document_in_order(make):
    features = make().fit(DOCUMENTS).transform(DOCUMENTS)
    assert isinstance(features, pd.DataFrame)
    assert features["doc_id"].tolist() == ["a", "b", "c"]


def test_inputs_in_every_accepted_form_agree(make):
    detector = make().fit(DOCUMENTS)
    frame = pd.DataFrame(DOCUMENTS, columns=["doc_id", "text"])
    pd.testing.assert_frame_equal(
        detector.transform(DOCUMENTS), detector.transform(frame)
    )


def test_results_are_deterministic(make):
    first = make().fit(DOCUMENTS).transform(DOCUMENTS)
    second = make().fit(DOCUMENTS).transform(DOCUMENTS)
    pd.testing.assert_frame_equal(first, second)
