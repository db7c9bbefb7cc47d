"""One-page HTML glossaries: Sphinx and Wikipedia definition lists, MkDocs/Docusaurus heading pages; hostile pages."""

from __future__ import annotations

from pathlib import Path

import pytest

import loaders
from graph.errors import LoadError, UsageError
from graph.local import LocalStore
from graph.model import Glossary, Reference, Source
from loaders.html import DEFAULT_MAX_PAGE_SIZE

HTML = Path(__file__).parent / "data" / "html"


def _counts(glossary: Glossary) -> dict[str, int]:
    stats = LocalStore(glossary).stats()
    return {
        "concepts": stats.concepts,
        "aliases": stats.aliases,
        "links": stats.links,
        "broken": stats.broken_links,
        "categories": stats.categories,
        "sources": sum(len(c.sources) for c in glossary.concepts),
    }


def test_sphinx_page_entries_aliases_links_and_sections() -> None:
    glossary = loaders.load(HTML / "sphinx" / "glossary.html")
    assert glossary.format == "html"
    assert _counts(glossary) == {"concepts": 6, "aliases": 2, "links": 6, "broken": 0, "categories": 2, "sources": 2}
    assert [c.id for c in glossary.concepts] == [
        "term-token", "term-tokenizer", "term-embedding", "term-positional-embedding", "term-batch-size",
        "term-latency",
    ]
    concepts = {c.id: c for c in glossary.concepts}
    tokenizer = concepts["term-tokenizer"]
    # Two <dt> share one <dd>: the first is the title, the second an alias; the permalink sign is not text.
    assert (tokenizer.title, tokenizer.aliases, tokenizer.categories) == ("tokenizer", ("tokeniser",), ("Modelling",))
    assert tokenizer.definition == "A program that splits text into tokens from a fixed vocabulary."
    assert tokenizer.body == (
        "Byte-level tokenizers never meet a character they cannot encode.\n\nSee byte-pair merging.")
    assert tokenizer.sources == (Source("byte-pair merging", "https://example.org/notes/byte-pairs"),)
    assert tokenizer.related == (Reference("term-token"),)
    # A link to an alias's anchor is a link to its entry.
    assert concepts["term-latency"].related == (Reference("term-batch-size"),)
    assert concepts["term-latency"].body == "- first-token latency\n- per-token latency"
    assert concepts["term-latency"].categories == ("Serving",)
    # The glossary nested in a definition gives its own entry and is not part of the outer body.
    assert concepts["term-embedding"].body == ""
    nested = concepts["term-positional-embedding"]
    assert nested.definition == "An embedding that tells the model where a token sits in the sequence."
    assert nested.related == (Reference("term-embedding"),) and nested.categories == ("Modelling",)
    # A link to a page that was not loaded is a source; the origin is the line of the first <dt>.
    assert concepts["term-batch-size"].sources == (Source("quantised", "extra.html#term-quantisation"),)
    assert concepts["term-batch-size"].origin is not None and concepts["term-batch-size"].origin.line == 48


def test_sphinx_folder_resolves_links_between_pages() -> None:
    glossary = loaders.load(HTML / "sphinx")
    assert _counts(glossary) == {"concepts": 8, "aliases": 2, "links": 9, "broken": 0, "categories": 3, "sources": 1}
    store = LocalStore(glossary)
    assert store.concept("batch size").links == ("term-quantisation", "term-token")
    assert store.concept("quantisation").links == ("term-token",)
    assert store.concept("term-token").backlinks == (
        "term-batch-size", "term-embedding", "term-quantisation", "term-tokenizer")


def test_wikipedia_glossary_dfn_anchors_and_footnotes() -> None:
    glossary = loaders.load(HTML / "wikipedia")
    assert _counts(glossary) == {"concepts": 5, "aliases": 1, "links": 5, "broken": 0, "categories": 0, "sources": 3}
    concepts = {c.id: c for c in glossary.concepts}
    assert list(concepts) == ["autolyse", "baker's_percentage", "bulk_fermentation", "levain", "proof"]
    autolyse = concepts["autolyse"]
    # The footnote mark is neither text nor a link; the dfn's article link is a source.
    assert autolyse.definition == "A rest after flour and water are first mixed, before the levain and the salt go in."
    assert autolyse.related == (Reference("levain"),)
    assert autolyse.sources == (Source("autolyse", "/wiki/Autolyse_(baking)"),)
    assert concepts["baker's_percentage"].aliases == ("baker's math",)
    # Two senses in two <dd>: the first is the definition, the second the body.
    assert concepts["levain"].definition == "1. A starter of flour and water kept alive with wild yeast."
    assert concepts["levain"].body == (
        "2. The portion of that starter mixed into one day's dough before bulk fermentation.")
    # An anchor inside a <dt> (span.anchor) names the same entry.
    assert concepts["bulk_fermentation"].related == (Reference("autolyse"), Reference("proof"))


