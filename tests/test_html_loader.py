"""Saved glossary web pages: the default selectors read pages of the reference shape; custom ones read another site."""

from __future__ import annotations

from pathlib import Path

import pytest

import loaders
from graph.errors import LoadError, UsageError
from graph.model import Concept, Reference, Source

HTML = Path(__file__).parent / "data" / "html"

CUSTOM_SELECTORS = {
    "title": ".term-name",
    "definition": ".summary",
    "aliases": ".synonyms em",
    "category": ".crumbs .group",
    "level": ".difficulty",
    "published": ".added",
    "body": ".long",
    "sources": ".refs li",
    "related": ".see-also a",
}

DEFAULT_EXPECTED = [
    Concept(
        "embedding", "Embedding",
        "An embedding turns a word, sentence or image into a list of numbers, so that similar things get similar "
        "lists.",
        body="## Why It Matters\n\nSearch, clustering & recommendation all compare embeddings with <cosine> "
        "similarity.",
        aliases=("vector representation",), categories=("Foundations",), level="Beginner", published="2026-W03",
        related=(Reference("Retrieval-Augmented Generation"),),
    ),
    Concept(
        "retrieval-augmented-generation", "Retrieval-Augmented Generation",
        "Retrieval-augmented generation lets a language model look up passages in a document store and answer with "
        "them in view.",
        body="## What is Retrieval-Augmented Generation?\n\nThe model receives the question together with a handful of "
        "retrieved passages, so its answer can cite sources it was never trained on.\n\n## How It Works\n\n"
        "1. Split the documents into chunks and store their embeddings.\n2. Embed the question and fetch the closest "
        "chunks.\n3. Put the chunks into the prompt and generate.\n\nGood chunking matters more than the choice of "
        'vector store; "garbage in, garbage out" applies.',
        aliases=("RAG", "retrieval augmentation"), categories=("Applications & Tools",), level="Intermediate",
        published="2026-W12",
        sources=(Source("Lewis et al. – Retrieval for knowledge-intensive tasks", "https://example.org/papers/rag"),
                 Source("Internal notes, 2025")),
        related=(Reference("Embedding"), Reference("Vector Database"), Reference("Large Language Model")),
    ),
    Concept(
        "vector-database", "Vector Database",
        "A vector database keeps embeddings and finds the nearest ones to a query quickly.",
        body="Indexes such as HNSW trade a little accuracy for a lot of speed.",
        categories=("Infrastructure",), level="Advanced",
    ),
]

CUSTOM_EXPECTED = [
    Concept(
        "alpha", "Alpha Blending", "Mixing a colour with the one behind it according to its opacity.",
        body="Premultiplied alpha avoids dark fringes.", aliases=("alpha compositing", "transparency mixing"),
        categories=("Graphics",), level="Easy", published="2025-11-02",
        sources=(Source("Porter and Duff, 1984", "https://example.org/porter-duff"),),
        related=(Reference("Beta Channel"),),
    ),
    Concept(
        "beta", "Beta Channel", "A release line that gets features before they are stable.",
        categories=("Releases",), related=(Reference("Alpha Blending"), Reference("Gamma Ray")),
    ),
]


def test_default_selectors_read_reference_shaped_pages() -> None:
    glossary = loaders.load(HTML / "default")
    assert glossary.format == "html"
    assert glossary.concepts == DEFAULT_EXPECTED


def test_custom_selectors_as_options() -> None:
    glossary = loaders.load(HTML / "custom", "html", selectors=CUSTOM_SELECTORS, title_pattern=None)
    assert glossary.concepts == CUSTOM_EXPECTED


def test_custom_selectors_from_a_config_file() -> None:
    glossary = loaders.load(HTML / "custom", fields_config=HTML / "custom-site.yaml")
    assert glossary.concepts == CUSTOM_EXPECTED


def test_links_resolve_across_pages() -> None:
    from graph.local import LocalStore

    store = LocalStore(loaders.load(HTML / "default"))
    view = store.concept("RAG")
    assert view.links == ("embedding", "vector-database")
    assert view.broken == ("Large Language Model",)
    assert store.concept("embedding").backlinks == ("retrieval-augmented-generation",)


def test_a_page_without_a_title_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "good.html").write_text("<h1>What is Good?</h1><p class='definition'>Fine.</p>", encoding="utf-8")
    (tmp_path / "bad.html").write_text("<html><body><p>No heading here</p></body></html>", encoding="utf-8")
    with pytest.raises(LoadError) as error:
        loaders.load(tmp_path)
    assert error.value.file == str(tmp_path / "bad.html")
    assert "no title: the selector 'h1' matched nothing with text" in str(error.value)
    lenient = loaders.load(tmp_path, lenient=True)
    assert [c.id for c in lenient.concepts] == ["good"] and len(lenient.problems) == 1


def test_bad_encoding_names_the_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "latin.html").write_bytes(b"<h1>Caf\xe9</h1>\n<p>x</p>")
    with pytest.raises(LoadError) as error:
        loaders.load(tmp_path)
    assert (error.value.file, error.value.line) == (str(tmp_path / "latin.html"), 1)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"selectors": {"title": "h1[["}}, "selectors.title: invalid CSS selector 'h1[['"),
        ({"selectors": {"colour": ".c"}}, "unknown selector field 'colour'"),
        ({"selectors": {"title": 3}}, "selectors.title must be a CSS selector or a list of them"),
        ({"title_pattern": "(unclosed"}, "title_pattern is not a valid regular expression"),
        ({"colour": "red"}, "unknown option 'colour' for the html loader"),
    ],
)
def test_bad_options_are_usage_errors(options: dict, message: str) -> None:
    with pytest.raises(UsageError, match=message.replace("[", r"\[").replace("(", r"\(")):
        loaders.load(HTML / "default", "html", **options)
