"""The built wheel, as a user installs it: the library, its data, and the flows as ``gepnec_flows``.

The flows live in the folder flows/ and are installed under the name gepnec_flows: a bare
top-level ``flows`` package would collide with any other distribution that ships one. The wheel
is built from a copy of the source tree (so the build leaves nothing in the checkout), installed
into a folder of its own, and the main job is run from that folder. Slow: a real build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "README.md", "src", "flows")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    tree, out = tmp_path_factory.mktemp("tree"), tmp_path_factory.mktemp("wheel")
    for name in SOURCES:
        source = REPO / name
        if source.is_file():
            shutil.copy2(source, tree / name)
        else:
            shutil.copytree(source, tree / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(tree)],
                          capture_output=True, text=True, timeout=600)
    if done.returncode != 0 and "build dependencies" in done.stderr + done.stdout:
        pytest.skip(f"cannot build here (pip could not get the build backend): {done.stderr[-300:]}")
    assert done.returncode == 0, done.stderr[-2000:]
    (built,) = out.glob("gepnec_extract-*.whl")
    return built


def test_wheel_holds_the_flows_as_gepnec_flows_and_no_bare_flows(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top_level = {name.split("/")[0] for name in names if not name.split("/")[0].endswith(".dist-info")}
    assert top_level == {"gepnec_extract", "gepnec_flows"}
    flows = {Path(name).name for name in names if name.startswith("gepnec_flows/")}
    assert {p.name for p in (REPO / "flows").glob("*.py")} <= flows  # every module of the folder
    assert "gepnec_extract/nlp/config.cfg" in names  # package data travels too


def test_wheel_holds_every_module_of_the_source_tree(wheel):
    """pyproject lists the packages by hand (the flows' folder is mapped to another name), so a new
    package folder left off the list would be missing from what users install."""
    names = set(zipfile.ZipFile(wheel).namelist())
    source = REPO / "src" / "gepnec_extract"
    modules = {f"gepnec_extract/{p.relative_to(source).as_posix()}" for p in source.rglob("*.py")
               if "__pycache__" not in p.parts}
    assert modules and modules - names == set()


def test_installed_wheel_runs_the_main_job(wheel, tmp_path):
    """`gepnec-extract run` from the installed wheel alone: the CLI finds its flows by the new name."""
    target = tmp_path / "site"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
                           str(wheel)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    papers = tmp_path / "papers"
    papers.mkdir()
    (papers / "quill.txt").write_text("Quill et al. treated 20 patients with drugamab 100 mg/m2 on day 1.\n\n"
                                      "The response rate was 30% and the median overall survival was 9 months.\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env["PYTHONPATH"] = str(target)  # the installed copy, ahead of any checkout or editable install
    script = ("import sys, gepnec_extract, gepnec_flows\nfrom gepnec_extract.cli import main\n"
              "print(gepnec_extract.__file__)\nprint(gepnec_flows.__file__)\n"
              f"sys.argv = ['gepnec-extract', 'run', {str(papers)!r}, '--out', {str(tmp_path / 'out')!r}, '--no-report']\n"
              "try:\n    main()\nexcept SystemExit as end:\n    assert not end.code, end.code\n"
              "print(sorted(m for m in sys.modules if m.split('.')[0] == 'flows'))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    library, flows, bare = lines[0], lines[1], lines[-1]  # printed before and after the run
    assert Path(library).is_relative_to(target) and Path(flows).is_relative_to(target)
    assert bare == "[]"  # nothing imported a top-level `flows`
    assert (tmp_path / "out" / "records.jsonl").is_file()
