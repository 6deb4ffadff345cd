"""Small builders of request bodies: a valid contract, changed only where a test says."""

import copy
import json
from typing import Any

import httpx

from sandbox.core.opcos import OPCOS
from sandbox.pytest_plugin import SOFTWARE_HEADERS
from sandbox.testing import BASE_URL, BearerToken, InProcessServer

CFA_SIRET = "79012345900014"  # demo's first CFA, whose key the clients carry
OTHER_CFA_SIRET = "41234567000019"  # demo's second CFA (akto only)
EMPLOYER_SIRET = "52345678800018"  # Boulangerie Martin, at akto
OTHER_EMPLOYER_SIRET = "53456789600012"
NIRS = ("209013306311175", "103127505678960", "193056912345637")


# The software vendor every bundled scenario declares (`logiciels`).
DEMO_CLIENT_ID, DEMO_CLIENT_SECRET = "acme-cfa", "acme-secret-demo"


def opco_client(
    server: InProcessServer, base: str, key: str | None, **headers: str
) -> httpx.Client:
    """A client on an OPCO's base (`/akto`, `/espaces/e/akto`) with the software headers,
    that key and `headers`, and the demo vendor's OAuth2 token where production's OPCO asks
    for one: for tests that call the API without the plugin's own client."""
    chosen = dict(SOFTWARE_HEADERS) | ({"X-API-KEY": key} if key else {}) | headers
    opco = base.rstrip("/").rsplit("/", 1)[-1]
    auth = None
    if opco in OPCOS and OPCOS[opco].oauth:
        auth = BearerToken(f"{BASE_URL}{base}/connect/token", DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)
    return server.client(base, chosen, auth=auth)


def live_token(url: str, opco: str = "akto") -> BearerToken:
    """The demo vendor's OAuth2 token at that OPCO of a live server's default espace."""
    return BearerToken(f"{url}/{opco}/connect/token", DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)


def cerfa(**blocks: dict[str, Any]) -> dict[str, Any]:
    """A valid CERFA for the demo's first CFA; each keyword block is merged over the default."""
    built: dict[str, Any] = {
        "employeur": {"siret": EMPLOYER_SIRET, "denomination": "Boulangerie Martin"},
        "apprenti": {
            "nom": "Moreau",
            "prenom": "Camille",
            "sexe": "F",
            "dateNaissance": "2009-01-20",
            "nir": NIRS[0],
        },
        "maitre1": {"nom": "Martin", "prenom": "Paul", "dateNaissance": "1975-06-02"},
        "contrat": {
            "typeContratApp": 11,
            "dateConclusion": "2026-08-25",
            "dateDebutContrat": "2026-09-01",
            "dateFinContrat": "2028-08-31",
            "salaireEmbauche": 1200.00,
        },
        "formation": {
            "rncp": "RNCP38580",
            "intituleQualification": "BTS Comptabilité et gestion",
            "dateDebutFormation": "2026-09-01",
            "dateFinFormation": "2028-06-30",
        },
        "organismeFormation": {"siret": CFA_SIRET, "uaiCfa": "0751234A"},
    }
    for name, fields in blocks.items():
        built[name] = {**built.get(name, {}), **fields}
    return built


def transmission(
    numero_interne: str = "CFA-0001", mandat_gestion: bool | None = True, **blocks: dict[str, Any]
) -> dict[str, Any]:
    """A valid body of `POST /v1/dossiers`; `mandat_gestion=None` leaves the field out."""
    body: dict[str, Any] = {"numeroInterne": numero_interne, "cerfa": cerfa(**blocks)}
    if mandat_gestion is not None:
        body["mandatGestion"] = mandat_gestion
    return body


def dated(suffix: str) -> dict[str, Any]:
    """The default contract with every interpreted date followed by `suffix`."""
    return transmission(
        apprenti={"dateNaissance": "2009-01-20" + suffix},
        maitre1={"dateNaissance": "1975-06-02" + suffix},
        contrat={
            "dateConclusion": "2026-08-25" + suffix,
            "dateDebutContrat": "2026-09-01" + suffix,
            "dateFinContrat": "2028-08-31" + suffix,
        },
        formation={
            "dateDebutFormation": "2026-09-01" + suffix,
            "dateFinFormation": "2028-06-30" + suffix,
        },
    )


