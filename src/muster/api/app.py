"""The HTTP API: `create_app(settings)` builds it; `muster serve` runs it."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from muster import __version__, bootstrap
from muster.api import errors
from muster.api.deps import AccountCache
from muster.api.docs import install_docs
from muster.api.limits import RequestGate, RouteTable
from muster.api.routers import admin, border, orders, registry, screening, system
from muster.api.routers.system import LoginLimiter
from muster.config import Settings, log_to_stderr, registry_zone, today
from muster.screening.crossing_process import CrossingClient, seal_pending
from muster.screening.crossing_writer import CrossingWriter
from muster.screening.decision import ScreeningCaches
from muster.screening.identify import RollMatcher
from muster.web.app import ROUTERS as PAGE_ROUTERS
from muster.web.app import install_web, refusal_page

PREFIX = "/api/v1"
ROUTERS = (
    system.router,
    screening.router,
    border.router,
    orders.router,  # before `GET /orders/{number}`, which would take `/orders/drafts`
    registry.router,
    admin.router,
)
logger = logging.getLogger("muster.api")


def load_matcher(app: FastAPI) -> RollMatcher:
    """Index everyone ever on the roll; the service is ready to screen once done."""
    started = time.perf_counter()
    with bootstrap.reading(app.state.engine) as conn:
        settings = app.state.settings
        matcher, how = RollMatcher.open(conn, settings.index_path, today(settings))
    logger.info(
        "ready to screen: index of the roll %s in %.1f s", how, time.perf_counter() - started
    )
    return matcher


def save_matcher(app: FastAPI) -> None:
    """Save the index when the server stops, if orders changed it since it was saved."""
    path = app.state.settings.index_path
    matcher: RollMatcher | None = getattr(app.state, "matcher", None)
    if path is None or matcher is None or matcher.saved_seq == matcher.seq:
        return
    with bootstrap.reading(app.state.engine) as conn:
        matcher.save(conn, path)


def matcher_loaded(app: FastAPI, task: asyncio.Task[RollMatcher]) -> None:
    """Make the service ready once the index is built (or say why it never will be)."""
    if task.cancelled():
        return
    error = task.exception()
    if error is not None:
        app.state.not_ready_because = f"the roll could not be indexed: {error}"
        logger.error("%s", app.state.not_ready_because)
        return
    app.state.matcher = task.result()
    # The index is millions of long-lived objects: leave them out of every later garbage
    # collection, whose pauses would otherwise grow with the roll.
    gc.freeze()
    app.state.ready = True


def create_app(settings: Settings) -> FastAPI:
    """The Muster API for one registry database (a `MUSTER_TIMEZONE` that is not a time zone
    is refused here, before anything is served)."""
    registry_zone(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Crossings go to the writer process `muster serve` started, or, in a server of one
        # process without it (tests, embedding), to a writer thread of this process.
        settings: Settings = app.state.settings
        crossings: CrossingClient | CrossingWriter
        if settings.crossing_socket is not None:
            crossings = CrossingClient(settings.crossing_socket)
        else:
            crossings = CrossingWriter(
                app.state.engine, lambda: seal_pending(app.state.engine, settings)
            )
            crossings.start()
        app.state.crossings = crossings
        loading = asyncio.create_task(asyncio.to_thread(load_matcher, app))
        if settings.index_prepared:
            # `muster serve --workers N` built the index file before starting its processes:
            # each loads it (seconds) before it takes a connection, so no process that has
            # not got its index is handed screenings while the others are ready.
            with contextlib.suppress(Exception):  # matcher_loaded says why it failed
                await loading
            matcher_loaded(app, loading)
        else:
            # The index is built in the background: health answers 503, and screenings are
            # refused with 503, until it is ready; everything else is served at once.
            loading.add_done_callback(lambda task: matcher_loaded(app, task))
        yield
        app.state.ready = False
        if not loading.done():
            loading.cancel()
        await crossings.close()  # what was screened is written (and sealed, by a thread)
        await asyncio.to_thread(save_matcher, app)
        app.state.engine.dispose()

    app = FastAPI(
        title="Muster",
        version=__version__,
        description="The roll of an armed force, signed orders, a verifiable ledger, and exit "
        "control at border posts. Every error is an RFC 9457 problem.",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url=None,  # served by `install_docs`, with Swagger UI's files from this server
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = bootstrap.engine(settings)
    app.state.ready = False
    app.state.not_ready_because = "the roll is being indexed"
    app.state.login_limiter = LoginLimiter()
    app.state.account_cache = AccountCache()
    app.state.caches = ScreeningCaches()
    errors.install(app)
    for router in ROUTERS:
        errors.declare_problems(router)
        # Operation ids are the handlers' names (`screen_traveler`): what a generated client
        # calls its functions.
        app.include_router(router, prefix=PREFIX, generate_unique_id_function=lambda r: r.name)
    errors.add_problem_schema(app)
    install_docs(app, PREFIX)
    install_web(app)
    # 405, 401 and 413 are answered before a route reads its body (FastAPI reads and parses
    # the body before it runs the route's dependencies, the account among them).
    # The pages are held to the same limits (a page taking a file names a larger one).
    table = RouteTable(ROUTERS, PREFIX, settings, pages=PAGE_ROUTERS)
    app.add_middleware(RequestGate, table=table, page_refusal=refusal_page)
    return app


def app_from_environment() -> FastAPI:
    """The app for the `MUSTER_*` environment (each process of `muster serve --workers N`)."""
    log_to_stderr()
    return create_app(Settings())
