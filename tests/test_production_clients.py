"""The call sequences that public production clients make (norme.md, "Evidence from
production clients"), replayed with the project's own code: a change that would break a
real client's flow fails here.

The clients are written as those clients are: a token fetched with a form post, then
`Authorization: Bearer` and `X-API-KEY` on every call, `/v2` pages walked by `numeroPage`
until the total, contracts with Europe/Paris offsets, numbers as strings and `""` for
empty fields, and errors read through `errors[].description`. Nothing here uses the
plugin's own client, which would hide what a production client must do itself.
"""

import json
from typing import Any

import httpx
import pytest

from sandbox.pytest_plugin import OpcoSandbox
from tests.builders import CFA_SIRET, EMPLOYER_SIRET, NIRS

CREDENTIALS = {"client_id": "acme-cfa", "client_secret": "acme-secret-demo"}
KEY = "demo-akto-key"
# The Python AKTO connector's software headers (EDITEUR sent with an accent).
SOFTWARE = {"EDITEUR": "Intégrale Academy", "LOGICIEL": "gestionstagiaires", "VERSION": "2.1"}


class ProductionClient:
    """A client as production's are written: base URL and token URL from configuration."""

    def __init__(self, http: httpx.Client, base: str, token_url: str) -> None:
        self.http, self.base, self.token_url = http, base, token_url
        self.token: str | None = None

    def authenticate(self) -> dict[str, Any]:
        form = {"grant_type": "client_credentials", **CREDENTIALS, "scope": "api.read api.write"}
        response = self.http.post(self.token_url, data=form)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        self.token = answer["access_token"]
        return answer

    def headers(self) -> list[tuple[bytes, bytes]]:
        # requests sends non-ASCII header values in Latin-1: so does this client.
        sent = {"Authorization": f"Bearer {self.token}", "X-API-KEY": KEY} | SOFTWARE
        return [(name.encode(), value.encode("latin-1")) for name, value in sent.items()]

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.http.get(self.base + path, params=params, headers=self.headers())

    def post(self, path: str, body: Any) -> httpx.Response:
        return self.http.post(self.base + path, json=body, headers=self.headers())


@pytest.fixture
def client(opco_sandbox: OpcoSandbox) -> ProductionClient:
    base = f"/espaces/{opco_sandbox.espace}/akto"
    http = opco_sandbox.server.client()
    production = ProductionClient(http, base, f"{base}/connect/token")
    production.authenticate()
    return production


def production_contract(nir: str = NIRS[1]) -> dict[str, Any]:
    """A contract as CerFacil sends it: no numeroInterne, Paris offsets, strings, blanks."""
    paris = "T00:00:00+02:00"
    return {
        "cerfa": {
            "versionCERFA": "10103*14",
            "employeur": {
                "siret": EMPLOYER_SIRET,
                "denomination": "Boulangerie Martin",
                "nombreDeSalaries": "12",
                "codeIdcc": "843",
                "telephone": "",
            },
            "apprenti": {
                "nom": "Lefèvre",
                "prenom": "Théo",
                "sexe": "M",
                "dateNaissance": "2008-03-14" + paris,
                "nir": nir,
                "handicap": "false",
                "nomUsage": "",
            },
            "maitre1": {"nom": "Martin", "prenom": "Paul", "dateNaissance": "1975-06-02" + paris},
            "contrat": {
                "typeContratApp": "11",
                "dateConclusion": "2026-08-20" + paris,
                "dateDebutContrat": "2026-09-01" + paris,
                "dateFinContrat": "2028-08-31" + paris,
                "salaireEmbauche": "1200.00",
                "dureeTravailHebdoHeures": "35",
                "dateRupture": "",
            },
            "formation": {
                "rncp": "RNCP35185",
                "intituleQualification": "CAP Boulanger",
                "dateDebutFormation": "2026-09-01" + paris,
                "dateFinFormation": "2028-06-30" + paris,
                "dureeFormation": "800",
            },
            "organismeFormation": {"siret": CFA_SIRET, "uaiCfa": "0751234A"},
        }
    }


