"""HTTP hardening headers on every response."""

from flask import Flask, Response, request, url_for

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Violations are reported to POST /csp-report: by report-uri (every browser
# today) and by report-to, naming the endpoint of the Reporting-Endpoints header.
REPORT_GROUP = "csp-endpoint"


def init_app(app: Flask) -> None:
    hsts = app.config.get("ENV_NAME") == "production"

    @app.after_request
    def set_headers(response: Response) -> Response:
        report_path = url_for("errors.csp_report")
        response.headers.setdefault("Content-Security-Policy",
                                    f"{CSP}; report-uri {report_path}; report-to {REPORT_GROUP}")
        response.headers["Reporting-Endpoints"] = f'{REPORT_GROUP}="{report_path}"'
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if hsts:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.endpoint != "static":
            # Pages may show personal data: never stored by browsers or proxies.
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response
