"""The one place that renders HTML: whole pages for HTTP and fragments for websockets.

Autoescaping is on for every template; user text is never marked safe. Each render gets the
viewer's own gettext callables, so one event can be shown in Danish and English at once.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from app import __version__
from app.formats import FORMAT_FILTERS
from app.i18n import LANGUAGE_NAMES, attribute_label, translate, translations
from app.roles import ROLE_LABELS, SECTIONS

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

# (path under /static, Subresource Integrity hash) — see static/vendor/README.md
SCRIPTS = {
    "htmx": (
        "vendor/htmx-2.0.11.min.js",
        "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg",
    ),
    "htmx_ws": (
        "vendor/htmx-ext-ws-2.0.4.min.js",
        "sha384-1RwI/nvUSrMRuNj7hX1+27J8XDdCoSLf0EjEyF69nacuWyiJYoQ/j39RT1mSnd2G",
    ),
}

environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    extensions=["jinja2.ext.i18n"],
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.globals.update(scripts=SCRIPTS, version=__version__, language_names=LANGUAGE_NAMES)
environment.globals.update(role_labels=ROLE_LABELS, section_needs=SECTIONS)
environment.filters.update(FORMAT_FILTERS)


@pass_context
def _translate(context: Any, text: Any) -> str:
    """``{{ problem|tr }}``: a validation Message (or English msgid) in the render's language."""
    return translate(text, str(context.get("lang", "da")))


@pass_context
def _attribute_label(context: Any, name: str) -> str:
    """``{{ "gender"|attr_label }}`` → "Køn": a member attribute's or quota's display label."""
    return attribute_label(name, str(context.get("lang", "da")))


environment.filters["tr"] = _translate
environment.filters["attr_label"] = _attribute_label


environment.newstyle_gettext = True  # type: ignore[attr-defined]


@cache
def _gettext_context(lang: str) -> dict[str, Any]:
    """Jinja's "new style" gettext: ``_("Hello, %(name)s", name=x)`` with x escaped."""
    t = translations(lang)

    @pass_context
    def gettext(context: Any, message: str, **variables: Any) -> str:
        text = t.gettext(message)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables if variables else text

    @pass_context
    def ngettext(context: Any, singular: str, plural: str, n: int, **variables: Any) -> str:
        variables.setdefault("num", n)
        text = t.ngettext(singular, plural, n)
        if context.eval_ctx.autoescape:
            text = Markup(text)
        return text % variables

    return {"gettext": gettext, "_": gettext, "ngettext": ngettext, "lang": lang}


def render_fragment(lang: str, name: str, **context: Any) -> str:
    """Render a template (page or fragment) in ``lang``."""
    return environment.get_template(name).render(**context, **_gettext_context(lang))


def _may(request: Request) -> Any:
    """``may("organise")`` in a page: whether the viewer's role in this page's assembly allows
    it (app/roles.py; the role is remembered by the check the page ran)."""
    from app.roles import allows

    role = getattr(request.state, "access", None)
    return lambda capability: allows(role, capability)


def render_page(
    request: Request, name: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """Render a full page for an HTTP request, with the viewer's language and CSRF token."""
    from app.auth import csrf_token, request_language  # late: auth imports this module

    lang = request_language(request)
    html = render_fragment(
        lang,
        name,
        request=request,
        csrf_token=csrf_token(request),
        path=request.url.path,
        may=_may(request),
        **context,
    )
    return HTMLResponse(html, status_code=status_code)