def test_the_token_answer_is_what_an_identity_server_gives(opco_sandbox: OpcoSandbox) -> None:
    base = f"/espaces/{opco_sandbox.espace}/akto"
    production = ProductionClient(opco_sandbox.server.client(), base, f"{base}/connect/token")
    answer = production.authenticate()
    assert answer["token_type"] == "Bearer"
    assert answer["expires_in"] > 0
    assert answer["scope"] == "api.read api.write"


def test_a_contract_as_production_sends_it_is_taken(client: ProductionClient) -> None:
    response = client.post("/v1/dossiers", production_contract())
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["numeroInterne"].isdigit()
    assert len(answer["numeroInterne"]) == 7
    assert answer["etat"] == "TRANSMIS"
    read = client.get("/v1/dossiers", numeroExterne=answer["numeroExterne"])
    assert read.status_code == 200, read.text
    cerfa = read.json()["cerfa"]
    assert cerfa["numeroInterne"] == answer["numeroInterne"]
    # The CERFA comes back as sent, dates with their offset included.
    assert cerfa["contrat"]["dateDebutContrat"] == "2026-09-01T00:00:00+02:00"


def test_a_refusal_is_read_through_errors_description(client: ProductionClient) -> None:
    response = client.post("/v1/dossiers", production_contract(nir=NIRS[1][:-2] + "61"))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["code"] for e in errors] == ["NIR_INVALIDE"]
    assert errors[0]["description"]
    assert errors[0]["message"] == errors[0]["description"]


def test_the_v1_states_are_a_bare_array(client: ProductionClient) -> None:
    response = client.get("/v1/dossiers/etats")
    assert response.status_code == 200
    states = response.json()
    assert isinstance(states, list)
    assert {"numeroInterne", "numeroExterne", "numeroDeca", "etat"} <= set(states[0])


def test_the_v2_pages_are_walked_until_the_total(client: ProductionClient) -> None:
    for index in range(3):
        contract = production_contract(nir=NIRS[index])
        contract["cerfa"]["apprenti"]["prenom"] = f"Théo{'o' * index}"
        assert client.post("/v1/dossiers", contract).status_code == 200
    seen: list[dict[str, Any]] = []
    page = 1
    while True:
        body = client.get("/v2/dossiers/etats", numeroPage=page, taillePage=2).json()
        seen += body["EtatDossierResult"]
        assert body["page"] == page
        assert body["count"] == len(body["EtatDossierResult"])
        if len(seen) >= body["total"]:
            break
        page += 1
    assert page == 2
    assert len({s["numeroExterne"] for s in seen}) == body["total"] == 4  # demo's DEMO-0001 too


def test_an_engaged_dossier_reads_with_production_names(client: ProductionClient) -> None:
    dossier = client.get("/v1/dossiers", numeroInterne="DEMO-0001").json()
    echeance = dossier["echeances"][0]
    assert (
        echeance["montantTotal"]
        == echeance["dontMontantPedagogie"] + echeance["dontMajorationRqth"]
    )
    assert echeance["siretCfa"] == CFA_SIRET
    assert echeance["codification"] == "E1"
    assert "periodesFraisAnnexes" in dossier["detailsFacturation"]


def test_paths_are_matched_as_production_servers_do(client: ProductionClient) -> None:
    assert client.get("/V1/Dossiers/Etats").status_code == 200
    assert client.get("/v1/dossiers/etats/").status_code == 200


def test_a_token_expired_on_the_way_is_renewed_by_asking_again(
    opco_sandbox: OpcoSandbox, client: ProductionClient
) -> None:
    opco_sandbox.control.post("/jetons/expirer").raise_for_status()
    expired = client.get("/v1/cfakeyinfo")
    assert expired.status_code == 401
    assert expired.json()["errors"][0]["code"] == "JETON_EXPIRE"
    client.authenticate()
    assert client.get("/v1/cfakeyinfo").status_code == 200


