"""Sphinx configuration of skvanilla's documentation.

Build with ``sphinx-build -W -b html docs docs/_build/html`` (or
``make -C docs html``).  Nothing here reaches the network: no intersphinx,
and the gallery links only to this project's own API pages.  The site needs
no network to be read either: MathJax, which typesets the formulas in the
browser, is copied into ``_build/html/_static/mathjax`` from the
``sphinx-mathjax-offline`` package (the ``docs`` extra) instead of being
loaded from a CDN; ``docs/check_offline_math.py`` checks that the formulas
render in a browser with no network.
"""

import re
from pathlib import Path

import skvanilla

HERE = Path(__file__).parent

project = "skvanilla"
author = "the skvanilla developers"
copyright = "the skvanilla developers"
release = version = skvanilla.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    # After sphinx.ext.mathjax: points mathjax_path at the MathJax that it
    # copies into the site, so that formulas render without a network.
    "sphinx-mathjax-offline",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

exclude_patterns = ["_build", "**.ipynb_checkpoints", "auto_examples/*.md5"]
templates_path = ["_templates"]
default_role = "literal"

# --- API reference ----------------------------------------------------------
autosummary_generate = True
autodoc_default_options = {"inherited-members": False}
# numpydoc writes the method tables; a toctree per method would need a page
# per method.
numpydoc_show_class_members = True
numpydoc_class_members_toctree = False
# Both estimators inherit fit, partial_fit and hidden_activations from their
# shared base (skvanilla._base), so inherited members are listed for them.
numpydoc_show_inherited_class_members = {
    "skvanilla.VanillaMLPClassifier": True,
    "skvanilla.VanillaMLPRegressor": True,
}

# --- Gallery ------------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "doc_module": ("skvanilla",),
    # None: link to the pages built here, never to a remote inventory.
    "reference_url": {"skvanilla": None},
    "backreferences_dir": "generated/backreferences",
    "download_all_examples": False,
    "remove_config_comments": True,
    "show_memory": False,
}

# --- HTML -------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skvanilla {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": True,
    "secondary_sidebar_items": ["page-toc"],
}
# The benchmark chart is wide: its page gives the sidebar's room to it.
html_sidebars = {"**": ["sidebar-nav-bs"], "benchmarks": []}
html_show_sourcelink = False

# --- Pages that other parts of the project may or may not have written ------
#: docs/NAME.rst pages that join the user guide when they exist.
OPTIONAL_USER_GUIDE_PAGES = ["scaling", "persistence"]
#: The benchmark harness writes this chart; benchmarks.rst shows it if present.
BENCHMARK_CHART = HERE / "_static" / "benchmark.png"


def _optional_toctree_entries():
    names = [name for name in OPTIONAL_USER_GUIDE_PAGES if (HERE / f"{name}.rst").exists()]
    return "".join(f"   /{name}\n" for name in names)


def _benchmark_figure():
    if not BENCHMARK_CHART.exists():
        return (
            "The chart has not been produced in this copy of the project yet: "
            "``python -m benchmarks --chart docs/_static/benchmark.png`` "
            "runs the harness and draws it.\n"
        )
    return (
        ".. figure:: /_static/benchmark.png\n"
        "   :alt: fit time of skvanilla and scikit-learn's MLPClassifier\n"
        "   :width: 100%\n"
    )


def _fill_placeholders(app, docname, source):
    # A toctree entry or an image that names a missing file is a warning,
    # and warnings fail the build, so optional content is spliced in here
    # only when its file exists.
    text = source[0]
    text = text.replace("   .. optional-user-guide-pages\n", _optional_toctree_entries())
    text = text.replace(".. benchmark-chart\n", _benchmark_figure())
    source[0] = text


# In reStructuredText a bare word ending in "_" is a link to a target of that
# name, so a docstring that writes a fitted attribute plainly, such as
# "(n_features_in_,)", would be a broken link.  Such words are escaped.
_TRAILING_UNDERSCORE = re.compile(r"(?<![`*\\\w:])([A-Za-z]\w*)_(?![`*\w])")


def _escape_attribute_names(app, what, name, obj, options, lines):
    lines[:] = [_TRAILING_UNDERSCORE.sub(r"\1\\_", line) for line in lines]


def setup(app):
    app.connect("source-read", _fill_placeholders)
    app.connect("autodoc-process-docstring", _escape_attribute_names)
