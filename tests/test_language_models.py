"""Tests of dlbook.language_models (and the sequence tasks of dlbook.data): gradients, the layer contract, training
with dlbook.train.fit, generation, bad input."""

import numpy as np
import pytest

from dlbook.data import TeacherForcedBatches, recall_task, reversal_task
from dlbook.gradcheck import numerical_gradient
from dlbook.language_models import GPT, BERTEncoder, CharLM, Seq2SeqAttention, SequenceClassifier, generate
from dlbook.optim import Adam
from dlbook.text import Vocabulary, WindowBatches
from dlbook.train import ArrayBatches, fit


def norm_error(a, b):
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(a) + np.linalg.norm(b), 1e-12))


def grad_errors(model, fwd, seed=1, eps=1e-6):
    """Norm-relative error of every parameter's gradient against central differences, L = sum(r * out); also
    returns what backward returned."""
    out = fwd()
    r = np.random.default_rng(seed).standard_normal(out.shape)
    returned = model.backward(r)
    analytic = {name: owner.grads[key].copy() for name, owner, key in model.named_parameters()}

    def loss():
        return float(np.sum(r * fwd()))

    errs = {
        name: norm_error(analytic[name], numerical_gradient(loss, owner.params[key], eps))
        for name, owner, key in model.named_parameters()
    }
    return errs, returned


def test_recurrent_models_gradients_and_none_for_ids():
    ids = np.random.default_rng(0).integers(0, 7, (3, 5))
    for model in (CharLM(7, 4, 6, rng=0, dtype=np.float64), SequenceClassifier(7, 4, 6, 3, cell="rnn", rng=0)):
        errs, returned = grad_errors(model, lambda m=model: m.forward(ids))
        assert max(errs.values()) < 1e-7, errs
        assert returned is None  # token ids have no gradient


@pytest.mark.parametrize("cls", [GPT, BERTEncoder])
@pytest.mark.parametrize("norm_first", [True, False])
def test_transformer_models_gradients(cls, norm_first):
    ids = np.random.default_rng(0).integers(0, 11, (2, 6))
    model = cls(11, d_model=8, num_heads=2, num_layers=2, max_len=8, norm_first=norm_first, rng=0)
    assert model.forward(ids).shape == (2, 6, 11)
    errs, returned = grad_errors(model, lambda: model.forward(ids))
    assert max(errs.values()) < 1e-6, errs  # tiny embeddings (std 0.02) leave small gradients
    assert returned is None


def test_seq2seq_gradients_and_alignment():
    rng = np.random.default_rng(0)
    s2s = Seq2SeqAttention(7, 8, 8, 10, 12, rng=0)
    src, tgt = rng.integers(0, 7, (2, 5)), rng.integers(0, 8, (2, 4))
    errs, returned = grad_errors(s2s, lambda: s2s.forward(src, tgt), eps=1e-4)  # W_q's gradient is small
    assert max(errs.values()) < 1e-7, errs
    assert returned == (None, None)  # one None per input
    assert s2s.alignment.shape == (2, 4, 5)
    np.testing.assert_allclose(s2s.alignment.sum(-1), 1.0)


def test_causal_vs_bidirectional():
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 11, (1, 6))
    ids2 = ids.copy()
    ids2[0, -1] = (ids[0, -1] + 1) % 11  # change only the last token
    gpt = GPT(11, d_model=8, num_heads=2, num_layers=2, max_len=8, rng=0)
    bert = BERTEncoder(11, d_model=8, num_heads=2, num_layers=2, max_len=8, rng=0)
    np.testing.assert_allclose(gpt.forward(ids)[0, :-1], gpt.forward(ids2)[0, :-1], atol=1e-12)
    assert np.abs(bert.forward(ids)[0, :-1] - bert.forward(ids2)[0, :-1]).max() > 1e-6


