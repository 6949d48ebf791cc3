"""Tests of the character-level text pipeline (dlbook.text)."""

import numpy as np
import pytest

from dlbook.text import Vocabulary, load_char_corpus, load_pydoc_text, random_windows, train_val_split


def test_pydoc_text_is_large_english_and_deterministic():
    text = load_pydoc_text()
    assert len(text) > 400_000
    assert "the" in text and text == load_pydoc_text()


def test_vocabulary_round_trip_and_errors():
    vocab = Vocabulary.from_text("hello world")
    ids = vocab.encode("world hello")
    assert ids.dtype == np.int64 and vocab.decode(ids) == "world hello"
    assert vocab.size == len(set("hello world")) == len(vocab)
    with pytest.raises(ValueError, match="not in the vocabulary"):
        vocab.encode("xyz")
    with pytest.raises(ValueError, match="ids"):
        vocab.decode([vocab.size])


def test_split_is_contiguous():
    ids = np.arange(100)
    train, val = train_val_split(ids, 0.2)
    assert len(train) == 80 and len(val) == 20 and train[-1] + 1 == val[0]
    with pytest.raises(ValueError, match="val_fraction"):
        train_val_split(ids, 1.5)


def test_windows_are_shifted_by_one():
    ids = np.arange(50)
    x, y = random_windows(ids, 8, 10, rng=0)
    assert x.shape == y.shape == (8, 10)
    np.testing.assert_array_equal(y, x + 1)
    with pytest.raises(ValueError, match="seq_len"):
        random_windows(ids, 2, 50)


def test_corpus_covers_the_text():
    vocab, train, val = load_char_corpus(0.1)
    assert vocab.size < 200 and len(val) == pytest.approx(0.1 * (len(train) + len(val)), abs=1)
