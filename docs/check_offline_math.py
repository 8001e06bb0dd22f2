"""Check that the built documentation's formulas render with no network.

The pages carry their formulas as TeX (``\\(...\\)`` inline, ``\\[...\\]``
displayed), and MathJax typesets them in the reader's browser.  If MathJax
cannot be loaded, for instance because it would come from a CDN and the
reader is offline, the reader sees the TeX itself.  This script opens pages
of ``docs/_build/html`` in headless Chromium started inside a new network
namespace (``unshare --net``), where no network exists at all, waits for
MathJax to finish, and reads the text that the page shows.

Usage::

    python docs/check_offline_math.py [PAGE ...]

With no PAGE, every page of ``docs/_build/html`` that holds a formula is
checked (the user guide's derivations, the slips, the API reference, ...).
It needs Debian's ``chromium`` and util-linux's ``unshare``; the environment
variable ``CHROMIUM`` names another Chromium binary.  The exit status is 0
when every page passes, 1 when one fails and 2 when the check itself could
not run.

A page passes when

- its visible text (``document.body.innerText``: what a reader sees, without
  the TeX that MathJax keeps inside hidden or non-text elements) contains
  none of ``\\(``, ``\\[`` and ``\\frac``;
- each of its math elements (class ``math``) holds a typeset formula
  (an ``mjx-container``);
- MathJax reported no error in a formula (``mjx-merror``);
- no font of the page failed to load (MathJax's output draws with fonts
  that it ships beside its script).
"""

import argparse
import fcntl
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SITE = HERE / "_build" / "html"

#: How Sphinx marks a formula in HTML (a span inline, a div displayed).
MATH_MARK = 'class="math notranslate nohighlight"'

#: Text that is TeX nobody typeset: Sphinx's delimiters of inline and
#: displayed maths, and a command that every derivation here uses.
RAW_TEX = ("\\(", "\\[", "\\frac")

#: Seconds that one page may take to load and be typeset.
PAGE_TIMEOUT = 60.0

# Run in the page once it has loaded.  MathJax 3 and 4 resolve
# startup.promise once the first typesetting is over, including the
# extensions it loads on the way; if MathJax never loaded there is nothing
# to wait for, and the TeX is still in the page.
PAGE_REPORT = """
(async () => {
  const mathjax = window.MathJax;
  if (mathjax && mathjax.startup && mathjax.startup.promise) {
    await mathjax.startup.promise;
  }
  // MathJax's output draws with web fonts that it ships; wait for them too.
  await document.fonts.ready;
  const math = [...document.querySelectorAll(".math")];
  return {
    mathjax: (mathjax && mathjax.version) || null,
    text: document.body.innerText,
    math: math.length,
    typeset: math.filter((e) => e.querySelector("mjx-container")).length,
    errors: [...document.querySelectorAll("mjx-merror")].map(
      (e) => e.getAttribute("data-mjx-error") || e.textContent),
    fonts: [...document.fonts].filter((f) => f.status === "error").map((f) => f.family),
  };
})()
"""


class CheckError(Exception):
    """The check could not run (no browser, no namespace, a time-out)."""


