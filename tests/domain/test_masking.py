"""What the journal, the report and the logs may keep: NIRs, IBANs and secrets masked by
shape and by value, nothing else touched."""

import logging

import pytest

from sandbox.journal.masking import IBAN_MASK, NIR_MASK, LogFilter, Masker, mask


@pytest.mark.parametrize(
    "text",
    [
        "?numeroInterne=209013306311175",
        "nir=2090133063111",
        "/x/1030175056789/y/",
        "1 89 05 75 120 005 42",  # spaced as on a carte Vitale
        "1.89.05.75.120.005.42",
        "1-89-05-75-120-005",
        "NIR189057512000542",  # a prefix stuck to it
        "n°189057512000542.",
        "2 90 01 2a 330 631 11",  # Corsica, lowercase
        "290012B33063111",
    ],
)
def test_nirs_are_masked_whatever_their_spelling(text: str) -> None:
    masked = mask(text)
    assert NIR_MASK in masked
    assert not any(c.isdigit() for c in masked.replace(NIR_MASK, "").replace("°", ""))


@pytest.mark.parametrize(
    "text",
    [
        "/v1/dossiers?numeroInterne=CFA-2026-0042",
        "numeroDeca=075202609000003",  # 15 digits, but a DECA number starts with 0
        "siret=41234567000019",  # 14 digits: part of no NIR
        "AKTO-2026-000001",
        "sha256=" + "f31cdee0b4d4fdae0638872f6bb7d0e6ee041386a9055d5e64c25d9d35dc88d1",
        "Le montant dépasse le plafond de la nature FR pour 2026.",
    ],
)
def test_what_is_neither_a_nir_nor_an_iban_is_kept(text: str) -> None:
    assert mask(text) == text


@pytest.mark.parametrize("espace", ["test-7450574437554f46", "test-fe1637386a094ada"])
def test_the_espaces_own_name_is_kept_though_it_looks_like_a_nir_or_an_iban(espace: str) -> None:
    masking = Masker(keep=espace)
    path = f"/espaces/{espace}/akto/v1/dossiers/189057512000542"
    assert masking.text(path) == f"/espaces/{espace}/akto/v1/dossiers/{NIR_MASK}"
    diagnostic = f"Route inconnue GET /espaces/{espace}/akto/v1/Factur"
    assert masking.text(diagnostic) == diagnostic


@pytest.mark.parametrize(
    "text",
    [
        "FR7630006000011234567890189",
        "FR76 3000 6000 0112 3456 7890 189",
        "fr76.3000.6000.0112.3456.7890.189",
        "iban: DE89370400440532013000",
    ],
)
def test_ibans_are_masked_whatever_their_spelling(text: str) -> None:
    assert IBAN_MASK in mask(text)
    assert "3000" not in mask(text)
    assert "0532" not in mask(text)


@pytest.mark.parametrize(
    "query",
    [
        "client_secret=abc",
        "access_token=abc",
        "apikey=abc",
        "password=abc",
        "cle=abc",
        "auth=abc",
        "bearer=abc",
    ],
)
def test_secrets_in_the_query_are_masked(query: str) -> None:
    assert mask(f"/akto/connect/token?{query}&x=1") == (
        f"/akto/connect/token?{query.split('=')[0]}=***&x=1"
    )


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("FR7612345678", IBAN_MASK),  # 12 characters
        ("FR76AB12CD34EF56", IBAN_MASK),  # 8 digits
        ("1890575120005", NIR_MASK),  # 13 characters
        ("290012A330631", NIR_MASK),  # 12 digits
        ("Zx9_" * 10 + "abc", "***"),  # 43 characters
        ("Basic x", "Basic ***"),
        ("key=", "key=***"),
    ],
)
def test_the_shortest_text_each_net_catches_is_masked(text: str, masked: str) -> None:
    # Texts too short for a net are spared its pass: these are the shortest it must catch.
    assert mask(text) == masked


def test_known_secrets_are_masked_wherever_they_appear() -> None:
    masker = Masker(["demo-akto-key", "acme-secret-demo"])
    assert masker.text("/akto/v1/demo-akto-key/dossiers") == "/akto/v1/***/dossiers"
    assert masker.text("my secret is acme-secret-demo!") == "my secret is ***!"
    assert Masker(["abcd"]).text("abcd") == "***"  # as short as a known secret may be


def test_a_token_shaped_like_the_sandbox_ones_is_masked() -> None:
    token = "Zx9_" * 10 + "abc"  # secrets.token_urlsafe(32) makes 43 characters
    assert mask(f"jeton {token} refusé") == "jeton *** refusé"
    assert mask("Authorization: Bearer abc.def") == "Authorization: Bearer ***"


def test_json_values_are_masked_by_key_and_by_shape() -> None:
    masked = Masker(["demo-akto-key"]).value(
        {
            "cerfa": {"apprenti": {"nir": "189057512000542", "nom": "Martin"}},
            "iban": "FR7630006000011234567890189",
            "client_secret": "whatever",
            "lignes": [{"commentaire": "clé demo-akto-key"}],
            "montant": 12.5,
        }
    )
    assert masked == {
        "cerfa": {"apprenti": {"nir": NIR_MASK, "nom": "Martin"}},
        "iban": IBAN_MASK,
        "client_secret": "***",
        "lignes": [{"commentaire": "clé ***"}],
        "montant": 12.5,
    }


def test_secret_headers_are_masked() -> None:
    masked = Masker().headers(
        [
            ("authorization", "Bearer abcdef"),
            ("x-api-key", "demo-akto-key"),
            ("editeur", "Acme"),
            ("accept", "a"),
            ("accept", "b"),
        ]
    )
    assert masked == {
        "authorization": "Bearer ***",
        "x-api-key": "***",
        "editeur": "Acme",
        "accept": "a, b",
    }


def test_log_records_are_masked() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '"%s %s"',
        ("GET", "/x?nir=189057512000542"),
        None,
    )
    assert LogFilter().filter(record)
    assert record.getMessage() == f'"GET /x?nir={NIR_MASK}"'


def test_every_log_handler_of_the_server_masks() -> None:
    from sandbox.cli import masked_logging

    config = masked_logging()
    assert config["filters"]["masked"]["()"] == "sandbox.journal.masking.LogFilter"
    assert config["handlers"]
    assert all(handler["filters"] == ["masked"] for handler in config["handlers"].values())


def test_a_logged_traceback_is_masked() -> None:
    try:
        raise ValueError("nir 189057512000542 refused")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    assert LogFilter().filter(record)
    assert record.exc_text is not None
    assert "189057512000542" not in record.exc_text
    assert NIR_MASK in record.exc_text
