"""Hostile input (issue 12): alias bombs, entity chains, deep JSON, lone surrogates, failing writes, symlinks.

Bombs run as a real `glossgraph` process under a memory limit and a time budget: a regression
shows as a MemoryError or a timeout, not as a slow test suite.
"""

from __future__ import annotations

import errno
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

import loaders
from graph.cli import main
from graph.errors import LoadError
from graph.untrusted import check_yaml_expansion, clip, lone_surrogate_line, refuse_xml_entities
from loaders.io import parse_yaml

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile"
SMALL = str(Path(__file__).resolve().parent / "data" / "loaders" / "glossary.json")
#: Address space for a bomb run: the CLI with every import fits in well under this.
MEMORY_LIMIT = 1024**3
#: Wall time a bomb run may take on a loaded two-core machine (a refusal takes about one second).
SECONDS = 20.0


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_bounded(*args: str) -> tuple[int, str, float]:
    """Run the CLI in a process with at most 1 GiB of memory and 20 s: (exit code, stderr, seconds)."""
    code = "import sys; from graph.cli import main; sys.exit(main(sys.argv[1:]))"
    env = {**os.environ, "GLOSSGRAPH_NO_PROGRESS": "1"}
    env.pop("GLOSSGRAPH_DEBUG", None)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True, text=True, timeout=SECONDS, preexec_fn=_limited, env=env, check=False,
    )
    return done.returncode, done.stderr, time.monotonic() - started


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err[-2000:]
    return lines[0]


# -- bounded error messages ----------------------------------------------------------------------


def test_clip_never_renders_a_whole_value() -> None:
    shared: list[Any] = ["lol"] * 9
    for _ in range(8):
        shared = [shared] * 9  # 387 million strings, if rendered whole
    started = time.monotonic()
    text = clip(shared)
    assert time.monotonic() - started < 0.1
    assert len(text) <= 80 and text.endswith("...") and text.startswith("[[[")
    assert clip("x" * 10_000, 20) == "'xxxxxxxxxxxxxxxx..."
    assert clip({"b": 1, "a": 2}) == "{'b': 1, 'a': 2}"  # the order as written
    assert clip("two\nlines") == "'two\\nlines'"  # one line, however the value was written


def test_a_bad_value_in_a_record_is_named_briefly(tmp_path: Path) -> None:
    (tmp_path / "g.yaml").write_text("concepts:\n  - title: T\n    deprecated: [" + "maybe, " * 5000 + "maybe]\n")
    # An optional field is set aside with a warning (issue 10), named as briefly as an error is.
    warning = str(loaders.load(tmp_path / "g.yaml").warnings[0])
    assert warning.startswith(f"{tmp_path / 'g.yaml'}:3: field 'deprecated' must be true or false, got a list [")
    assert len(warning) < len(str(tmp_path)) + 190
    (tmp_path / "g.yaml").write_text("concepts:\n  - title: [" + "maybe, " * 5000 + "maybe]\n")
    with pytest.raises(LoadError) as raised:
        loaders.load(tmp_path / "g.yaml")
    message = str(raised.value)
    assert message.startswith(f"{tmp_path / 'g.yaml'}:2: field 'title' must be text, got a list [")
    assert len(message) < len(str(tmp_path)) + 160


# -- YAML alias bombs ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "culprit"),
    [
        ("alias-bomb.yaml", "alias-bomb.yaml"),
        ("frontmatter-bomb", "frontmatter-bomb/laughter.md"),
        ("records-bomb", "records-bomb/laughter.yaml"),
    ],
)
def test_a_yaml_alias_bomb_is_refused_fast_in_bounded_memory(source: str, culprit: str) -> None:
    code, err, seconds = run_bounded("load", str(HOSTILE / source))
    line = _one_line(err)
    assert code == 2
    assert line.startswith(f"error: {HOSTILE / culprit}: the YAML aliases expand ")
    assert "to 387,420,489" not in line and "over the limit of 100,000 added nodes" in line
    assert seconds < SECONDS


def test_yaml_aliases_within_the_budget_load(tmp_path: Path) -> None:
    (tmp_path / "g.yaml").write_text(
        "shared: &cats [Models, Training]\n"
        "concepts:\n"
        "  - {title: Attention, categories: *cats}\n"
        "  - {title: Transformer, categories: *cats, related: [Attention]}\n"
    )
    glossary = loaders.load(tmp_path / "g.yaml")
    assert [c.categories for c in glossary.concepts] == [("Models", "Training")] * 2


