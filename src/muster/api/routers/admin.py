"""Users and tokens (admin only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from muster.api.deps import AdminUser, ReadConn, engine_of
from muster.api.errors import refusals
from muster.api.schemas import AccountView, Disabled, NewTokenMade, Revoked, Users
from muster.domain.errors import InvalidInputError, NotFoundError, RefusedError
from muster.services import accounts
from muster.services.accounts import Role

router = APIRouter(tags=["accounts"])


class NewUser(BaseModel):
    name: str = Field(min_length=1, max_length=80)
    role: Role
    password: str = Field(min_length=8, max_length=200)
    posts: list[str] = []
    authority: str | None = None


class NewToken(BaseModel):
    user: str
    expires_in_days: int | None = Field(default=None, gt=0)


@router.get("/users", response_model=Users)
def list_users(_admin: AdminUser, conn: ReadConn) -> dict[str, Any]:
    """Every account."""
    return {"users": accounts.list_users(conn)}


@router.post(
    "/users",
    status_code=201,
    response_model=AccountView,
    responses=refusals(InvalidInputError, NotFoundError, RefusedError),
)
def add_user(
    body: NewUser, admin: AdminUser, engine: Annotated[Engine, Depends(engine_of)]
) -> dict[str, Any]:
    """Create an account."""
    with engine.begin() as conn:
        account = accounts.add_user(
            conn,
            body.name,
            body.role,
            body.password,
            post_codes=body.posts,
            authority=body.authority,
            created_by=admin.name,
        )
    return account.to_json()


@router.post("/users/{name}/disable", response_model=Disabled, responses=refusals(NotFoundError))
def disable_user(
    name: str, _admin: AdminUser, engine: Annotated[Engine, Depends(engine_of)]
) -> dict[str, str]:
    """Disable an account: its sessions and tokens stop working."""
    with engine.begin() as conn:
        accounts.disable_user(conn, name)
    return {"disabled": name}


@router.post(
    "/tokens",
    status_code=201,
    response_model=NewTokenMade,
    responses=refusals(NotFoundError, RefusedError),
)
def create_token(
    body: NewToken, _admin: AdminUser, engine: Annotated[Engine, Depends(engine_of)]
) -> dict[str, str]:
    """A bearer token for a user, shown once."""
    with engine.begin() as conn:
        token, token_id = accounts.create_token(conn, body.user, body.expires_in_days)
    return {"token": token, "id": token_id, "user": body.user}


@router.delete("/tokens/{token_id}", response_model=Revoked, responses=refusals(NotFoundError))
def revoke_token(
    token_id: str, _admin: AdminUser, engine: Annotated[Engine, Depends(engine_of)]
) -> dict[str, str]:
    """Revoke a token by its id."""
    with engine.begin() as conn:
        accounts.revoke_token(conn, token_id)
    return {"revoked": token_id}