def test_mkdocs_heading_page_alone_and_with_the_page_it_links_to() -> None:
    single = loaders.load(HTML / "mkdocs" / "glossary" / "index.html")
    assert _counts(single) == {"concepts": 5, "aliases": 0, "links": 4, "broken": 0, "categories": 2, "sources": 2}
    concepts = {c.id: c for c in single.concepts}
    assert [(c.title, c.category) for c in single.concepts] == [
        ("Bucket", "Storage"), ("Object", "Storage"), ("Lifecycle rule", "Storage"),
        ("Service account", "Access"), ("Access key", "Access"),
    ]
    assert concepts["bucket"].definition == "A named container for objects, owned by one project."
    assert concepts["bucket"].body == "Bucket names are unique within a region."
    assert concepts["service-account"].body == (
        "#### Key rotation\n\n- Keys expire after ninety days.\n- Two keys may be valid at once.")
    assert concepts["lifecycle-rule"].sources == (Source("the retention guide", "../guides/retention/"),)
    folder = loaders.load(HTML / "mkdocs")
    assert _counts(folder) == {"concepts": 6, "aliases": 0, "links": 5, "broken": 0, "categories": 2, "sources": 1}
    # The folder URL ../guides/retention/ is the loaded guides/retention/index.html, a concept page named by its folder.
    retention = {c.id: c for c in folder.concepts}["retention"]
    assert (retention.title, retention.body) == (
        "Retention", "## Defaults\n\nThirty days unless the bucket says otherwise.")
    assert LocalStore(folder).concept("Lifecycle rule").links == ("object", "retention")


def test_docusaurus_headings_and_plain_dl_under_a_glossary_heading(tmp_path: Path) -> None:
    (tmp_path / "docusaurus.html").write_text(
        '<html><head><title>Glossary | Site</title></head><body><nav><a href="#x">menu</a></nav>'
        '<div class="theme-doc-markdown markdown"><header><h1>Glossary</h1></header>'
        '<h2 class="anchor" id="shard">Shard<a href="#shard" class="hash-link" aria-label="Direct link to Shard">'
        '\u200b</a></h2><p>One slice of an <a href="#index">index</a>.</p>'
        '<h2 class="anchor" id="index">Index<a href="#index" class="hash-link">\u200b</a></h2><p>A lookup table.</p>'
        '</div><footer><a href="https://example.org">site</a></footer></body></html>', encoding="utf-8")
    (tmp_path / "plain.html").write_text(
        "<html><body><h1>Handbook</h1><p>Intro.</p><h2>Glossary</h2><dl><dt>Replica</dt><dd>A copy of a "
        "<a href='docusaurus.html#shard'>shard</a>.</dd><dt>Quorum</dt><dd>A majority of replicas.</dd></dl>"
        "</body></html>", encoding="utf-8")
    glossary = loaders.load(tmp_path)
    assert [(c.id, c.title, c.definition, c.categories) for c in glossary.concepts] == [
        ("shard", "Shard", "One slice of an index.", ()),
        ("index", "Index", "A lookup table.", ()),
        ("replica", "Replica", "A copy of a shard.", ()),
        ("quorum", "Quorum", "A majority of replicas.", ()),
    ]
    assert LocalStore(glossary).concept("Replica").links == ("shard",)
    assert LocalStore(glossary).concept("Shard").links == ("index",)


def test_a_concept_page_of_a_glossary_site_stays_one_concept(tmp_path: Path) -> None:
    # "Glossary" in the <title> and breadcrumb, anchored <h2> sections: still a page per concept (its h1 decides).
    (tmp_path / "tensor.html").write_text(
        "<html><head><title>What is a Tensor? | ML Glossary</title></head><body>"
        "<nav class='breadcrumb'><ol><li>Glossary</li><li>Maths</li><li>Tensor</li></ol></nav>"
        "<main><h1>What is a Tensor?</h1><p class='definition'>An array with any number of axes.</p>"
        "<article><h2 id='why'>Why It Matters</h2><p>Models compute on them.</p>"
        "<h2 id='how'>How It Works</h2><p>Axes are indexed.</p></article></main></body></html>",
        encoding="utf-8")
    [concept] = loaders.load(tmp_path).concepts
    assert (concept.id, concept.title, concept.categories) == ("tensor", "Tensor", ("Maths",))
    assert concept.body.startswith("## Why It Matters\n\nModels compute on them.")


