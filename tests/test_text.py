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


def test_language_model_training_and_generation():
    from dlbook.attention import GPT
    from dlbook.rnn import CharLM
    from dlbook.text import generate, sequence_cross_entropy, train_language_model

    text = "the cat sat on the mat. " * 40
    vocab = Vocabulary.from_text(text)
    ids = vocab.encode(text)
    for model in (
        CharLM(vocab.size, 8, 16, rng=0, dtype=np.float64),
        GPT(vocab.size, d_model=16, n_heads=2, n_layers=1, max_len=12, rng=0),
    ):
        hist = train_language_model(model, ids, ids, steps=60, batch_size=8, seq_len=12, lr=1e-2, eval_every=20)
        assert hist.steps == [20, 40, 60] and len(hist.val_loss) == 3
        assert hist.val_loss[-1] < 0.6 * np.log(vocab.size)  # far below uniform guessing
        sample = generate(model, vocab, "the ", length=30, temperature=0.5, rng=0)
        assert sample.startswith("the ") and len(sample) == 34
    with pytest.raises(ValueError, match="logits"):
        sequence_cross_entropy(np.zeros((2, 3, 4)), np.zeros((2, 4), dtype=int))