class Browser:
    """Headless Chromium, driven through the DevTools protocol on a pipe.

    ``--remote-debugging-pipe`` makes Chromium read commands from its file
    descriptor 3 and write replies and events to 4, as JSON messages ended
    by a NUL byte.  A pipe needs no port, so it works where there is no
    network, and it needs nothing beyond the standard library.

    Parameters
    ----------
    chromium : str
        The Chromium executable.
    """

    def __init__(self, chromium):
        self._profile = tempfile.TemporaryDirectory(prefix="check-offline-math-")
        self._log = tempfile.TemporaryFile()
        commands_read, commands_write = os.pipe()
        replies_read, replies_write = os.pipe()
        # Above 4, so that the child's dup2 onto 3 and 4 never overwrites
        # one end before it has been copied.
        child_in = fcntl.fcntl(commands_read, fcntl.F_DUPFD, 5)
        child_out = fcntl.fcntl(replies_write, fcntl.F_DUPFD, 5)
        os.close(commands_read)
        os.close(replies_write)

        def give_pipe_fds():
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        # unshare --net: a new network namespace that holds only a loopback
        # device, which is down.  Without root, --map-root-user lets an
        # ordinary user make one.
        unshare = ["unshare", "--net"]
        if os.geteuid() != 0:
            unshare.append("--map-root-user")
        command = [
            *unshare,
            chromium,
            "--headless",
            # Chromium refuses to run as root (which --map-root-user makes
            # any user) with its sandbox; the pages opened are our own.
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--user-data-dir=" + self._profile.name,
            "--remote-debugging-pipe",
            "about:blank",
        ]
        try:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=self._log,
                stderr=self._log,
                pass_fds=(3, 4),
                preexec_fn=give_pipe_fds,
            )
        except OSError as error:
            raise CheckError(f"cannot start {command[0]}: {error}") from error
        finally:
            os.close(child_in)
            os.close(child_out)
        self._to_browser = os.fdopen(commands_write, "wb")
        self._from_browser = replies_read
        self._buffer = b""
        self._events = []
        self._next_id = 0

    def close(self):
        """Stop Chromium and remove its profile."""
        try:
            self.send("Browser.close", timeout=10)
        except CheckError:
            pass  # it has exited already, or is killed below
        try:
            self._to_browser.close()
        except OSError:
            pass
        os.close(self._from_browser)
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._log.close()
        self._profile.cleanup()

    def output(self):
        """What Chromium (and unshare) printed, for an error message."""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def _receive(self, deadline):
        # One message, waiting until the deadline for it.
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CheckError("no reply from Chromium in time")
            ready, _, _ = select.select([self._from_browser], [], [], left)
            if ready:
                chunk = os.read(self._from_browser, 1 << 16)
                if not chunk:
                    raise CheckError("Chromium exited:\n" + self.output())
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method, params=None, session=None, timeout=PAGE_TIMEOUT):
        """Send one command and return its result.

        Events that arrive meanwhile are kept for :meth:`wait_for`.
        """
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        try:
            self._to_browser.write(json.dumps(message).encode() + b"\0")
            self._to_browser.flush()
        except BrokenPipeError as error:
            raise CheckError("Chromium exited:\n" + self.output()) from error
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise CheckError(f"{method}: {reply['error']}")
                return reply["result"]
            self._events.append(reply)

    def wait_for(self, method, session, timeout=PAGE_TIMEOUT):
        """Wait for an event of a session, with those already kept first."""
        deadline = time.monotonic() + timeout
        while True:
            for event in self._events:
                if event.get("method") == method and event.get("sessionId") == session:
                    self._events.remove(event)
                    return event
            self._events.append(self._receive(deadline))

    def load(self, url, session):
        """Navigate a session's tab to a URL and wait for its load event.

        The load event comes once every script has run, MathJax's included,
        or has failed to load.
        """
        # Events of the previous page, such as its load event, are not this
        # one's.
        self._events.clear()
        self.send("Page.navigate", {"url": url}, session)
        self.wait_for("Page.loadEventFired", session)


def read_page(browser, session, page):
    """Load one page and return what :data:`PAGE_REPORT` finds in it."""
    browser.load(page.as_uri(), session)
    result = browser.send(
        "Runtime.evaluate",
        {"expression": PAGE_REPORT, "awaitPromise": True, "returnByValue": True},
        session,
    )
    if "exceptionDetails" in result:
        raise CheckError(f"{page}: {result['exceptionDetails']}")
    return result["result"]["value"]


def problems(report):
    """What is wrong with a page, as lines of text; none when it passes."""
    found = []
    text = report["text"]
    for raw in RAW_TEX:
        start = text.find(raw)
        if start >= 0:
            context = " ".join(text[max(start - 30, 0) : start + 50].split())
            found.append(f"raw {raw} in the visible text ({text.count(raw)}x): ...{context}...")
    if report["typeset"] < report["math"]:
        untypeset = report["math"] - report["typeset"]
        found.append(f"{untypeset} of {report['math']} math elements not typeset")
    for error in report["errors"]:
        found.append(f"MathJax error: {error}")
    for family in sorted(set(report["fonts"])):
        found.append(f"font {family} failed to load")
    return found


def pages_with_math(site):
    """The HTML pages of a built site that hold at least one formula.

    Sphinx adds MathJax only to those pages, and only they can show raw
    TeX; a page without formulas may well show a backslash in its code.
    """
    return [
        page
        for page in sorted(site.rglob("*.html"))
        if MATH_MARK in page.read_text(encoding="utf-8", errors="replace")
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "pages",
        nargs="*",
        type=Path,
        help="HTML files to check (default: every page of docs/_build/html with a formula)",
    )
    args = parser.parse_args(argv)
    if not args.pages:
        args.pages = pages_with_math(SITE)
    if not args.pages:
        print(f"no page with a formula under {SITE}: build the docs first", file=sys.stderr)
        return 2
    missing = [str(page) for page in args.pages if not page.is_file()]
    if missing:
        print("no such page: " + ", ".join(missing), file=sys.stderr)
        return 2
    chromium = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not chromium or not shutil.which("unshare"):
        print("needs chromium and unshare (apt-get install chromium)", file=sys.stderr)
        return 2

    failed = 0
    browser = Browser(chromium)
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        browser.send("Page.enable", session=session)
        for page in args.pages:
            report = read_page(browser, session, page.resolve())
            found = problems(report)
            name = os.path.relpath(page)
            mathjax = f"MathJax {report['mathjax']}" if report["mathjax"] else "no MathJax"
            print(
                f"{'FAIL' if found else 'ok  '} {name}: "
                f"{report['typeset']}/{report['math']} formulas typeset, {mathjax}"
            )
            for line in found:
                print(f"     {line}")
            failed += bool(found)
    except CheckError as error:
        print(f"check_offline_math: {error}", file=sys.stderr)
        return 2
    finally:
        browser.close()
    print(f"offline maths: {len(args.pages)} pages checked, {failed} failing")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
