"""Users and tokens (admin only)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator
from sqlalchemy import Engine

from muster.accounts import accounts
from muster.accounts.accounts import POST_ROLES, Role
from muster.api.deps import AdminUser, ReadConn, engine_of
from muster.api.errors import refusals
from muster.api.schemas import AccountView, Disabled, NewTokenMade, Revoked, Users
from muster.domain.errors import InvalidInputError, NotFoundError, RefusedError

router = APIRouter(tags=["accounts"])

# Which roles take posts and which an office, as `one_role_fits` enforces.
ROLE_FITS: list[JsonValue] = [
    {
        "properties": {
            "role": {"enum": [r.value for r in POST_ROLES]},
            "posts": {"minItems": 1},
            "authority": {"type": "null"},
        },
        "required": ["posts"],
    },
    {
        "properties": {
            "role": {"const": Role.AUTHORITY.value},
            "posts": {"maxItems": 0},
            "authority": {"type": "string"},
        },
        "required": ["authority"],
    },
    {
        "properties": {
            "role": {"enum": [r.value for r in Role if r not in (*POST_ROLES, Role.AUTHORITY)]},
            "posts": {"maxItems": 0},
            "authority": {"type": "null"},
        }
    },
]


class NewUser(BaseModel):
    """An account: officers and supervisors are bound to posts, an authority to its office."""

    model_config = ConfigDict(json_schema_extra={"anyOf": ROLE_FITS})

    name: str = Field(min_length=1, max_length=80, pattern=r"^\S+$")
    role: Role
    password: str = Field(min_length=8, max_length=200)
    posts: list[Annotated[str, Field(pattern="^[A-Za-z0-9]{2,8}$")]] = Field(
        [], description="Border post codes (officers and supervisors)."
    )
    authority: str | None = Field(
        None, min_length=1, max_length=40, description="The office (authorities only)."
    )

    @model_validator(mode="after")
    def one_role_fits(self) -> NewUser:
        if self.role in POST_ROLES and not self.posts:
            raise ValueError(f"{self.role.value} is bound to one or more posts: give posts")
        if self.posts and self.role not in POST_ROLES:
            raise ValueError("posts are for officers and supervisors")
        if (self.role is Role.AUTHORITY) != (self.authority is not None):
            raise ValueError("authority is required for, and only for, the authority role")
        return self


TokenId = Annotated[
    str, Path(pattern="^[0-9a-f]{12}$", description="The id printed when it was made.")
]


class NewToken(BaseModel):
    user: str = Field(min_length=1, max_length=80)
    expires_in_days: int | None = Field(
        default=None, gt=0, le=3660, description="At most 10 years."
    )


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


@router.delete(
    "/tokens/{token_id}",
    response_model=Revoked,
    responses=refusals(NotFoundError, RefusedError),  # 409: revoked already
)
def revoke_token(
    token_id: TokenId, _admin: AdminUser, engine: Annotated[Engine, Depends(engine_of)]
) -> dict[str, str]:
    """Revoke the token with exactly this id: it stops working at once, on every server."""
    with engine.begin() as conn:
        accounts.revoke_token(conn, token_id)
    return {"revoked": token_id}
