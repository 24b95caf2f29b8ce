"""Reports of content the Content-Security-Policy blocked: read from either
format browsers send, and reduced to what is safe to log. Query strings and
fragments of URLs are dropped (they may hold tokens, search terms or case
codes), and so are the policy, the referrer and the script sample."""

import json
import re
from urllib.parse import urlsplit, urlunsplit

# report-uri sends one application/csp-report object; report-to sends a batch
# of reports as application/reports+json (some older browsers: application/json).
CSP_REPORT, REPORTS_JSON = "application/csp-report", "application/reports+json"
CONTENT_TYPES = frozenset({CSP_REPORT, REPORTS_JSON, "application/json"})
MAX_REPORTS = 20  # of one batch, logged
MAX_CHARS = 200  # of one logged value

DIRECTIVE = re.compile(r"[a-z][a-z-]{0,39}")
KEYWORD = re.compile(r"[a-z][a-z-]{0,39}")  # blocked-uri "inline", "eval", "wasm-eval", …
OPAQUE_SCHEMES = frozenset({"data", "blob", "filesystem", "about", "javascript"})


class BadReport(ValueError):
    """A body that is not a CSP report."""


def without_query(value) -> str:
    """A URL without its query string, fragment and credentials; a keyword
    ("inline", "eval") as is; for data:, blob: and the like only the scheme."""
    if not isinstance(value, str) or not value.strip():
        return "-"
    value = value.strip()
    if KEYWORD.fullmatch(value):
        return value
    try:
        parts = urlsplit(value)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:  # an invalid port or IPv6 address: cut by hand
        return printable(re.split(r"[?#]", value, maxsplit=1)[0].rsplit("@", 1)[-1])
    scheme = parts.scheme.lower()
    if scheme in OPAQUE_SCHEMES:
        return scheme
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    return printable(urlunsplit((scheme, netloc, parts.path, "", "")))


def printable(value: str) -> str:
    """At most MAX_CHARS characters, with none that could forge a log line."""
    return "".join(c if c.isprintable() else "\ufffd" for c in value[:MAX_CHARS])


def directive_of(value) -> str:
    return value if isinstance(value, str) and DIRECTIVE.fullmatch(value) else "unknown"


def violations(raw: bytes) -> list[dict[str, str]]:
    """The violations of a report body: directive, blocked and document URL
    (without query strings), disposition. BadReport if it is not a report."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadReport("not JSON") from error
    found = []
    if isinstance(data, dict) and isinstance(data.get("csp-report"), dict):
        body = data["csp-report"]
        found.append({
            "directive": directive_of(body.get("effective-directive") or body.get("violated-directive")),
            "blocked": without_query(body.get("blocked-uri")),
            "document": without_query(body.get("document-uri")),
            "disposition": directive_of(body.get("disposition") or "enforce"),
        })
    elif isinstance(data, list):
        for report in data[:MAX_REPORTS]:
            if not isinstance(report, dict) or report.get("type") != "csp-violation":
                continue
            body = report.get("body") if isinstance(report.get("body"), dict) else {}
            found.append({
                "directive": directive_of(body.get("effectiveDirective")),
                "blocked": without_query(body.get("blockedURL")),
                "document": without_query(body.get("documentURL") or report.get("url")),
                "disposition": directive_of(body.get("disposition") or "enforce"),
            })
    else:
        raise BadReport("neither format")
    return found
