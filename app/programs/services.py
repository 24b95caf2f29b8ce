"""Programs. Enrolling a youth is a case transition (app.cases.lifecycle);
`enroll` stays importable here for app/demo."""

from app.cases.lifecycle import enroll  # noqa: F401