def test_charlm_step_uses_its_head_and_equals_forward():
    rng = np.random.default_rng(0)
    model = CharLM(9, 4, 6, rng=0, dtype=np.float64)
    ids = rng.integers(0, 9, (2, 5))
    logits = model.forward(ids)
    state = None
    for t in range(5):
        step_logits, state = model.step(ids[:, t], state)
        np.testing.assert_allclose(step_logits, logits[:, t], atol=1e-12)
    model.head.params["b"] += 1.0  # the head layer is what step reads out with
    np.testing.assert_allclose(model.step(ids[:, 0])[0], model.forward(ids[:, :1])[:, 0], atol=1e-12)


@pytest.mark.parametrize(
    "make, inputs",
    [
        (lambda: CharLM(7, 4, 6, rng=0), (np.zeros((2, 3), int),)),
        (lambda: SequenceClassifier(7, 4, 6, 3, rng=0), (np.zeros((2, 3), int),)),
        (lambda: GPT(7, d_model=8, num_heads=2, num_layers=1, max_len=4, rng=0), (np.zeros((2, 3), int),)),
        (lambda: Seq2SeqAttention(7, 8, 4, 6, 5, rng=0), (np.zeros((2, 3), int), np.zeros((2, 4), int))),
    ],
)
def test_contract_backward_before_forward_and_wrong_dout(make, inputs):
    model = make()
    with pytest.raises(RuntimeError, match="before forward"):
        model.backward(np.zeros((2, 3, 7)))
    out = model.forward(*inputs)
    with pytest.raises(ValueError, match=r"\bdout\b"):
        model.backward(np.zeros((*out.shape[:-1], out.shape[-1] + 1)))


def test_language_models_train_with_fit_and_generate():
    text = "the cat sat on the mat. " * 40
    vocab = Vocabulary.from_text(text)
    ids = vocab.encode(text)
    val = list(WindowBatches(ids, batch_size=8, seq_len=12, num_batches=2, rng=1))
    for model in (
        CharLM(vocab.size, 8, 16, rng=0, dtype=np.float64),
        GPT(vocab.size, d_model=16, num_heads=2, num_layers=1, max_len=12, rng=0),
        CharLM(vocab.size, 8, 16, cell="rnn", rng=0, dtype=np.float64),
    ):
        hist = fit(
            model,
            WindowBatches(ids, batch_size=8, seq_len=12, rng=0),
            loss="softmax_ce",
            optimizer=Adam(model, lr=1e-2),
            steps=60,
            clip_grad_norm=1.0,
            val_batches=val,
            eval_every=20,
        )
        assert hist.steps == [20, 40, 60] and len(hist.val_loss) == 3
        assert hist.val_loss[-1] < 0.6 * np.log(vocab.size)  # far below uniform guessing
        sample = generate(model, vocab, "the ", length=30, temperature=0.5, rng=0)
        assert sample.startswith("the ") and len(sample) == 34
        assert sample == generate(model, vocab, "the ", length=30, temperature=0.5, rng=0)


def test_sequence_classifier_learns_recall_with_fit():
    X, y = recall_task(600, 5, rng=0)
    X_val, y_val = recall_task(200, 5, rng=1)
    model = SequenceClassifier(8, 8, 16, 4, cell="lstm", rng=0)
    draw = np.random.default_rng(0)
    batches = ArrayBatches(X, y, order=[draw.integers(0, len(X), size=32) for _ in range(150)])
    hist = fit(
        model, batches, loss="softmax_ce", optimizer=Adam(model, lr=1e-2), steps=150, clip_grad_norm=1.0,
        val_batches=(X_val, y_val), eval_every=50,
    )  # fmt: skip
    assert hist.steps == [50, 100, 150] and hist.val_acc[-1] > 0.9


