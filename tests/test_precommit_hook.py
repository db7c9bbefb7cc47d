"""The repository's pre-commit hook, run by the real pre-commit (``pre-commit try-repo``) on a tiny
glossary in a fresh git repository: it passes on a clean glossary and fails on a broken one.

pre-commit builds the hook's environment as for any user: a virtualenv with this repository
installed by pip. Its dependencies are the ones this test already runs with: pip is told not to
fetch them again (PIP_NO_DEPS) and the hook finds them through PYTHONPATH, so the test takes
seconds rather than the minutes a fresh streamlit, pandas and Neo4j driver install would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
GIT_ENV = {
    "GIT_AUTHOR_NAME": "glossgraph tests", "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "glossgraph tests", "GIT_COMMITTER_EMAIL": "tests@example.invalid",
}


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "init.defaultBranch=main", *args], cwd=folder, check=True, capture_output=True,
                   env={**os.environ, **GIT_ENV})


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This checkout's files (working tree, uncommitted changes included) as a committed repository.

    Committed, so try-repo uses its HEAD as it is and both runs share one hook environment.
    """
    repo = tmp_path_factory.mktemp("hook-repo")
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                            capture_output=True).stdout.decode("utf-8").split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "hook repository for the test")
    return repo


def glossary_repo(folder: Path, broken: bool) -> Path:
    """A git repository holding a three-note glossary at its root; ``broken`` adds a reference to nothing."""
    folder.mkdir()
    related = "[Beta, Gamma, Nowhere]" if broken else "[Beta, Gamma]"
    notes = {
        "alpha.md": f"---\ntitle: Alpha\ncategory: Letters\nrelated: {related}\n---\nThe first letter.\n",
        "beta.md": "---\ntitle: Beta\ncategory: Letters\nrelated: [Alpha, Gamma]\n---\nThe second letter.\n",
        "gamma.md": "---\ntitle: Gamma\ncategory: Letters\nrelated: [Alpha, Beta]\n---\nThe third letter.\n",
    }
    for name, text in notes.items():
        (folder / name).write_text(text, encoding="utf-8")
    git(folder, "init", "-q")
    git(folder, "add", "-A")
    return folder


def try_repo(hook_repo: Path, glossary: Path, home: Path) -> subprocess.CompletedProcess[str]:
    paths = sysconfig.get_paths()
    libraries = os.pathsep.join(dict.fromkeys((paths["purelib"], paths["platlib"])))
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "PRE_COMMIT_COLOR": "never",
           "PIP_NO_DEPS": "1", "PYTHONPATH": libraries}
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "glossgraph-audit", "--all-files"],
        cwd=glossary, capture_output=True, text=True, env=env, timeout=500,
    )


def test_hook_definition_names_the_audit() -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "glossgraph-audit"
    assert hook["entry"] == "glossgraph audit" and hook["language"] == "python"
    assert "--fail-on" in hook["args"] and hook["pass_filenames"] is False


def test_try_repo_passes_a_clean_glossary_and_fails_a_broken_one(hook_repo: Path, tmp_path: Path) -> None:
    home = tmp_path / "pre-commit-home"
    clean = try_repo(hook_repo, glossary_repo(tmp_path / "clean", broken=False), home)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "glossgraph audit" in clean.stdout and "Passed" in clean.stdout
    broken = try_repo(hook_repo, glossary_repo(tmp_path / "broken", broken=True), home)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "Failed" in broken.stdout
    assert "audit failed: broken_links (1)" in broken.stdout
