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
# numpydoc writes the method tables; a toctree per method would need a page
# per method.
numpydoc_show_class_members = True
numpydoc_class_members_toctree = False
# Both estimators inherit fit, partial_fit and hidden_activations from their
# shared base (skvanilla._base), so inherited members are listed for them.
numpydoc_show_inherited_class_members = {
    "skvanilla.VanillaMLPClassifier": True,
    "skvanilla.VanillaMLPRegressor": True,
    # A warning's page lists no methods of Python's Exception.
    "skvanilla.InconsistentVersionWarning": False,
}
# A reference that points at nothing fails the build (with -n -W).
nitpicky = True

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
# "(n_features_in_,)", would be a broken link.  Such words are escaped in
# plain text only: inside inline markup (``literal``, :math:`...`, a role's
# target) and in a ``.. math::`` block a backslash is kept as it is written,
# so escaping there would print it, or an underscore where a subscript was
# meant.
_TRAILING_UNDERSCORE = re.compile(r"(?<![`*\\\w:])([A-Za-z]\w*)_(?![`*\w])")
_INLINE_MARKUP = re.compile(r"``[\s\S]*?``|(?::[\w:.-]+:)?`[^`]*`_{0,2}")
_MATH_DIRECTIVE = re.compile(r"^(\s*)\.\. math::")


def _escape_plain_text(text):
    pieces, end = [], 0
    for markup in _INLINE_MARKUP.finditer(text):
        pieces.append(_TRAILING_UNDERSCORE.sub(r"\1\\_", text[end:markup.start()]))
        pieces.append(markup.group())
        end = markup.end()
    pieces.append(_TRAILING_UNDERSCORE.sub(r"\1\\_", text[end:]))
    return "".join(pieces)


def _escape_attribute_names(app, what, name, obj, options, lines):
    # Inline markup may run over several lines, so a paragraph is escaped
    # as one text; the lines of a ``.. math::`` block are left as they are.
    out, paragraph, math_indent = [], [], None
    for line in lines:
        indent = len(line) - len(line.lstrip())
        if math_indent is not None and (not line.strip() or indent > math_indent):
            out.append(line)
            continue
        math_indent = None
        directive = _MATH_DIRECTIVE.match(line)
        if directive:
            out.extend(_escape_plain_text("\n".join(paragraph)).split("\n") if paragraph else [])
            paragraph = []
            out.append(line)
            math_indent = len(directive.group(1))
            continue
        paragraph.append(line)
    if paragraph:
        out.extend(_escape_plain_text("\n".join(paragraph)).split("\n"))
    lines[:] = out


#: Where scikit-learn's API pages are: one page per public class or function.
SKLEARN_API = "https://scikit-learn.org/stable/modules/generated/{}.html"
#: The labels and glossary terms of scikit-learn's site that the docstrings
#: of the methods inherited from scikit-learn (set_fit_request ...) cite.
SKLEARN_PAGES = {
    ("ref", "metadata_routing"): "https://scikit-learn.org/stable/metadata_routing.html",
    ("term", "meta-estimator"): "https://scikit-learn.org/stable/glossary.html#term-meta-estimator",
}


def _sklearn_object(target):
    """The class or function that a dotted ``sklearn.`` name imports, or None."""
    import importlib

    module, _, name = target.rpartition(".")
    if not (module == "sklearn" or module.startswith("sklearn.")) or "._" in target:
        return None
    try:
        obj = getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None
    return obj if isinstance(obj, type) or callable(obj) else None


def _link_to_sklearn(app, env, node, contnode):
    # The site is built with no network, so there is no intersphinx
    # inventory of scikit-learn's: a reference to one of its public classes
    # or functions, checked to exist in the installed scikit-learn, becomes
    # a link to its page on scikit-learn's site.  Anything else stays
    # unresolved, and -n reports it.
    from docutils import nodes

    target = node.get("reftarget", "")
    if node.get("refdomain") == "py" and _sklearn_object(target) is not None:
        uri = SKLEARN_API.format(target)
    elif (node.get("reftype"), target.lower()) in SKLEARN_PAGES:
        uri = SKLEARN_PAGES[node.get("reftype"), target.lower()]
    else:
        return None
    link = nodes.reference("", "", internal=False, refuri=uri,
                           reftitle=f"(in scikit-learn) {target}")
    link.append(contnode)
    return link


def setup(app):
    app.connect("missing-reference", _link_to_sklearn)
    app.connect("source-read", _fill_placeholders)
    app.connect("autodoc-process-docstring", _escape_attribute_names)