def test_the_yaml_budget_counts_expansions_and_can_be_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b]\n"
    _, node = parse_yaml(text, "small.yaml")  # 17 distinct nodes expand to 460: 443 added by aliases
    check_yaml_expansion(node, "small.yaml", text)
    monkeypatch.setenv("GLOSSGRAPH_YAML_ALIAS_NODES", "100")
    with pytest.raises(LoadError) as raised:
        check_yaml_expansion(node, "small.yaml", text)
    # The budget is the larger of the setting and 10 times the document's own nodes.
    assert str(raised.value) == (
        "small.yaml: the YAML aliases expand 17 nodes to 460, over the limit of 170 added nodes "
        "(an alias bomb?; raise it with GLOSSGRAPH_YAML_ALIAS_NODES)"
    )
    monkeypatch.setenv("GLOSSGRAPH_YAML_ALIAS_NODES", "1000")
    check_yaml_expansion(node, "small.yaml", text)


def test_a_recursive_yaml_alias_is_refused() -> None:
    loader = yaml.SafeLoader("a: &a [1, *a]\n")
    node = loader.get_single_node()
    with pytest.raises(LoadError, match=r"^x\.yaml:1: the YAML refers to itself through an alias"):
        check_yaml_expansion(node, "x.yaml", "a: &a [1, *a]\n")


# -- XML entities --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["entity-chain.rdf", "entity-chain.graphml", "entity-chain.gexf"])
def test_xml_entity_declarations_are_refused(name: str) -> None:
    code, err, seconds = run_bounded("load", str(HOSTILE / name))
    assert code == 2
    assert _one_line(err) == (
        f"error: {HOSTILE / name}:3: the XML declares entities (<!ENTITY>), which glossgraph refuses: they can "
        "expand without bound or read other files; write the text or URI in place of each &name;"
    )
    assert seconds < SECONDS


def test_the_entity_scan_reads_utf16_and_ignores_entities_without_a_doctype() -> None:
    document = '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE g [\n<!ENTITY a "b">\n]>\n<g>&a;</g>'
    with pytest.raises(LoadError, match=r"^u\.graphml:3: the XML declares entities"):
        refuse_xml_entities(b"\xff\xfe" + document.encode("utf-16-le"), "u.graphml")
    with pytest.raises(LoadError, match="EBCDIC"):
        refuse_xml_entities("<?xml".encode("cp500") + b" ...", "e.graphml")
    refuse_xml_entities(b"<g><!-- <!ENTITY is only text here --></g>", "c.graphml")


# -- deep JSON -----------------------------------------------------------------------------------