def test_layout_option_overrides_detection(tmp_path: Path) -> None:
    page = loaders.load(HTML / "sphinx" / "glossary.html", layout="page", title_pattern=None)
    assert [c.title for c in page.concepts] == ["Glossary"]
    (tmp_path / "list.html").write_text("<h1>Words</h1><dl><dt id='a'>A word</dt><dd>First.</dd></dl>",
                                        encoding="utf-8")
    assert [c.id for c in loaders.load(tmp_path / "list.html").concepts] == ["list"]  # no glossary: a page
    assert [c.id for c in loaders.load(tmp_path / "list.html", layout="dl").concepts] == ["a"]
    (tmp_path / "terms.html").write_text("<h1>Terms</h1><h3 id='x'>X</h3><p>Ex.</p><h3 id='y'>Y</h3><p>Why.</p>",
                                         encoding="utf-8")
    headings = loaders.load(tmp_path / "terms.html", layout="headings")
    assert [(c.id, c.definition) for c in headings.concepts] == [("x", "Ex."), ("y", "Why.")]
    with pytest.raises(LoadError, match="no <dl> definition list on the page"):
        loaders.load(tmp_path / "terms.html", layout="dl")
    with pytest.raises(UsageError, match="layout must be one of auto, page, dl, headings, not 'grid'"):
        loaders.load(tmp_path / "terms.html", layout="grid")


def test_entity_declarations_are_refused_with_file_and_line(tmp_path: Path) -> None:
    page = tmp_path / "bomb.html"
    page.write_text('<!DOCTYPE html [\n<!ENTITY a "aaaaaaaaaa">\n<!ENTITY b "&a;&a;&a;&a;">\n]>\n<h1>&b;</h1>',
                    encoding="utf-8")
    with pytest.raises(LoadError) as error:
        loaders.load(page)
    assert (error.value.file, error.value.line) == (str(page), 2)
    assert "DTD entity declarations (<!ENTITY) are not accepted in HTML pages" in str(error.value)


def test_page_size_is_bounded_by_default_and_the_bound_can_be_raised(tmp_path: Path) -> None:
    assert DEFAULT_MAX_PAGE_SIZE == 64 * 1024 * 1024
    big = tmp_path / "big.html"
    with big.open("wb") as out:  # sparse: the size is checked before anything is read
        out.truncate(DEFAULT_MAX_PAGE_SIZE + 1)
    with pytest.raises(LoadError) as error:
        loaders.load(big)
    assert error.value.file == str(big)
    assert "over the 67,108,864-byte limit (raise it with the max_file_size option)" in str(error.value)
    small = tmp_path / "small.html"
    small.write_text("<h1>What is Small?</h1><p>" + "word " * 400 + "</p>", encoding="utf-8")
    with pytest.raises(LoadError, match="over the 1,024-byte limit"):
        loaders.load(small, max_file_size="1KB")
    assert loaders.load(small, max_file_size="1MB").concepts[0].title == "Small"


def test_deep_nesting_loads_within_the_parser_limit_and_is_refused_beyond_it(tmp_path: Path) -> None:
    deep = tmp_path / "deep.html"
    deep.write_text("<h1>What is Depth?</h1><main><p>Deep.</p>" + "<ul><li>x" * 900 + "</li></ul>" * 900 + "</main>",
                    encoding="utf-8")
    concept = loaders.load(deep).concepts[0]
    assert concept.body.startswith("Deep.\n\n- x x x") and concept.body.count("x") == 900
    deeper = tmp_path / "deeper.html"
    deeper.write_text("<h1>What is Depth?</h1>\n<main>" + "<ul><li>x" * 20_000 + "</li></ul>" * 20_000 + "</main>",
                      encoding="utf-8")
    with pytest.raises(LoadError) as error:
        loaders.load(deeper)
    assert error.value.file == str(deeper)
    assert "the page is nested too deeply for the HTML parser (Excessive depth in document: 2048" in str(error.value)
