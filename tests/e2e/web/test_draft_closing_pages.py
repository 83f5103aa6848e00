"""Withdrawing and declining drafts on the pages, on the server's side: the forms offered to
whom, a reason required, a closed draft's page, and signing refused once closed."""

from __future__ import annotations

from typing import Any

from muster.accounts.accounts import Role
from muster.web.session import csrf_of_session
from tests.e2e.api.conftest import Api
from tests.e2e.web.test_authority_pages import as_account, made, page, post_sign, signed


def post(api: Api, path: str, data: dict[str, str], role: Role) -> Any:
    token = api.token(role)
    body = {"csrf_token": csrf_of_session(token), **data}
    return api.client.post(path, data=body, headers=as_account(api, token), follow_redirects=False)


def test_the_authority_declines_with_a_reason_and_the_clerk_reads_it(api: Api) -> None:
    draft = made(api)
    url = f"/drafts/{draft['draft_id']}"
    review = page(api, url)
    assert f'action="{url}/decline"' in review.text
    assert f'action="{url}/withdraw"' not in review.text  # the authority did not draft it
    clerk_view = page(api, url, Role.CLERK)
    assert f'action="{url}/withdraw"' in clerk_view.text
    assert f'action="{url}/decline"' not in clerk_view.text
    blank = post(api, f"{url}/decline", {"reason": "  "}, Role.AUTHORITY)
    assert blank.status_code == 400 and "Diga por qué rechaza este borrador" in blank.text
    assert page(api, "/drafts").text.count(draft["number"]) == 1
    declined = post(api, f"{url}/decline", {"reason": "fechas del viaje erradas"}, Role.AUTHORITY)
    assert declined.status_code == 303 and declined.headers["location"] == url
    shown = page(api, url, Role.CLERK)
    assert "fue rechazado" in shown.text and "fechas del viaje erradas" in shown.text
    assert "authority-user" in shown.text and f'action="{url}/withdraw"' not in shown.text
    assert draft["number"] not in page(api, "/drafts").text  # no longer awaiting
    own = page(api, "/drafts", Role.CLERK).text  # the clerk's own drafts, with the reason
    assert "Sus borradores" in own and "fechas del viaje erradas" in own
    refused = post_sign(api, draft["draft_id"], signed(api, draft))
    assert refused.status_code == 409 and "ya no se puede firmar" in refused.text
    assert page(api, f"{url}/draft.json").status_code == 404  # nothing left to sign


def test_the_clerk_withdraws_its_own_draft(api: Api) -> None:
    draft = made(api)
    url = f"/drafts/{draft['draft_id']}"
    too_long = post(api, f"{url}/withdraw", {"note": "x" * 501}, Role.CLERK)
    assert too_long.status_code == 400 and "Como máximo 500 caracteres" in too_long.text
    done = post(api, f"{url}/withdraw", {"note": "número equivocado"}, Role.CLERK)
    assert done.status_code == 303
    shown = page(api, url, Role.CLERK)
    assert "fue retirado" in shown.text and "número equivocado" in shown.text
    again = post(api, f"{url}/withdraw", {"note": ""}, Role.CLERK)
    assert again.status_code == 409 and "Este borrador fue retirado por clerk-user" in again.text


def test_only_the_drafter_withdraws(api: Api) -> None:
    draft = made(api)
    url = f"/drafts/{draft['draft_id']}"
    answer = post(api, f"{url}/withdraw", {"note": ""}, Role.AUTHORITY)
    assert answer.status_code == 403 and "Solo quien redactó un borrador" in answer.text
    assert "fue retirado" not in page(api, url, Role.CLERK).text
