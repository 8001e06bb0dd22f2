"""Sphinx configuration of skvanilla's documentation.

Build with ``sphinx-build -n -W -b html docs docs/_build/html`` (or
``make -C docs html``); ``-n`` makes a reference that points at nothing an
error.  Nothing here reaches the network: no intersphinx (a reference to
scikit-learn's public API becomes a plain link to its site, see
``_link_to_sklearn``), and the gallery links only to this project's own API
pages.  Every benchmark figure is read from the harness's results file by
``_ext/benchmark_figures.py``.  The site needs
no network to be read either: MathJax, which typesets the formulas in the
browser, is copied into ``_build/html/_static/mathjax`` from the
``sphinx-mathjax-offline`` package (the ``docs`` extra) instead of being
loaded from a CDN; ``docs/check_offline_math.py`` checks that the formulas
render in a browser with no network.
"""

import configparser
import re
import sys
from pathlib import Path

import skvanilla

HERE = Path(__file__).parent
# The site's own extensions (docs/_ext).
sys.path.insert(0, str(HERE / "_ext"))

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
    # The benchmark figures, read from benchmarks/results/results.json.
    "benchmark_figures",
]

exclude_patterns = ["_build", "**.ipynb_checkpoints", "auto_examples/*.md5"]
templates_path = ["_templates"]
default_role = "literal"

# --- What the package requires, from its metadata ---------------------------
# The install page quotes setup.cfg rather than a copy of it, and every extra
# that setup.cfg defines must be on that page.
SETUP = configparser.ConfigParser()
SETUP.read(HERE.parent / "setup.cfg")


def _requirement(name):
    for line in SETUP["options"]["install_requires"].split():
        if re.match(rf"{re.escape(name)}\b", line):
            return line[len(name):]
    raise ValueError(f"setup.cfg requires no {name}")


def _in_words(spec):
    return spec.replace(">=", "").strip() + " or later" if spec.startswith(">=") else spec


rst_epilog = f"""
.. |python_requires| replace:: {_in_words(SETUP["options"]["python_requires"])}
.. |numpy_requires| replace:: {_in_words(_requirement("numpy"))}
.. |sklearn_requires| replace:: {_in_words(_requirement("scikit-learn"))}
"""
_missing_extras = [name for name in SETUP["options.extras_require"]
                   if f'pip install ".[{name}]"' not in (HERE / "install.rst").read_text()]
if _missing_extras:
    raise ValueError(f"docs/install.rst does not describe the extras {_missing_extras}")

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
# "fit()" rather than "VanillaMLPClassifier.fit()" in a page's contents, which
# would run out of the right-hand column.
toc_object_entries_show_parents = "hide"
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
    # The execution-times page would load jQuery and DataTables from a CDN.
    "write_computation_times": False,
}

# --- HTML -------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skvanilla {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": True,
    # The benchmark chart and tables take the page's whole width.
    "secondary_sidebar_items": {"**": ["page-toc"], "benchmarks": []},
    # Every page of the top-level toctree in the header, none under "More".
    "header_links_before_dropdown": 8,
}
# The left sidebar lists the pages of a section; the pages that have none
# (the home page, install, getting started, the API reference, benchmarks,
# the changelog, the gallery) give its room to their code and tables.
_NO_SECTION = ["index", "install", "getting_started", "api", "generated/*", "benchmarks",
               "changelog", "auto_examples/*"]
html_sidebars = {page: [] for page in _NO_SECTION}
html_static_path = ["_static"]
html_css_files = ["skvanilla.css"]
html_show_sourcelink = False


