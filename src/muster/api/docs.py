"""The interactive documentation, served whole by the application: Swagger UI's files come
from the `swagger-ui-bundle-v2` package, so the page works without internet."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from swagger_ui_bundle import swagger_ui_path

# The files the page loads, and nothing else of the package (its own index.html would
# point at a public example document).
ASSETS = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon-32x32.png": "image/png",
}
CACHE = "public, max-age=86400"


def install_docs(app: FastAPI, prefix: str) -> None:
    """`{prefix}/docs`, the page, and `{prefix}/docs/assets/NAME`, its files."""
    folder = Path(str(swagger_ui_path))
    assets = f"{prefix}/docs/assets"

    @app.get(f"{prefix}/docs", include_in_schema=False)
    async def docs_page() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=f"{prefix}/openapi.json",
            title=f"{app.title} — API",
            swagger_js_url=f"{assets}/swagger-ui-bundle.js",
            swagger_css_url=f"{assets}/swagger-ui.css",
            swagger_favicon_url=f"{assets}/favicon-32x32.png",
            oauth2_redirect_url=None,
            # No badge from the public validator: the page asks nothing of another host.
            swagger_ui_parameters={"validatorUrl": None},
        )

    @app.get(f"{assets}/{{name}}", include_in_schema=False)
    async def docs_asset(name: str) -> FileResponse:
        if name not in ASSETS:
            raise StarletteHTTPException(404, f"no documentation asset {name!r}")
        return FileResponse(
            folder / name, media_type=ASSETS[name], headers={"Cache-Control": CACHE}
        )