def test_reversal_task_is_learned_quickly_with_fit():
    src, tgt = reversal_task(500, 4, num_symbols=5, rng=0)
    np.testing.assert_array_equal(tgt, src[:, ::-1])
    model = Seq2SeqAttention(5, 6, 8, 24, 16, rng=0)
    batches = TeacherForcedBatches(src, tgt, bos=5, batch_size=32, rng=0)
    hist = fit(model, batches, loss="softmax_ce", optimizer=Adam(model, lr=1e-2), steps=150, clip_grad_norm=1.0)
    assert np.mean(hist.step_loss[-10:]) < 0.3 * np.mean(hist.step_loss[:10])
    pred = model.greedy_decode(src[:50], 4, bos=5)
    assert np.mean(pred == tgt[:50]) > 0.8


def test_teacher_forced_batches_shift_the_target():
    src, tgt = reversal_task(20, 6, num_symbols=4, rng=0)
    (s, t_in), t = next(iter(TeacherForcedBatches(src, tgt, bos=4, batch_size=3, rng=0)))
    idx = np.random.default_rng(0).integers(0, 20, size=3)  # drawn with replacement, one generator
    np.testing.assert_array_equal(s, src[idx])
    np.testing.assert_array_equal(t, tgt[idx])
    np.testing.assert_array_equal(t_in[:, 0], 4)
    np.testing.assert_array_equal(t_in[:, 1:], t[:, :-1])
    with pytest.raises(ValueError, match=r"\bbos\b"):
        TeacherForcedBatches(src, tgt, bos=2, batch_size=3)
    with pytest.raises(ValueError, match=r"\bsrc and tgt\b"):
        TeacherForcedBatches(src, tgt[:5], bos=4, batch_size=3)
    passes = TeacherForcedBatches(src, tgt, bos=4, batch_size=3, num_batches=2, rng=0)
    assert len(list(passes)) == 2 and len(list(passes)) == 2  # re-iterable, fresh draws each pass


def test_tasks():
    ids, y = recall_task(100, 12, num_symbols=4, rng=0)
    assert ids.shape == (100, 12) and np.all(ids[:, 0] == y) and np.all(ids[:, 1:] >= 4) and np.all(ids < 8)
    assert ids.dtype == y.dtype == np.int64
    with pytest.raises(ValueError, match=r"\bnum_symbols\b"):
        reversal_task(10, 3, num_symbols=0)
    with pytest.raises(ValueError, match=r"\bT\b"):
        recall_task(10, 0)


def test_bad_input():
    gpt = GPT(11, d_model=8, num_heads=2, num_layers=1, max_len=4, rng=0)
    with pytest.raises(ValueError, match="max_len"):
        gpt.forward(np.zeros((1, 6), dtype=int))
    with pytest.raises(ValueError, match=r"\bids\b"):
        gpt.forward(np.array([[1, -1]]))  # negative ids used to wrap around to the last row
    with pytest.raises(ValueError, match=r"\bids\b"):
        gpt.forward(np.array([[1, 11]]))
    with pytest.raises(ValueError, match=r"\bids\b"):
        CharLM(5, 2, 3, rng=0).forward(np.zeros(4, dtype=int))
    with pytest.raises(ValueError, match=r"\bnum_heads\b"):
        GPT(11, d_model=10, num_heads=3, rng=0)
    with pytest.raises(ValueError, match=r"\bsrc and tgt_in\b"):
        Seq2SeqAttention(5, 6, 4, 6, 5, rng=0).forward(np.zeros((2, 3), int), np.zeros((3, 3), int))
    with pytest.raises(ValueError, match=r"\bcell\b"):
        CharLM(5, 2, 3, cell="gru")
    with pytest.raises(ValueError, match=r"\bstep\b"):
        CharLM(5, 2, 3, cell="rnn", rng=0).step(np.array([0]))
    vocab = Vocabulary("ab")
    with pytest.raises(ValueError, match=r"\bprompt\b"):
        generate(CharLM(2, 2, 3, rng=0), vocab, "")
    with pytest.raises(ValueError, match=r"\bprompt\b"):
        generate(CharLM(2, 2, 3, rng=0), vocab, "abc")
    with pytest.raises(ValueError, match=r"\btemperature\b"):
        generate(CharLM(2, 2, 3, rng=0), vocab, "a", temperature=0)
