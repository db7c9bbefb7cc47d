"""Loaders: one module per input format, each returning the same Glossary.

``load(source)`` picks the format from the extension or the content (or takes ``fmt``), reads
the whole source, and either returns a complete Glossary or raises one LoadError naming the file
and line (with ``lenient=True`` it loads what is valid and lists the rest in ``problems``).
"""

from __future__ import annotations

__all__ = ["FORMATS", "Loader", "Progress", "add_detector", "add_folder_format", "detect_format", "load", "register"]

import importlib
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

from graph.errors import LoadError, Problem, UsageError
from graph.model import Glossary, Origin

if TYPE_CHECKING:
    from loaders.fields import FieldMapping

#: A loader's progress callback: (items done, items in all when known).
Progress = Callable[[int, int | None], None]


class Loader(Protocol):
    """The one signature of every registered loader: a path in, a whole Glossary out (or one LoadError).

    ``mapping`` says which input field feeds which concept field (formats with fixed fields refuse an
    explicit one); format-specific options are keyword-only, with defaults, and unknown ones are refused.
    """

    def __call__(
        self,
        path: Path,
        *,
        mapping: FieldMapping,
        lenient: bool = False,
        progress: Progress | None = None,
        **options: Any,
    ) -> Glossary: ...


@dataclass(frozen=True)
class Format:
    """A registered input format: its name, the file endings it claims, and where its loader lives."""

    name: str
    target: str  # "module:function", imported on first use
    extensions: tuple[str, ...] = ()
    description: str = ""

    def loader(self) -> Loader:
        """The loader function, imported on demand so optional parsers cost nothing until used."""
        module, _, function = self.target.partition(":")
        loader: Loader = getattr(importlib.import_module(module), function)
        return loader


FORMATS: dict[str, Format] = {}


def register(name: str, target: str, extensions: tuple[str, ...] = (), description: str = "") -> None:
    """Register (or replace) an input format."""
    FORMATS[name] = Format(name, target, tuple(e.lower() for e in extensions), description)


register("markdown", "loaders.markdown:load_markdown", (".md", ".markdown"),
         "folder of Markdown files with YAML front matter and [[wikilinks]]")
register("json", "loaders.tabular:load_json", (".json",), '{"concepts": [...]} or a bare list')
register("yaml", "loaders.tabular:load_yaml", (".yaml", ".yml"), '{"concepts": [...]} or a bare list')
register("jsonl", "loaders.tabular:load_jsonl", (".jsonl", ".ndjson"), "one concept per line")
register("csv", "loaders.tabular:load_csv", (".csv", ".tsv"), 'one concept per row, lists separated by ";"')
register("records", "loaders.tabular:load_record_folder", (),
         "folder of JSON or YAML files, one concept per file")


def detect_format(path: Path) -> str:
    """The format of a file or folder, from its extension and, where that is not enough, its content."""
    for name, detector in _DETECTORS.items():
        if detector(path):
            return name
    if path.is_dir():
        counts: dict[str, int] = {}
        for child in path.rglob("*"):
            if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                suffix = child.suffix.lower()
                counts[suffix] = counts.get(suffix, 0) + 1
        if not counts:
            raise LoadError(Problem(str(path), None, "the folder holds no files to load"))
        by_folder = _FOLDER_FORMATS
        ranked = sorted(counts.items(), key=lambda kv: -kv[1])
        for suffix, _count in ranked:
            if suffix in by_folder:
                return by_folder[suffix]
        raise LoadError(Problem(str(path), None, f"no loader knows the files in this folder ({ranked[0][0]})"))
    suffix = path.suffix.lower()
    for name, format_ in FORMATS.items():
        if suffix in format_.extensions:
            return name
    raise LoadError(
        Problem(str(path), None, f"unknown file type {suffix or '(none)'!r}; name one with --from "
                f"({', '.join(sorted(FORMATS))})")
    )


#: Content detectors tried before extensions: formats that share an extension with another one.
_DETECTORS: dict[str, Callable[[Path], bool]] = {}

#: Which format a folder is, by the most common file ending inside it.
_FOLDER_FORMATS: dict[str, str] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".json": "records",
    ".yaml": "records",
    ".yml": "records",
}


def add_detector(name: str, detector: Callable[[Path], bool]) -> None:
    """Register a content check that claims a path for a format before extensions are looked at."""
    _DETECTORS[name] = detector


def add_folder_format(suffix: str, name: str) -> None:
    """Say which format a folder is when most of its files have this ending."""
    _FOLDER_FORMATS[suffix.lower()] = name


