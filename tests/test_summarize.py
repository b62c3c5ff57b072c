from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.stages.summarize import (
    MAX_WORDS,
    AbstractiveSummarizer,
    LeadSummarizer,
    Summarizer,
    TextRankSummarizer,
    claim_problems,
    ungrounded,
)
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def referat(pipeline):
    return pipeline.process(SAMPLE / "punkt_referat.txt")


def test_summaries_say_what_was_decided_and_who_dissented(referat):
    summaries = {item.number: item.summary for item in referat.items}
    assert summaries[1] == "Dagsordenen blev godkendt. Bent Sørensen havde meldt afbud."
    assert summaries[2].endswith("Orienteringen blev taget til efterretning.")
    assert "58 %" in summaries[2]  # the key figure
    assert summaries[3].endswith("Dennis Ø. Lund (Ø) stemte imod.")
    assert summaries[4] == "Sagen blev drøftet."
    assert summaries[5] == "Formanden orienterede om vejarbejdet på Storegade."
    for item in referat.items:
        assert len(item.summary.split()) <= MAX_WORDS
        start, end = item.spans["item"]
        assert ungrounded(item.summary, referat.source.text[start:end]) == []


def test_a_council_item_without_indstilling_is_summarised_in_its_own_words(pipeline, tmp_path):
    path = tmp_path / "byraad.txt"
    path.write_text("Referat Byrådet 4. marts 2025\n\nPunkt 1: Salg af grunden ved havnen\n\n24/881\n\nSagsfremstilling\n\n"
                    "Kommunen har modtaget et bud på grunden ved havnen fra en lokal virksomhed.\n\n"
                    "Beslutning i Byrådet den 4. marts 2025\n\nByrådet godkendte salget af grunden.\n", encoding="utf-8")
    document = pipeline.process(path)
    item = document.items[0]
    start, end = item.spans["item"]
    assert item.recommendation is None and "indstillingen" not in item.summary.lower()
    assert "Udvalget" not in item.summary and "godkendte salget" in item.summary
    assert claim_problems(item.summary, document.source.text[start:end], item.recommendation, item.outcome) == []


def test_claim_check_finds_claims_the_item_does_not_back():
    source = "Punkt 1: Salg af grunden\n\nBeslutning i Byrådet\n\nByrådet godkendte salget."
    assert claim_problems("Byrådet godkendte salget.", source, None, "approved") == []
    problems = claim_problems("Udvalget godkendte indstillingen.", source, None, "approved")
    assert any("Indstilling" in p for p in problems) and any("'Udvalget'" in p for p in problems)
    assert any("approval" in p for p in claim_problems("Salget blev godkendt.", source, None, "postponed"))


def test_grounding_check_finds_invented_numbers_and_names():
    source = "Udsorteringen steg fra 41 % til 58 % i 2022 i Favrskov Kommune."
    assert ungrounded("Udsorteringen steg til 58 % i 2022.", source) == []
    assert ungrounded("Udsorteringen steg til 75 % i Favrskov.", source) == ["75"]
    assert ungrounded("Udsorteringen steg i Aarhus. Orienteringen blev taget til efterretning.", source) == ["Aarhus"]


@pytest.mark.parametrize("baseline", [LeadSummarizer, TextRankSummarizer])
def test_baselines_stay_within_the_limit(baseline, referat):
    for item in referat.items:
        text = baseline().summarize(referat, item).text
        assert text and len(text.split()) <= MAX_WORDS


@pytest.fixture(scope="module")
def tiny_seq2seq(tmp_path_factory) -> Path:
    """A tiny BERT2BERT seq2seq built here (WordPiece trained on our minutes) and trained for a few steps to
    copy an item's first words: a real model, small enough for a test."""
    import torch
    from tokenizers import BertWordPieceTokenizer
    from transformers import BertConfig, BertTokenizerFast, EncoderDecoderConfig, EncoderDecoderModel

    folder = tmp_path_factory.mktemp("tiny-bert2bert")
    texts = [p.read_text(encoding="utf-8") for p in SAMPLE.glob("*.txt")]
    wordpiece = BertWordPieceTokenizer(lowercase=False, strip_accents=False)
    wordpiece.train_from_iterator(texts, vocab_size=400, min_frequency=1)
    wordpiece.save_model(str(folder))
    tokenizer = BertTokenizerFast(vocab_file=str(folder / "vocab.txt"), do_lower_case=False)
    small = dict(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                 intermediate_size=64, max_position_embeddings=256)
    config = EncoderDecoderConfig.from_encoder_decoder_configs(BertConfig(**small), BertConfig(**small))
    config.decoder_start_token_id, config.pad_token_id = tokenizer.cls_token_id, tokenizer.pad_token_id
    config.eos_token_id = tokenizer.sep_token_id
    model = EncoderDecoderModel(config=config)
    torch.manual_seed(0)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)
    pairs = [(t, " ".join(t.split()[:8])) for t in texts]
    for _ in range(30):
        for source, target in pairs:
            inputs = tokenizer(source, truncation=True, max_length=128, return_tensors="pt")
            labels = tokenizer(target, return_tensors="pt").input_ids
            loss = model(input_ids=inputs.input_ids, attention_mask=inputs.attention_mask, labels=labels).loss
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
    model.generation_config.decoder_start_token_id = tokenizer.cls_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    model.generation_config.eos_token_id = tokenizer.sep_token_id
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_abstractive_summaries_are_checked_and_fall_back(tiny_seq2seq, referat):
    summarizer = Summarizer(AbstractiveSummarizer(str(tiny_seq2seq), max_new_tokens=24))
    methods = set()
    for item in referat.items:
        summary = summarizer.summarize(referat, item)
        methods.add(summary.method)
        start, end = item.spans["item"]
        assert len(summary.text.split()) <= MAX_WORDS
        if summary.method == "abstractive":
            assert ungrounded(summary.text, referat.source.text[start:end]) == []
        else:
            assert summary.method == "extractive-fallback"
            assert summary.text == summarizer.extractive.summarize(referat, item).text
    assert methods <= {"abstractive", "extractive-fallback"} and methods


def test_missing_checkpoint_is_refused():
    with pytest.raises(FileNotFoundError, match="no downloads"):
        AbstractiveSummarizer("no/such/checkpoint")