def _deep(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    """Each JSON-reading format with 100,000 nested brackets: (what to load, the file the error names)."""
    nest = "[" * 100_000
    (tmp_path / "deep.json").write_text('{"concepts": [\n{"title": "A"},\n' + nest)
    (tmp_path / "deep.jsonl").write_text('{"title": "A"}\n' + nest + "\n")
    (tmp_path / "nodelink.json").write_text('{"format": "glossgraph", "version": 1,\n"nodes": ' + nest)
    snapshot = tmp_path / "snap"
    snapshot.mkdir()
    (snapshot / "manifest.json").write_text('{"format": "glossgraph-snapshot", "graph": ' + nest)
    return {
        "json": (tmp_path / "deep.json", f"{tmp_path / 'deep.json'}:3"),
        "jsonl": (tmp_path / "deep.jsonl", f"{tmp_path / 'deep.jsonl'}:2"),
        "nodelink": (tmp_path / "nodelink.json", f"{tmp_path / 'nodelink.json'}:2"),
        "manifest": (snapshot, f"{snapshot / 'manifest.json'}"),
    }


@pytest.mark.parametrize("kind", ["json", "jsonl", "nodelink", "manifest"])
def test_deeply_nested_json_is_one_line_naming_the_file(tmp_path: Path, kind: str) -> None:
    source, where = _deep(tmp_path)[kind]
    code, err, seconds = run_bounded("load", str(source))
    line = _one_line(err)
    assert code == 2 and line.startswith(f"error: {where}: ") and "nested too deeply" in line
    assert seconds < SECONDS


def test_verify_reads_a_deep_manifest_as_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source, _ = _deep(tmp_path)["manifest"]
    assert main(["verify", str(source)]) == 2
    assert "nested too deeply" in _one_line(capsys.readouterr().err)


# -- lone surrogates -----------------------------------------------------------------------------


def test_a_lone_surrogate_is_refused_with_file_and_line() -> None:
    with pytest.raises(LoadError) as raised:
        loaders.load(HOSTILE / "lone-surrogate.json")
    assert str(raised.value) == (
        f"{HOSTILE / 'lone-surrogate.json'}:4: a \\u escape gives a lone surrogate (half of a UTF-16 pair), "
        "which is not text"
    )
    with pytest.raises(LoadError, match=r"lone-surrogate\.ttl:7: a \\u escape gives a lone surrogate"):
        loaders.load(HOSTILE / "lone-surrogate.ttl")


def test_escaped_pairs_and_escaped_backslashes_are_not_surrogates() -> None:
    assert lone_surrogate_line('"\\ud83d\\ude00 and \\\\ud800"') is None
    assert lone_surrogate_line('"ok"\n"\\\\\\udfff"') == 2
    assert lone_surrogate_line('"\\U0000D800"') == 1


def test_a_lenient_jsonl_load_skips_the_surrogate_line_and_every_command_prints(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "g.jsonl"
    source.write_text('{"title": "Emoji \\ud83d\\ude00"}\n{"title": "Broken \\ud800"}\n', encoding="utf-8")
    assert main(["show", str(source), "Emoji 😀", "--lenient"]) == 0
    out, err = capsys.readouterr()
    assert "Emoji 😀" in out and f"{source}:2: a \\u escape gives a lone surrogate" in err
    for args in (["search", str(source), "broken"], ["export", str(source), "--format", "json",
                                                       "-o", str(tmp_path / "out.json")]):
        assert main([*args, "--lenient"]) in (0, 1)
    assert "Broken" not in (tmp_path / "out.json").read_text(encoding="utf-8")


def test_a_surrogate_in_a_csv_exports_json_cell_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    folder.mkdir()
    (folder / "nodes.csv").write_text('id,kind,title,aliases\nrag,concept,RAG,"[""\\udc00""]"\n')
    (folder / "edges.csv").write_text("source,target,type\n")
    with pytest.raises(LoadError, match=r"nodes\.csv:2: node 'rag': field 'aliases' escapes a lone surrogate"):
        loaders.load(folder)


# -- the CLI's last resort -----------------------------------------------------------------------


def test_an_unexpected_error_is_one_line_naming_the_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import graph.cli.query as query

    def broken(*_args: object, **_kwargs: object) -> None:
        raise ValueError("boom\nsecond line")

    monkeypatch.setattr(query, "open_source", broken)
    assert main(["show", SMALL, "rag"]) == 2
    err = capsys.readouterr().err
    assert _one_line(err) == (
        "error: glossgraph show failed unexpectedly: ValueError: boom second line (run with --debug for the traceback)"
    )
    assert main(["--debug", "show", SMALL, "rag"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):") and "ValueError: boom" in err
    assert err.strip().splitlines()[-1].startswith("error: glossgraph show failed unexpectedly")
    monkeypatch.setenv("GLOSSGRAPH_DEBUG", "0")  # off, as written
    assert main(["show", SMALL, "rag"]) == 2
    _one_line(capsys.readouterr().err)
    monkeypatch.setenv("GLOSSGRAPH_DEBUG", "1")
    assert main(["show", SMALL, "rag"]) == 2
    assert "Traceback" in capsys.readouterr().err


@pytest.mark.parametrize(("number", "text"), [(errno.ENOSPC, "No space left on device"),
                                              (errno.EROFS, "Read-only file system")])
def test_a_full_or_read_only_output_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], number: int, text: str
) -> None:
    target = tmp_path / "out.graphml"

    def fail(descriptor: int) -> None:
        raise OSError(number, os.strerror(number), str(target))

    monkeypatch.setattr(os, "fsync", fail)
    assert main(["export", SMALL, "--format", "graphml", "-o", str(target)]) == 2
    assert _one_line(capsys.readouterr().err) == f"error: cannot write {target}: {text}"
    assert not target.exists() and not list(tmp_path.iterdir())


def test_an_os_error_anywhere_else_is_one_line_naming_the_file(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import graph.cli.query as query

    def denied(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), "/srv/notes/a.md")

    monkeypatch.setattr(query, "open_source", denied)
    assert main(["show", SMALL, "rag"]) == 2
    assert _one_line(capsys.readouterr().err) == "error: glossgraph show failed: /srv/notes/a.md: Permission denied"


def test_a_write_over_the_file_size_limit_is_one_line(tmp_path: Path) -> None:
    """A real failing write: the process may not grow a file past 4 KiB (as on a full disk)."""

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    code = "import sys; from graph.cli import main; sys.exit(main(sys.argv[1:]))"
    target = tmp_path / "big.json"
    sample = str(Path(__file__).resolve().parent.parent / "data" / "ai-glossary")
    done = subprocess.run(
        [sys.executable, "-c", code, "export", sample, "--format", "json", "-o", str(target)],
        capture_output=True, text=True, timeout=60, preexec_fn=small_files, check=False,
        env={**os.environ, "GLOSSGRAPH_NO_PROGRESS": "1"},
    )
    assert done.returncode == 2
    line = _one_line(done.stderr)
    assert line == f"error: cannot write {target}: File too large"
    assert not target.exists()



# -- symlinks out of the folder ------------------------------------------------------------------


def _vault_with_links(tmp_path: Path, suffix: str, body: str) -> tuple[Path, Path]:
    """A folder with one real note, a link to a note outside it, a link inside it, and a linked folder outside."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / f"secret{suffix}").write_text(body.replace("NAME", "Secret"))
    vault = tmp_path / "vault"
    (vault / "sub").mkdir(parents=True)
    (vault / f"attention{suffix}").write_text(body.replace("NAME", "Attention"))
    (vault / f"secret{suffix}").symlink_to(outside / f"secret{suffix}")
    (vault / "sub" / f"again{suffix}").symlink_to(Path("..") / f"attention{suffix}")
    (vault / "linked").symlink_to(outside, target_is_directory=True)
    return vault, outside


@pytest.mark.parametrize(
    ("suffix", "body"),
    [(".md", "---\ntitle: NAME\n---\n\nA note.\n"), (".yaml", "title: NAME\nid: NAME\n"),
     (".jsonl", '{"title": "NAME"}\n'),
     (".html", '<html><body><main><h1>NAME</h1><p class="definition">A term.</p></main></body></html>')],
)
def test_folder_loaders_skip_symlinks_leading_outside(tmp_path: Path, suffix: str, body: str) -> None:
    vault, _ = _vault_with_links(tmp_path, suffix, body)
    if suffix not in (".md", ".html"):  # the inner link duplicates an id: Markdown and HTML name concepts by file
        (vault / "sub" / f"again{suffix}").unlink()
    glossary = loaders.load(vault, "jsonl" if suffix == ".jsonl" else None)  # a .jsonl folder is not detected
    titles = sorted(c.title for c in glossary.concepts)
    assert "Secret" not in titles and "Attention" in titles
    assert sorted(str(w) for w in glossary.warnings) == [
        f"{vault / 'linked'}: skipped: a symlink that leads outside the folder being loaded",
        f"{vault / ('secret' + suffix)}: skipped: a symlink that leads outside the folder being loaded",
    ]


def test_the_cli_prints_the_skipped_symlink(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    vault, _ = _vault_with_links(tmp_path, ".md", "---\ntitle: NAME\n---\n\nA note.\n")
    assert main(["search", str(vault), "secret", "--format", "json"]) == 1
    err = capsys.readouterr().err
    assert f"warning: {vault / 'secret.md'}: skipped: a symlink that leads outside the folder" in err


def test_a_file_name_that_is_not_utf8_is_skipped_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "attention.md").write_text("# Attention\n\nA note.\n")
    (Path(os.fsdecode(bytes(tmp_path) + b"/caf\xe9.md"))).write_text("# Cafe\n\nA note.\n")
    glossary = loaders.load(tmp_path)
    assert [c.title for c in glossary.concepts] == ["Attention"]
    assert [str(w) for w in glossary.warnings] == [
        f"{tmp_path}/caf\\udce9.md: skipped: the file name is not UTF-8 (rename the file)"
    ]


def test_a_snapshot_whose_graph_file_leads_outside_is_refused(tmp_path: Path) -> None:
    (tmp_path / "elsewhere.json").write_text('{"format": "glossgraph", "nodes": []}')
    snapshot = tmp_path / "snap"
    snapshot.mkdir()
    (snapshot / "manifest.json").write_text('{"format": "glossgraph-snapshot", "graph": "graph.json"}')
    (snapshot / "graph.json").symlink_to(tmp_path / "elsewhere.json")
    with pytest.raises(LoadError, match=r"graph\.json: the graph file is a symlink leading outside the snapshot"):
        loaders.load(snapshot)


def test_server_paths_resolve_inside_the_allowed_root(tmp_path: Path) -> None:
    from graph.appstate import server_path
    from graph.errors import UsageError

    root = tmp_path / "root"
    (root / "notes").mkdir(parents=True)
    (root / "inner-link").symlink_to(root / "notes")
    assert server_path("notes", root) == (root / "notes").resolve()
    assert server_path(" inner-link ", root) == (root / "notes").resolve()
    assert server_path(str(root / "notes"), root) == (root / "notes").resolve()
    with pytest.raises(UsageError, match=r"^loading a path on the server is off \(start the app with --allow-path"):
        server_path("notes", None)
    with pytest.raises(UsageError, match=r"^no such file or folder inside root/: 'missing'$"):
        server_path("missing", root)
    with pytest.raises(UsageError, match=r"^only paths inside root/ may be loaded; '\.\.' is not$"):
        server_path("..", root)


def test_only_the_allow_path_option_opens_the_path_box(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import graph.cli.app as app_command
    from graph.appstate import ALLOW_PATH_ENV

    started: list[dict[str, str]] = []

    def execve(_program: str, _args: list[str], env: dict[str, str]) -> None:
        started.append(env)

    def call(_args: list[str], env: dict[str, str]) -> int:
        return 0  # no server: the test only reads the environment the app would get

    monkeypatch.setattr(app_command.os, "execve", execve)
    monkeypatch.setattr(app_command.subprocess, "call", call)
    monkeypatch.setenv(ALLOW_PATH_ENV, "/")  # left over in the shell: must not open the box
    assert main(["app", SMALL]) == 0
    assert main(["app", SMALL, "--allow-path", str(tmp_path)]) == 0
    assert [env.get(ALLOW_PATH_ENV) for env in started] == [None, str(tmp_path.resolve())]
    assert main(["app", SMALL, "--allow-path", str(tmp_path / "missing")]) == 2


def _zip(members: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _forge(data: bytes, offset_in_header: int, value: int) -> bytes:
    """Overwrite a 4-byte field of the first member's local and central headers."""
    import struct

    out = bytearray(data)
    local = out.find(b"PK\x03\x04")
    central = out.find(b"PK\x01\x02")
    struct.pack_into("<I", out, local + offset_in_header, value)
    struct.pack_into("<I", out, central + offset_in_header + 2, value)  # the central header has 2 more bytes
    return bytes(out)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [(22, 10, "'notes/a.md': not readable (Bad CRC-32 for file 'notes/a.md')"),  # size 10: cut short
     (14, 0xDEADBEEF, "'notes/a.md': not readable (Bad CRC-32 for file 'notes/a.md')")],
)
def test_a_forged_zip_upload_is_one_error_and_leaves_nothing(tmp_path: Path, field: int, value: int,
                                                            message: str) -> None:
    from graph.appstate import save_upload

    forged = _forge(_zip({"notes/a.md": b"# A\n\n" + b"A note. " * 200}), field, value)
    root = tmp_path / "uploads"
    with pytest.raises(LoadError) as raised:
        save_upload("notes.zip", forged, root)
    assert str(raised.value) == f"notes.zip: {message}"
    assert [p.name for p in root.rglob("*") if p.is_file() or p.name.endswith(".part")] == []


