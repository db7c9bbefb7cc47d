"""The mention finder: whole words, leftmost-longest, acronyms by case, shared and short labels skipped."""

from __future__ import annotations

import pytest

from graph.mentions import MentionFinder, is_acronym, searchable_text
from graph.model import Concept

CONCEPTS = [
    ("attention", ["Attention"]),
    ("flash", ["Flash Attention", "FlashAttention"]),
    ("rag", ["Retrieval-Augmented Generation", "RAG"]),
    ("training", ["Training"]),
    ("pretraining", ["Pre-training"]),
    ("transformer", ["Transformer"]),
    ("qa", ["Q&A"]),
    ("ai", ["AI"]),  # under 3 characters: never searched
    ("bench-a", ["Benchmark"]),
    ("bench-b", ["benchmark", "Benchmark Suite"]),  # "benchmark" is shared: skipped, but still blocks
    ("gpt4", ["GPT-4"]),
    ("head-a", ["Attention Head"]),
    ("head-b", ["attention head"]),
    ("cafe", ["Café"]),
]


@pytest.fixture(scope="module")
def finder() -> MentionFinder:
    return MentionFinder(CONCEPTS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # acronyms match only as written
        ("Use RAG here.", [("rag", "RAG")]),
        ("a rag doll", []),
        ("Rag and rAG", []),
        # possessive: the apostrophe ends the word; plural: no stemming
        ("RAG's retriever", [("rag", "RAG")]),
        ("Transformers stack layers", []),
        ("the Transformer's layers", [("transformer", "Transformer")]),
        # leftmost-longest, non-overlapping
        ("Flash Attention is fast attention", [("flash", "Flash Attention"), ("attention", "attention")]),
        ("flash attention", [("flash", "flash attention")]),
        # a line break counts as the space inside a label
        ("Flash\nAttention", [("flash", "Flash Attention")]),
        # hyphenated words are one word
        ("self-attention and pre-training", [("pretraining", "pre-training")]),
        ("training, Pre-Training", [("training", "training"), ("pretraining", "Pre-Training")]),
        ("Retrieval-Augmented Generation (RAG)", [("rag", "Retrieval-Augmented Generation"), ("rag", "RAG")]),
        # whole words only
        ("attentional transformers", []),
        ("xattention", []),
        # punctuation inside a label must match exactly
        ("a Q&A bot, not a Q/A or Q A bot", [("qa", "Q&A")]),
        # short labels are never searched
        ("AI and ai", []),
        # a shared label reports nothing, yet still hides the shorter labels inside it
        ("a benchmark; a Benchmark Suite", [("bench-b", "Benchmark Suite")]),
        ("an attention head, one attention", [("attention", "attention")]),
        ("GPT-4 and gpt-4 and GPT-4o", [("gpt4", "GPT-4")]),
        # Unicode letters are word characters; NFKC makes composed and decomposed forms equal
        ("Café and cafe\u0301 but Cafés", [("cafe", "Café"), ("cafe", "café")]),
        ("İstanbul Attention", [("attention", "Attention")]),
        ("", []),
    ],
)
def test_find(finder: MentionFinder, text: str, expected: list[tuple[str, str]]) -> None:
    assert [(m.target, m.surface) for m in finder.find(text)] == expected


def test_offsets_point_at_the_text(finder: MentionFinder) -> None:
    text = "We train (Flash Attention) models."
    [match] = finder.find(text)
    assert text[match.start : match.end] == "Flash Attention"


def test_mentions_counts_and_skips_oneself(finder: MentionFinder) -> None:
    text = "Attention, attention and Flash Attention; the Transformer uses attention."
    assert finder.mentions("transformer", text) == {"attention": ("Attention", 3), "flash": ("Flash Attention", 1)}


@pytest.mark.parametrize(
    ("label", "expected"), [("RAG", True), ("GPT-4", True), ("LLMs", False), ("Attention", False), ("42", False)]
)
def test_is_acronym(label: str, expected: bool) -> None:
    assert is_acronym(label) is expected


@pytest.mark.parametrize(
    ("concept", "expected"),
    [
        (Concept("a", "A", definition="See [[RAG]] now"), "See " + " " * len("[[RAG]]") + " now"),
        (Concept("a", "A", definition="Def.", body="More."), "Def.\n\nMore."),
        # a body that repeats the definition is searched once
        (Concept("a", "A", definition="Def.", body="Def.\n\nMore."), "Def.\n\nMore."),
        (
            Concept("a", "A", definition="Run `RAG()` or see [docs](https://x.y/RAG)."),
            "Run " + " " * len("`RAG()`") + " or see " + " " * len("[docs](https://x.y/RAG)") + ".",
        ),
    ],
)
def test_searchable_text(concept: Concept, expected: str) -> None:
    assert searchable_text(concept) == expected


def test_empty_finder() -> None:
    assert MentionFinder([("a", ["AI"])]).find("AI everywhere") == []
    assert len(MentionFinder([("a", ["AI"])])) == 0