# The invoice flow of a production client (CerFacil, the Vue front end): multipart with the
# PDF, errors read through `errors[].code` and `description`, the states page, a document.

INVOICE_PDF = b"%PDF-1.7\n% facture F-2026-042\n%%EOF\n"


def production_invoice(montant: str) -> dict[str, Any]:
    """An invoice as CerFacil writes it: Europe/Paris offsets, amounts as strings, `""` for
    what it does not fill."""
    return {
        "numero": "F-2026-042",
        "dateEmission": "2026-09-01T00:00:00+02:00",
        "montantTotal": montant,
        "ibanEmetteur": "FR76 3000 6000 0112 3456 7890 189",
        "siretEmetteur": CFA_SIRET,
        "estCertificatRealisation": "false",
        "lignes": [
            {
                "montant": montant,
                "natureLigne": "PEDAGOGIE",
                "quantite": "1",
                "numeroEcheance": "1",
                "codificationEcheance": "E1",
                "numeroDeca": "",
                "numeroDossier": "AKTO-2026-000001",
            }
        ],
    }


def post_multipart(
    client: ProductionClient, path: str, part: str, body: Any, pdf: bytes
) -> httpx.Response:
    files = {
        part: (f"{part}.json", json.dumps(body).encode(), "application/json"),
        "fichier": ("facture.pdf", pdf, "application/pdf"),
    }
    return client.http.post(client.base + path, files=files, headers=client.headers())


def test_an_invoice_as_production_sends_it_is_rejected_then_paid(
    opco_sandbox: OpcoSandbox, client: ProductionClient
) -> None:
    refused = post_multipart(
        client, "/v1/Factures", "facture", production_invoice("2700.00"), INVOICE_PDF
    )
    assert refused.status_code == 400
    reasons = {e["code"]: e["description"] for e in refused.json()["errors"]}
    assert reasons == {
        "MONTANT_ECHEANCE_INCORRECT": (
            "Le montant de l'échéance ne correspond pas au montant attendu"
        ),
        "MONTANT_INCORRECT": "Le montant ne correspond pas au montant attendu",
    }

    # Corrected, the same number is sent again.
    accepted = post_multipart(
        client, "/v1/Factures", "facture", production_invoice("2800.00"), INVOICE_PDF
    )
    assert accepted.status_code == 200, accepted.text
    answer = accepted.json()
    assert answer["etatFacture"] == "EN_COURS_INSTRUCTION"
    numero = answer["numeroInterneFacture"]

    opco_sandbox.control.post("/horloge", json={"jours": 5}).raise_for_status()
    page = client.get("/v2/factures/etats", numeroPage=1).json()
    states = {f["numeroInterneFacture"]: f for f in page["factures"]}
    paid = states[numero]
    assert (paid["etatFacture"], paid["dateReglement"], paid["referenceFactureCFA"]) == (
        "REGLE",
        "2026-09-06",
        "F-2026-042",
    )
    assert paid["organismeFormation"]["siret"] == CFA_SIRET
    assert paid["dossiers"] == [
        {
            "numeroInterneDossier": "DEMO-0001",
            "numeroExterneDossier": "AKTO-2026-000001",
            "montant": 2800.0,
        }
    ]
    assert page["total"] == 2  # the rejected one is kept

    # The certificate of completion, attached to the paid invoice.
    infos = {
        "typeFichier": "CERTIFICAT_REALISATION",
        "objets": [{"typeObjet": "FACTURE", "idObjet": numero}],
    }
    attached = post_multipart(client, "/v1/documents", "infosFichier", infos, INVOICE_PDF)
    assert attached.status_code == 200, attached.text
    kept = opco_sandbox.control.get("/documents").json()["documents"]
    assert [(d["typeFichier"], d["objets"]) for d in kept][-1] == (
        "CERTIFICAT_REALISATION",
        infos["objets"],
    )