# In reStructuredText a bare word ending in "_" is a link to a target of that
# name, so a docstring that writes a fitted attribute plainly, such as
# "(n_features_in_,)", would be a broken link.  Such words are escaped in
# running text only.  Inside inline markup (``literal``, :math:`...`, a
# role's target) and in literal text -- a ``.. math::`` or ``.. code-block::``
# block, a block after "::", a doctest -- a backslash is kept as it is
# written, so escaping there would print it, or an underscore where a
# subscript was meant.
_TRAILING_UNDERSCORE = re.compile(r"(?<![`*\\\w:])([A-Za-z]\w*)_(?![`*\w])")
_INLINE_MARKUP = re.compile(r"``[\s\S]*?``|(?::[\w:.-]+:)?`[^`]*`_{0,2}")
#: A line after which the more indented lines are literal.
_LITERAL_START = re.compile(r"^\s*\.\. (math|code-block|code|sourcecode)::|.*::\s*$")


def _escape_plain_text(text):
    pieces, end = [], 0
    for markup in _INLINE_MARKUP.finditer(text):
        pieces.append(_TRAILING_UNDERSCORE.sub(r"\1\\_", text[end:markup.start()]))
        pieces.append(markup.group())
        end = markup.end()
    pieces.append(_TRAILING_UNDERSCORE.sub(r"\1\\_", text[end:]))
    return "".join(pieces)


def _literal_lines(lines):
    """Whether each line is literal text, which no escaping may touch."""
    literal, block_indent, in_doctest = [], None, False
    for line in lines:
        indent = len(line) - len(line.lstrip())
        if block_indent is not None and (not line.strip() or indent > block_indent):
            literal.append(True)
            continue
        block_indent = None
        # A doctest runs from its first ">>>" to the next blank line.
        in_doctest = bool(line.strip()) and (in_doctest or line.lstrip().startswith(">>>"))
        literal.append(in_doctest)
        if not in_doctest and _LITERAL_START.match(line):
            block_indent = indent
    return literal


def _escape_attribute_names(app, what, name, obj, options, lines):
    # Inline markup may run over several lines, so each run of running text
    # is escaped as one text.
    out, run = [], []
    for line, literal in zip(lines, _literal_lines(lines)):
        if literal:
            out.extend(_escape_plain_text("\n".join(run)).split("\n") if run else [])
            run = []
            out.append(line)
        else:
            run.append(line)
    if run:
        out.extend(_escape_plain_text("\n".join(run)).split("\n"))
    lines[:] = out


#: Where scikit-learn's API pages are: one page per public class or function.
SKLEARN_API = "https://scikit-learn.org/stable/modules/generated/{}.html"
#: And one page per public module.
SKLEARN_MODULE = "https://scikit-learn.org/stable/api/{}.html"
#: The labels and glossary terms of scikit-learn's site that the docstrings
#: of the methods inherited from scikit-learn (set_fit_request, and the
#: searches' fit, predict_proba ...) cite.
SKLEARN_GLOSSARY = "https://scikit-learn.org/stable/glossary.html#term-{}"
SKLEARN_PAGES = {
    ("ref", "metadata_routing"): "https://scikit-learn.org/stable/metadata_routing.html",
    **{("term", term): SKLEARN_GLOSSARY.format(term)
       for term in ("meta-estimator", "fit", "sample_weight", "classes_")},
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


def _sklearn_module(target):
    """Whether a dotted ``sklearn`` name is a public module of the installed scikit-learn."""
    import importlib

    if not (target == "sklearn" or target.startswith("sklearn.")) or "._" in target:
        return False
    try:
        importlib.import_module(target)
    except ImportError:
        return False
    return True


def _link_to_sklearn(app, env, node, contnode):
    # The site is built with no network, so there is no intersphinx
    # inventory of scikit-learn's: a reference to one of its public modules,
    # classes or functions, checked to exist in the installed scikit-learn,
    # becomes a link to its page on scikit-learn's site.  Anything else stays
    # unresolved, and -n reports it.
    from docutils import nodes

    target = node.get("reftarget", "")
    if node.get("refdomain") == "py" and node.get("reftype") == "mod":
        if not _sklearn_module(target):
            return None
        uri = SKLEARN_MODULE.format(target)
    elif node.get("refdomain") == "py" and _sklearn_object(target) is not None:
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
    app.connect("autodoc-process-docstring", _escape_attribute_names)
