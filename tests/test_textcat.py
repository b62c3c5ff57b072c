"""Each backend really trains on synthetic items, beats the majority class on held-out ones, and predicts
the same after save and load."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from pipeline.config import ITEM_TYPES, load_taxonomy
from pipeline.stages.textcat import SklearnClassifier, SpacyClassifier, TextClassifier, TransformersClassifier
from tests.synthetic import make_items

TRAIN, HELD_OUT = make_items(160, seed=1), make_items(60, seed=2)


def accuracy(model: TextClassifier) -> float:
    predicted = model.predict([t for t, _, _ in HELD_OUT])
    return float(np.mean([p == kind for (p, _), (_, kind, _) in zip(predicted, HELD_OUT)]))


def majority_accuracy() -> float:
    majority = Counter(kind for _, kind, _ in TRAIN).most_common(1)[0][0]
    return float(np.mean([kind == majority for _, kind, _ in HELD_OUT]))


def assert_round_trip(model: TextClassifier, path: Path, **load_args) -> None:
    model.save(path)
    again = TextClassifier.load(path, **load_args)
    texts = [t for t, _, _ in HELD_OUT[:10]]
    assert again.labels == model.labels
    np.testing.assert_allclose(again.predict_proba(texts), model.predict_proba(texts), rtol=1e-5, atol=1e-6)


def test_sklearn_type_model_learns_and_round_trips(tmp_path):
    model = SklearnClassifier(evidence_weight=0.0).fit([t for t, _, _ in TRAIN], [k for _, k, _ in TRAIN], list(ITEM_TYPES))
    assert accuracy(model) > max(0.9, majority_accuracy())
    assert_round_trip(model, tmp_path / "m")


def test_sklearn_topic_model_with_lexicon_evidence(tmp_path):
    taxonomy = load_taxonomy()
    model = SklearnClassifier(multilabel=True, taxonomy=taxonomy).fit(
        [t for t, _, _ in TRAIN], [topics for _, _, topics in TRAIN], taxonomy.labels
    )
    predicted = model.predict([t for t, _, _ in HELD_OUT])
    exact = np.mean([sorted(l for l, _ in p) == sorted(topics) for p, (_, _, topics) in zip(predicted, HELD_OUT)])
    empty_baseline = np.mean([not topics for _, _, topics in HELD_OUT])
    assert exact > max(0.9, empty_baseline)
    assert_round_trip(model, tmp_path / "m", taxonomy=taxonomy)


def test_spacy_textcat_trained_with_spacy_train(tmp_path):
    model = SpacyClassifier(max_epochs=8).fit([t for t, _, _ in TRAIN], [k for _, k, _ in TRAIN], list(ITEM_TYPES))
    assert accuracy(model) > max(0.8, majority_accuracy())
    assert_round_trip(model, tmp_path / "m")


@pytest.fixture(scope="module")
def tiny_checkpoint(tmp_path_factory) -> Path:
    """A tiny BERT built here: a WordPiece tokenizer trained on our minutes, a 2-layer config, random weights."""
    from tokenizers import BertWordPieceTokenizer
    from transformers import BertConfig, BertModel, BertTokenizerFast

    from tests.conftest import SAMPLE

    folder = tmp_path_factory.mktemp("tiny-bert")
    corpus = [p.read_text(encoding="utf-8", errors="replace") for p in SAMPLE.glob("*.txt")]
    corpus += [t for t, _, _ in TRAIN]
    wordpiece = BertWordPieceTokenizer(lowercase=True, strip_accents=False)
    wordpiece.train_from_iterator(corpus, vocab_size=600, min_frequency=1)
    wordpiece.save_model(str(folder))
    BertTokenizerFast(vocab_file=str(folder / "vocab.txt"), do_lower_case=True).save_pretrained(folder)
    config = BertConfig(vocab_size=wordpiece.get_vocab_size(), hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=128)
    BertModel(config).save_pretrained(folder)
    return folder


def test_transformers_fine_tunes_a_local_checkpoint(tiny_checkpoint, tmp_path):
    model = TransformersClassifier(checkpoint=str(tiny_checkpoint), epochs=20, learning_rate=1e-3, batch_size=16,
                                   max_length=64).fit([t for t, _, _ in TRAIN], [k for _, k, _ in TRAIN], list(ITEM_TYPES))
    assert accuracy(model) > max(0.6, majority_accuracy())
    assert_round_trip(model, tmp_path / "m")


def test_transformers_refuses_a_missing_checkpoint():
    with pytest.raises(FileNotFoundError, match="no downloads"):
        TransformersClassifier(checkpoint="does/not/exist").fit(["x"], ["Beslutning"])


def test_saved_sklearn_model_is_numbers_and_words_and_a_pickle_is_refused(tmp_path):
    import numpy as np

    items = make_items(30, seed=5)
    model = SklearnClassifier().fit([t for t, _, _ in items], [k for _, k, _ in items], list(ITEM_TYPES))
    model.save(tmp_path / "m")
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["classifier.json", "vocabulary.json", "weights.npz"]
    texts = [t for t, _, _ in make_items(10, seed=6)]
    assert np.array_equal(TextClassifier.load(tmp_path / "m").predict_proba(texts), model.predict_proba(texts))
    # an array of Python objects would need pickle to load: refused, nothing of it runs
    np.savez(tmp_path / "m" / "weights.npz", **{"head.0.coef": np.array([Counter("ab")], dtype=object)})
    with pytest.raises(ValueError, match="allow_pickle"):
        TextClassifier.load(tmp_path / "m")