def load(
    source: str | Path | BinaryIO,
    fmt: str | None = None,
    *,
    fields: Mapping[str, str] | None = None,
    fields_config: str | Path | None = None,
    lenient: bool = False,
    progress: Progress | None = None,
    **options: Any,
) -> Glossary:
    """Load a glossary from a file or folder (or an open binary file); all or nothing unless ``lenient``."""
    if not isinstance(source, str | Path):
        return _load_file_object(
            source, fmt, fields=fields, fields_config=fields_config, lenient=lenient, progress=progress, **options
        )
    path = Path(source)
    if not path.exists():
        raise LoadError(Problem(str(path), None, "no such file or folder"))
    from loaders.fields import FieldMapping

    mapping = FieldMapping.build(fields, fields_config)
    options = {**mapping.options, **options}
    name = fmt or mapping.format or detect_format(path)
    if name not in FORMATS:
        raise UsageError(f"unknown format {name!r}; choose one of {', '.join(sorted(FORMATS))}")
    glossary = FORMATS[name].loader()(path, mapping=mapping, lenient=lenient, progress=progress, **options)
    glossary.warnings.extend(mapping.warnings())
    glossary.warnings.extend(
        Problem(str(path), None, f"--field {pair} matched nothing in any concept (check the input field's name)")
        for pair in mapping.unmatched()
    )
    glossary.format = glossary.format or name
    glossary.source = glossary.source or str(path)
    return glossary



def _load_file_object(handle: BinaryIO, fmt: str | None, **arguments: Any) -> Glossary:
    """Load from an open binary file: its bytes go to a private temporary file named like it.

    The loaders read paths (some formats need to seek or to know the file name), so the file
    object is spooled to disk; messages and origins then name the object's own name again.
    """
    name = Path(str(getattr(handle, "name", "") or "")).name
    if not name:
        if not fmt or fmt not in FORMATS or not FORMATS[fmt].extensions:
            raise UsageError("an unnamed file object needs fmt= naming a single-file format")
        name = "glossary" + FORMATS[fmt].extensions[0]
    with tempfile.TemporaryDirectory(prefix="glossgraph-") as folder:
        spooled = Path(folder) / name
        with spooled.open("wb") as out:
            shutil.copyfileobj(handle, out)
        try:
            glossary = load(spooled, fmt, **arguments)
        except LoadError as error:
            raise LoadError(_renamed(error.problems, str(spooled), name)) from None
    for concept in glossary.concepts:
        if concept.origin is not None and concept.origin.file == str(spooled):
            concept.origin = Origin(name, concept.origin.line)
    glossary.problems = _renamed(glossary.problems, str(spooled), name)
    glossary.source = name
    return glossary


def _renamed(problems: list[Problem], old: str, new: str) -> list[Problem]:
    return [replace(p, file=new) if p.file == old else p for p in problems]


def _lazy_detector(module: str, function: str) -> Callable[[Path], bool]:
    """A detector that imports its module only when a path is actually checked."""

    def detector(path: Path) -> bool:
        check: Callable[[Path], bool] = getattr(importlib.import_module(module), function)
        return check(path)

    return detector


# The project's own exports and snapshots (loaders/exports.py): checked by content before any extension.
register("snapshot", "loaders.exports:load_snapshot", (), "a glossgraph snapshot folder (with manifest.json)")
register("nodelink", "loaders.exports:load_nodelink", (), "glossgraph node-link JSON export")
register("graphml", "loaders.exports:load_graphml", (".graphml",), "glossgraph GraphML export")
register("gexf", "loaders.exports:load_gexf", (".gexf",), "glossgraph GEXF export")
register("csv-graph", "loaders.exports:load_csv_pair", (), "folder with nodes.csv and edges.csv (a glossgraph export)")
add_detector("snapshot", _lazy_detector("loaders.exports", "is_snapshot"))
add_detector("nodelink", _lazy_detector("loaders.exports", "is_nodelink"))
add_detector("csv-graph", _lazy_detector("loaders.exports", "is_csv_pair"))

# Thesauri and saved web pages.
register("skos", "loaders.skos:load_skos", (".ttl", ".rdf", ".skos", ".nt", ".n3"),
         "SKOS thesaurus (Turtle, RDF/XML, N-Triples, N3); option lang (default en)")
register("html", "loaders.html:load_html", (".html", ".htm"),
         "saved glossary pages: one per concept, or one-page glossaries (Sphinx, Wikipedia, MkDocs); "
         "options layout, selectors")
add_detector("skos", _lazy_detector("loaders.skos", "is_skos_xml"))
register("obo", "loaders.obo:load_obo", (".obo",),
         "OBO ontology ([Term] frames; is_a as broader links), read with fastobo")
add_detector("obo", _lazy_detector("loaders.obo", "is_obo"))
register("owl", "loaders.owl:load_owl", (".owl",),
         "OWL ontology (RDF/XML, Turtle): named classes, subClassOf as broader links; option lang")
register("obograph", "loaders.owl:load_obograph", (),
         "OBO Graph JSON ontology (CLASS nodes; is_a edges as broader links)")
add_detector("owl", _lazy_detector("loaders.owl", "is_owl"))
add_detector("obograph", _lazy_detector("loaders.owl", "is_obograph"))
for _suffix in (".ttl", ".rdf", ".skos", ".nt", ".n3"):
    add_folder_format(_suffix, "skos")
add_folder_format(".html", "html")
add_folder_format(".htm", "html")
