"""The API's interactive documentation for signed-in staff: Swagger UI over
``/api/openapi.json``, its files served from this machine (walkthrough D28).

Nothing is downloaded at run time: Swagger UI's built files (5.x, which reads the OpenAPI
3.1 FastAPI writes; the ``swagger-ui-bundle`` package ships 4.15, which refuses it) come
from the ``fastapi-offline`` package (MIT; Swagger UI itself is Apache-2.0), mounted at
``/static/swagger-ui`` by app.py; only its files are used, not its app class. FastAPI's
own ``/docs`` page loads them from a CDN and starts them with an inline script, which the
app's Content-Security-Policy forbids: this page starts them from ``/static/api-docs.js``,
which also sends the CSRF token with every change the page tries. Without the package the
page says so instead of failing.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from trialdesk.study.texts import Text
from trialdesk.trial.accounts.roles import Permission
from trialdesk.web import csrf
from trialdesk.web.access import allow
from trialdesk.web.locale import locale_of
from trialdesk.web.pages import render

__all__ = ["ASSETS_URL", "DOCS_TEXTS", "router", "swagger_ui_files"]

router = APIRouter(include_in_schema=False)

ASSETS_URL = "/static/swagger-ui"
SPEC_URL = "/api/openapi.json"

DOCS_TEXTS: dict[str, Text] = {
    "title": Text("API documentation", "API文档"),
    "intro": Text(
        "Every endpoint of the JSON API, with its permission, its body and its answers. "
        '"Try it out" acts as you, with your role: changes are real and audited.',
        "JSON API的全部端点，包括所需权限、请求体和响应。“Try it out”以您的身份和角色执行："
        "所做更改是真实的并记录在审计追踪中。",
    ),
    "spec": Text("The OpenAPI document", "OpenAPI文档"),
    "missing": Text(
        "The interactive page needs the fastapi-offline package, which is not installed "
        "here: the OpenAPI document above describes the same API.",
        "交互式页面需要fastapi-offline软件包，但此处未安装：上方的OpenAPI文档描述了同一API。",
    ),
}


def swagger_ui_files() -> Path | None:
    """The folder of Swagger UI's built files, or None without the package."""
    try:
        import fastapi_offline
    except ImportError:
        return None
    folder = Path(fastapi_offline.__file__).parent / "static"
    return folder if (folder / "swagger-ui-bundle.js").is_file() else None


@router.get(
    "/staff/api-docs", response_class=HTMLResponse, dependencies=[allow(Permission.VIEW_STAFF)]
)
async def api_docs(request: Request) -> HTMLResponse:
    return render(
        request,
        "api_docs.html",
        {
            "assets": ASSETS_URL if swagger_ui_files() is not None else None,
            "spec": SPEC_URL,
            "api_token": csrf.token_for(request),
            "dt": DOCS_TEXTS,
            "locale": locale_of(request),
        },
    )
