"""Roles are named in app/security/policy.py only (and in their labels,
app/accounts/roles.py, and the demo data): a view, service or template
asks the policy (`can`, `may_edit_session`, `sees_whole_team`...) instead of
comparing role names."""

import ast
import re
from pathlib import Path

from app.accounts.roles import ROLES

APP = Path(__file__).resolve().parent.parent / "app"
ALLOWED = {"security/policy.py", "accounts/roles.py"}
ALLOWED_DIRS = ("demo/",)
ROLE_CONSTANTS = {"ADMIN", "COORDINATOR", "SOCIAL_WORKER", "POLICE", "NGO_MANAGER", "AUDITOR", "CASE_DATA_ROLES"}
ROLE_CODES = set(ROLES)
# Codes that are never anything but a role ("admin" and "police" also name a
# blueprint and a referral source: those count only beside a `.role`).
ONLY_ROLES = ROLE_CODES - {"admin", "police"}
TEMPLATE_ROLE_COMPARE = re.compile(r"\brole\s*(==|!=|\bin\b|\bnot\s+in\b)")
TEMPLATE_ROLE_CODE = re.compile("['\"](" + "|".join(sorted(ONLY_ROLES)) + ")['\"]")


def _strings(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [s for element in node.elts for s in _strings(element)]
    return []


def _is_role(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "role"


def python_role_names(source: str) -> list[str]:
    """Where a Python module names a role: 'line: what'."""
    found = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.ImportFrom) and node.module == "app.accounts.roles":
            found += [f"{line}: imports {a.name}" for a in node.names if a.name in ROLE_CONSTANTS]
        elif isinstance(node, ast.Attribute) and node.attr in ROLE_CONSTANTS \
                and isinstance(node.value, ast.Name) and node.value.id == "roles":
            found.append(f"{line}: roles.{node.attr}")
        elif isinstance(node, ast.Constant) and node.value in ONLY_ROLES:
            found.append(f"{line}: {node.value!r}")
        elif isinstance(node, ast.Compare) and any(_is_role(o) for o in (node.left, *node.comparators)):
            found += [f"{line}: role compared with {s!r}" for o in (node.left, *node.comparators)
                      for s in _strings(o) if s in ROLE_CODES]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "in_" \
                and _is_role(node.func.value):
            found += [f"{line}: role in {s!r}" for a in node.args for s in _strings(a) if s in ROLE_CODES]
        elif isinstance(node, ast.keyword) and node.arg == "role":
            found += [f"{line}: role={s!r}" for s in _strings(node.value) if s in ROLE_CODES]
    return found


def template_role_names(source: str) -> list[str]:
    found = []
    for number, text in enumerate(source.splitlines(), 1):
        found += [f"{number}: {m.group(0)}" for m in TEMPLATE_ROLE_COMPARE.finditer(text)]
        found += [f"{number}: {m.group(0)}" for m in TEMPLATE_ROLE_CODE.finditer(text)]
    return found


def role_names_in(root: Path) -> dict[str, list[str]]:
    """Every module and template under `root`, outside the allowed ones, that names a role."""
    report = {}
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        if name in ALLOWED or name.startswith(ALLOWED_DIRS):
            continue
        if path.suffix == ".py":
            found = python_role_names(path.read_text(encoding="utf-8"))
        elif path.suffix == ".html":
            found = template_role_names(path.read_text(encoding="utf-8"))
        else:
            continue
        if found:
            report[name] = found
    return report


def test_no_view_service_or_template_names_a_role():
    assert role_names_in(APP) == {}


def test_the_scan_finds_planted_role_names(tmp_path):
    (tmp_path / "views").mkdir()
    (tmp_path / "views" / "planted.py").write_text(
        "from app.accounts.roles import COORDINATOR\n"
        "def f(user, query, User):\n"
        "    if user.role == 'police':\n"
        "        return query.where(User.role.in_(('admin', 'auditor')))\n"
        "    return user.role in (COORDINATOR,)\n", encoding="utf-8")
    (tmp_path / "planted.html").write_text(
        "{% if current_user.role == 'social_worker' %}x{% endif %}\n", encoding="utf-8")
    (tmp_path / "security").mkdir()
    (tmp_path / "security" / "policy.py").write_text("ADMIN = 'admin'\nx = 'coordinator'\n", encoding="utf-8")
    (tmp_path / "clean.py").write_text("bp = Blueprint('admin', __name__)\nsource = 'police'\n", encoding="utf-8")
    report = role_names_in(tmp_path)
    assert set(report) == {"views/planted.py", "planted.html"}  # the policy itself and clean code pass
    assert {"1: imports COORDINATOR", "3: role compared with 'police'", "4: role in 'admin'",
            "4: role in 'auditor'"} <= set(report["views/planted.py"])
    assert len(report["planted.html"]) == 2  # the comparison and the code
