"""What the journal may keep: NIRs and secrets masked, nothing else touched."""

import pytest

from sandbox.journal.masking import mask


@pytest.mark.parametrize(
    "text",
    ["/v1/dossiers?numeroInterne=209013306311175", "nir=2090133063111", "/x/1030175056789/y"],
)
def test_nirs_are_masked(text: str) -> None:
    assert "***NIR***" in mask(text)


@pytest.mark.parametrize(
    "text",
    [
        "/espaces/test-7450574437554f46/akto",  # a random espace name, digits between letters
        "/v1/dossiers?numeroInterne=CFA-2026-0042",
        "numeroDeca=075202609000003",  # 15 digits, but a DECA number starts with 0
    ],
)
def test_what_is_not_a_nir_is_kept(text: str) -> None:
    assert mask(text) == text


@pytest.mark.parametrize(
    "query",
    ["client_secret=abc", "access_token=abc", "apikey=abc", "password=abc", "cle=abc"],
)
def test_secrets_in_the_query_are_masked(query: str) -> None:
    assert mask(f"/akto/connect/token?{query}&x=1") == (
        f"/akto/connect/token?{query.split('=')[0]}=***&x=1"
    )
