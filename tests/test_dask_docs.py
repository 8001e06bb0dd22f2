"""The Python examples of docs/scaling.rst run as the scripts they are.

Each ``.. code-block:: python`` of the page is written to a file and run by a fresh
interpreter, as a user would run it; it starts and closes its own ``LocalCluster``.
Its processes carry a marker in their environment, so that any of them still alive
afterwards, orphaned or not, is found.
"""

import os
import re
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

pytest.importorskip("dask_ml", reason='needs the extra: pip install ".[distributed]"')
psutil = pytest.importorskip("psutil")

PAGE = Path(__file__).resolve().parents[1] / "docs" / "scaling.rst"
MARKER = "SKVANILLA_DOCS_RUN"


def python_blocks(text):
    """The bodies of the page's ``.. code-block:: python`` directives, dedented."""
    blocks = []
    for match in re.finditer(r"^\.\. code-block:: python\n\n((?:(?: {3}.*)?\n)+)", text, re.M):
        blocks.append(textwrap.dedent(match.group(1)))
    return blocks


BLOCKS = python_blocks(PAGE.read_text())
# What each example prints when it has done its job.
EXPECTED = [
    r"best: \{'hidden_layer_sizes': \(\d+,\), 'learning_rate_init': [\d.e-]+\} 0\.9\d*\n"
    r"cross-validated accuracy: \[ *0\.9\d* +0\.9\d* +0\.9\d* *\]",
    r"best: \{'learning_rate_init': [\d.e-]+\} 0\.9\d*",
    r"held-out accuracy: 0\.9\d*\npredictions are a dask array: \[[\d ]+\]",
]


def test_the_page_has_the_examples_this_test_expects():
    assert len(BLOCKS) == len(EXPECTED)
    assert all('if __name__ == "__main__":' in block for block in BLOCKS)


def _marked(tag):
    found = []
    for proc in psutil.process_iter():
        try:
            if proc.environ().get(MARKER) == tag:
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(EXPECTED)))
def test_example_runs_and_leaves_no_process(index, tmp_path):
    script = tmp_path / f"scaling_example_{index}.py"
    script.write_text(BLOCKS[index])
    tag = uuid.uuid4().hex
    env = {**os.environ, MARKER: tag}
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert re.search(EXPECTED[index], done.stdout), done.stdout
    _, alive = psutil.wait_procs(_marked(tag), timeout=30)
    assert not alive, f"processes left behind: {[p.cmdline() for p in alive]}"
