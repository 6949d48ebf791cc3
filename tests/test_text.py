"""Tests of the character-level text pipeline (dlbook.text)."""

import numpy as np
import pytest

from dlbook.text import (
    Vocabulary,
    WindowBatches,
    load_char_corpus,
    load_pydoc_text,
    random_windows,
    train_val_split,
)


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


def test_window_batches_are_one_stream_of_random_windows():
    ids = np.arange(200)
    stream = WindowBatches(ids, batch_size=4, seq_len=10, rng=0)
    it = iter(stream)
    first = [next(it) for _ in range(3)]
    rng = np.random.default_rng(0)
    for x, y in first:  # the same windows as random_windows with one generator
        x_ref, y_ref = random_windows(ids, 4, 10, rng)
        np.testing.assert_array_equal(x, x_ref)
        np.testing.assert_array_equal(y, y_ref)
        np.testing.assert_array_equal(y, x + 1)
    fixed = list(WindowBatches(ids, batch_size=4, seq_len=10, num_batches=2, rng=1))
    assert len(fixed) == 2 and fixed[0][0].shape == (4, 10)
    with pytest.raises(ValueError, match=r"\bseq_len\b"):
        WindowBatches(ids, 2, 200)
    with pytest.raises(ValueError, match=r"\bnum_batches\b"):
        WindowBatches(ids, 2, 5, num_batches=0)
    with pytest.raises(ValueError, match=r"\bids\b"):
        WindowBatches(np.linspace(0, 1, 50), 2, 5)