def replaced(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `document` with the dotted `path` set to `value`."""
    changed = copy.deepcopy(document)
    *parents, last = path.split(".")
    _walk(changed, parents)[last] = value
    return changed


def without(document: dict[str, Any], path: str) -> dict[str, Any]:
    """A copy of `document` without the field at the dotted `path`."""
    changed = copy.deepcopy(document)
    *parents, last = path.split(".")
    del _walk(changed, parents)[last]
    return changed


def _walk(document: dict[str, Any], keys: list[str]) -> dict[str, Any]:
    for key in keys:
        document = document[key]
    return document


def problems(response: httpx.Response, status: int) -> list[tuple[str, str | None]]:
    """`(code, champ)` of each item of an error answer, once its status and shape are checked."""
    assert response.status_code == status, response.text
    body = response.json()
    assert_error_shape(body)
    return [(item["code"], item["champ"]) for item in body["errors"]]


def codes(response: httpx.Response, status: int) -> list[str]:
    """The codes of an error answer, once its status and shape are checked."""
    return [code for code, _ in problems(response, status)]


def assert_error_shape(body: Any) -> None:
    """The contract's one error shape:
    `{"errors": [{"code", "description", "message", "champ"}, …]}`, `message` repeating
    `description`."""
    assert isinstance(body, dict)
    assert set(body) == {"errors"}, body
    assert body["errors"], body
    for item in body["errors"]:
        assert set(item) == {"code", "description", "message", "champ"}, item
        assert isinstance(item["code"], str)
        assert item["code"] == item["code"].upper(), item
        assert isinstance(item["description"], str)
        assert item["description"], item
        assert item["message"] == item["description"], item
        assert item["champ"] is None or isinstance(item["champ"], str), item


# Invoices (§9): by default the demo's first CFA bills E1 (€2,800, open on 2026-09-01) of
# its engaged dossier AKTO-2026-000001, whose frais annexes engage RESTAURATION 100 × €3.
# The body is production's `facture` part; it travels as multipart with a PDF `fichier`.

DEMO_DOSSIER = "AKTO-2026-000001"
CFA_IBAN = "FR7630006000011234567890189"  # demo's first CFA
OTHER_CFA_IBAN = "FR7630004000039876543210030"  # demo's second CFA
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def ligne(
    montant: float = 2800.0,
    numero_echeance: int | None = 1,
    nature: str = "PEDAGOGIE",
    dossier: str | None = DEMO_DOSSIER,
    **fields: Any,
) -> dict[str, Any]:
    """An invoice line, by default E1 of the demo's dossier billed whole (its pedagogical
    part); None leaves a field out."""
    built = {
        "montant": montant,
        "natureLigne": nature,
        "quantite": 1,
        "numeroEcheance": numero_echeance,
        "numeroDossier": dossier,
    }
    return {key: value for key, value in built.items() if value is not None} | fields


def frais(montant: float, nature: str = "RESTAURATION", **fields: Any) -> dict[str, Any]:
    """A frais annexes line on E1 of the demo's dossier (`numero_echeance=` to change it)."""
    return ligne(montant, nature=nature, **fields)


def facture(*lignes: dict[str, Any], numero: str = "F-2026-001", **fields: Any) -> dict[str, Any]:
    """A valid `facture` part of `POST /v1/factures` (one line: `ligne()`), as a production
    client writes it; `montantTotal` is the sum of the lines, and `fields` replace top-level
    keys."""
    lines = list(lignes) or [ligne()]
    total = round(sum(float(line.get("montant", 0)) for line in lines), 2)
    body: dict[str, Any] = {
        "numero": numero,
        "dateEmission": "2026-09-01T00:00:00+02:00",
        "montantTotal": total,
        "ibanEmetteur": CFA_IBAN,
        "siretEmetteur": CFA_SIRET,
        "estCertificatRealisation": False,
        "lignes": lines,
    }
    return body | fields


def rejected_codes(response: httpx.Response) -> list[str]:
    """The codes of an invoice rejected by its rules (§9): a 400 in the error shape, the
    rejected invoice's `numeroInterneFacture` beside `errors`."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert isinstance(body.pop("numeroInterneFacture"), str), body
    assert_error_shape(body)
    return [item["code"] for item in body["errors"]]


def invoice_parts(body: Any, pdf: bytes | None = PDF, part: str = "facture") -> dict[str, Any]:
    """httpx keywords of a multipart body: the JSON `part` as a field (no file name, as
    `curl -F 'facture={…}'` sends it), the PDF as the `fichier` file (None: no file)."""
    text = body if isinstance(body, str) else json.dumps(body)
    files: dict[str, Any] = {part: (None, text, "application/json")}
    if pdf is not None:
        files["fichier"] = ("facture.pdf", pdf, "application/pdf")
    return {"files": files}


# The dossier states and the transitions of contract §6, written out independently of the
# code so that a change of the table in the code fails a test.
ETATS = ("TRANSMIS", "EN_COURS_INSTRUCTION", "ENGAGE", "REFUSE", "ANNULE", "RUPTURE", "SOLDE")
ALLOWED = {
    ("TRANSMIS", "EN_COURS_INSTRUCTION"),
    ("TRANSMIS", "ANNULE"),
    ("EN_COURS_INSTRUCTION", "ENGAGE"),
    ("EN_COURS_INSTRUCTION", "REFUSE"),
    ("EN_COURS_INSTRUCTION", "ANNULE"),
    ("ENGAGE", "RUPTURE"),
    ("ENGAGE", "SOLDE"),
    ("ENGAGE", "ANNULE"),
    ("RUPTURE", "SOLDE"),
}