def test_a_long_chain_of_doubling_aliases_is_counted_without_huge_numbers() -> None:
    lines = ["a0: &a0 [x, x]"] + [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, 3000)]
    started = time.monotonic()
    with pytest.raises(LoadError, match=r"expand 6,003 nodes to over 1,000,000,000,000,000, over the limit"):
        parse_yaml("\n".join(lines), "chain.yaml")  # 2^3000 nodes: a number with 900 digits, if kept
    assert time.monotonic() - started < 5


def test_the_alias_bomb_refusal_itself_takes_milliseconds() -> None:
    started = time.monotonic()
    for source in ("alias-bomb.yaml", "frontmatter-bomb", "records-bomb"):
        with pytest.raises(LoadError, match="the YAML aliases expand"):
            loaders.load(HOSTILE / source)
    assert time.monotonic() - started < 1.0  # three refusals; the issue asked for well under a second each


def test_an_allow_list_alias_bomb_is_refused() -> None:
    from graph.audit import AllowList

    text = (HOSTILE / "alias-bomb.yaml").read_text().replace("concepts:", "allow:").split("allow:")[0]
    text += "allow:\n  orphans: *l8\n"
    started = time.monotonic()
    with pytest.raises(LoadError, match=r"^allow-list upload: the YAML aliases expand "):
        AllowList.parse(text, "allow-list upload")
    assert time.monotonic() - started < 1.0
