"""Reference resolution (docs/design.md section 3): id, then title, then an alias owned by one concept."""

from __future__ import annotations

import pytest

from graph.model import Concept, Glossary, Reference
from graph.resolve import Resolver, resolve_links
from graph.text import normalise, parse_wikilink, slugify, strip_link_markup, wikilinks

CONCEPTS = [
    Concept("rag", "Retrieval-Augmented Generation", aliases=("RAG", "retrieval augmentation")),
    Concept("fm", "Foundation Model", aliases=("FM", "base model")),
    Concept("cafe", "Café Latte"),
    Concept("x", "X Model", aliases=("SD",)),
    Concept("y", "Y Model", aliases=("sd",)),
    Concept("title-clash", "FM"),
    Concept("notes", "Notes", path="dev/design/notes"),
]


@pytest.mark.parametrize(
    ("reference", "via", "target"),
    [
        ("rag", "id", "rag"),
        ("RAG", "id", "rag"),  # the id wins over the alias it also matches
        ("retrieval-augmented generation", "title", "rag"),
        ("  Retrieval-Augmented\n Generation ", "title", "rag"),
        ("RETRIEVAL AUGMENTATION", "alias", "rag"),
        ("base model", "alias", "fm"),
        ("FM", "id", "fm"),
        ("Cafe\u0301 Latte", "title", "cafe"),  # NFKC composes e + U+0301 into é
        ("ｆｏｕｎｄａｔｉｏｎ model", "title", "fm"),  # full-width letters fold under NFKC
        ("SD", "ambiguous", None),
        ("dev/design/notes", "path", "notes"),
        ("Nope", "unresolved", None),
    ],
)
def test_resolution_order(reference: str, via: str, target: str | None) -> None:
    resolution = Resolver(CONCEPTS).resolve(reference)
    assert (resolution.via, resolution.target) == (via, target)


def test_title_beats_alias_owned_by_another_concept() -> None:
    resolver = Resolver(CONCEPTS)
    # "fm" is both the id of Foundation Model and the title of title-clash: id first.
    assert resolver.resolve("fm").target == "fm"
    only_title_and_alias = Resolver([Concept("one", "Base Model"), Concept("two", "Other", aliases=("base model",))])
    assert only_title_and_alias.resolve("base model").via == "title"
    assert only_title_and_alias.resolve("base model").target == "one"


def test_shared_title_falls_through_to_a_unique_path() -> None:
    resolver = Resolver([Concept("c1", "Changelog", path="changelog"), Concept("c2", "Changelog", path="v1/changes"),
                         Concept("c3", "Changelog", path="v2/changes")])
    assert (resolver.resolve("changelog").via, resolver.resolve("changelog").target) == ("path", "c1")
    assert resolver.resolve("CHANGELOG ").target == "c1"
    only_titles = Resolver([Concept("c2", "Changelog"), Concept("c3", "Changelog")])
    assert only_titles.resolve("changelog").candidates == ("c2", "c3")


def test_ambiguous_alias_lists_candidates() -> None:
    resolution = Resolver(CONCEPTS).resolve("sd")
    assert (resolution.via, resolution.candidates) == ("ambiguous", ("x", "y"))


def test_link_table_records_how_each_reference_resolved() -> None:
    glossary = Glossary(
        [
            Concept("a", "A", related=(Reference("Beta"), Reference("bee", "wikilink", 3), Reference("zzz"))),
            Concept("b", "Beta", aliases=("bee",)),
        ]
    )
    table = [(ln.source, ln.written, ln.kind, ln.via, ln.target, ln.key) for ln in resolve_links(glossary)]
    assert table == [
        ("a", "Beta", "related", "title", "b", "beta"),
        ("a", "bee", "wikilink", "alias", "b", "bee"),
        ("a", "zzz", "related", "unresolved", None, "zzz"),
    ]


@pytest.mark.parametrize(
    ("inner", "label_first", "target"),
    [
        ("Transformer", False, "Transformer"),
        ("Transformer|the architecture", False, "Transformer"),
        ("Transformer#History", False, "Transformer"),
        ("Transformer#History|history", False, "Transformer"),
        ("note^block-id", False, "note"),
        ("the architecture|transformer", True, "transformer"),
        ("  spaced   out  ", False, "spaced out"),
    ],
)
def test_wikilink_forms(inner: str, label_first: bool, target: str) -> None:
    assert parse_wikilink(inner, label_first) == target


def test_wikilinks_skip_code_and_mark_embeds() -> None:
    text = "Intro [[A]].\n```\n[[in fence]]\n```\nInline `[[in span]]` and ![[pic.png]]\n[[B|bee]]"
    assert list(wikilinks(text)) == [("A", 1, False), ("pic.png", 5, True), ("B", 6, False)]


def test_normalise_and_slugify() -> None:
    assert normalise("Straße\tMODEL") == "strasse model"
    assert normalise("ﬁne-tuning") == "fine-tuning"
    assert slugify("Chain-of-Thought (CoT) Prompting") == "chain-of-thought-cot-prompting"
    assert slugify("注意力") == "注意力"


def test_strip_link_markup_blanks_links_code_and_urls() -> None:
    text = "Uses [[RAG]] and [RAG](https://x.y/rag) and `RAG` and https://rag.example/RAG but RAG"
    stripped = strip_link_markup(text)
    assert stripped.count("RAG") == 1 and stripped.endswith("but RAG") and len(stripped) == len(text)
