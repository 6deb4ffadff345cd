"""Conventions and documents (§9b), and the files received as the control API shows them
(§10): multipart like invoices, each file kept with its size and SHA-256."""

import hashlib
from typing import Any

import httpx
import pytest

from sandbox.pytest_plugin import OpcoSandbox
from tests.builders import (
    OTHER_CFA_SIRET,
    PDF,
    facture,
    invoice_parts,
    problems,
    transmission,
)

CONVENTION: dict[str, Any] = {
    "numeroInterneDossier": "DEMO-0001",
    "employeur": {"siret": "52345678800018"},
    "apprenti": {"nom": "Moreau", "nomUsage": "", "prenom": "Camille"},
    "contrat": {"dateDebutContrat": "2026-09-01T00:00:00+02:00", "dateFinContrat": "2028-08-31"},
    "organismeFormation": {"siret": "79012345900014", "uaiCfa": "0751234A"},
    "formation": {"rncp": "RNCP38580", "intituleQualification": "BTS", "dureeFormation": 1350},
    "couts": {
        "coutTotalPedagogieCFA": "8200.00",
        "montantRQTHAnnee1": 0,
        "nombreRepasTotaux": 100,
        "nombreHebergementTotaux": 0,
        "montantPremierEquipement": 0,
    },
    "mandatEmployeur": True,
    "dateSignature": "2026-08-25",
    "attestationConventionSigneeEntreprise": True,
    "attestationConventionSigneeCFA": True,
    "attestationConventionSignatureProbante": "true",
    "attestationConventionConformeJSON": True,
}


def post(
    sandbox: OpcoSandbox,
    path: str,
    part: str,
    body: Any,
    pdf: bytes | None = PDF,
    cfa: str | None = None,
) -> httpx.Response:
    return sandbox.client("akto", cfa=cfa).post(path, **invoice_parts(body, pdf, part))


def convention(sandbox: OpcoSandbox, body: Any, **kwargs: Any) -> httpx.Response:
    return post(sandbox, "/v1/conventions", "convention", body, **kwargs)


def document(sandbox: OpcoSandbox, infos: Any, **kwargs: Any) -> httpx.Response:
    return post(sandbox, "/v1/documents", "infosFichier", infos, **kwargs)


def infos(*objets: tuple[str, str], type_fichier: str = "CERTIFICAT_REALISATION") -> dict[str, Any]:
    return {
        "typeFichier": type_fichier,
        "objets": [{"typeObjet": t, "idObjet": i} for t, i in objets],
    }


def listed(sandbox: OpcoSandbox) -> list[dict[str, Any]]:
    response = sandbox.control.get("/documents")
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["documents"]
    return found


def numero_document(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    assert set(response.json()) == {"numeroInterneDocument"}
    numero: str = response.json()["numeroInterneDocument"]
    return numero


def mandate_absent(sandbox: OpcoSandbox) -> str:
    """A contract CFA Demo transmits without the employer's mandate: its numeroInterne."""
    response = sandbox.client("akto").post(
        "/v1/dossiers", json=transmission("CFA-9", mandat_gestion=None)
    )
    assert response.status_code == 200, response.text
    assert [w["code"] for w in response.json()["avertissements"]] == ["MANDAT_GESTION_ABSENT"]
    return "CFA-9"


def a_regulariser(sandbox: OpcoSandbox, numero_interne: str) -> bool:
    response = sandbox.client("akto").get("/v1/dossiers", params={"numeroInterne": numero_interne})
    found: bool = response.json()["cerfa"]["aRegulariser"]
    return found


# Conventions


def test_a_convention_is_stored_whole_with_its_file(opco_sandbox: OpcoSandbox) -> None:
    numero = numero_document(convention(opco_sandbox, CONVENTION))
    [kept] = listed(opco_sandbox)
    assert kept == {
        "numeroInterneDocument": numero,
        "opco": "akto",
        "cfa": "79012345900014",
        "typeFichier": "CONVENTION_FORMATION",
        "nom": "facture.pdf",
        "taille": len(PDF),
        "sha256": hashlib.sha256(PDF).hexdigest(),
        "dateReception": "2026-09-01",
        "objets": [{"typeObjet": "DOSSIER_APPRENTISSAGE", "idObjet": "DEMO-0001"}],
        "donnees": CONVENTION,
    }


def test_a_convention_with_the_mandate_lifts_the_regularisation(opco_sandbox: OpcoSandbox) -> None:
    numero_interne = mandate_absent(opco_sandbox)
    assert a_regulariser(opco_sandbox, numero_interne) is True
    body = CONVENTION | {"numeroInterneDossier": numero_interne}
    numero_document(convention(opco_sandbox, body))
    assert a_regulariser(opco_sandbox, numero_interne) is False


@pytest.mark.parametrize("mandat", [False, None])
def test_a_convention_without_the_mandate_leaves_it_to_regularise(
    opco_sandbox: OpcoSandbox, mandat: bool | None
) -> None:
    numero_interne = mandate_absent(opco_sandbox)
    body = CONVENTION | {"numeroInterneDossier": numero_interne, "mandatEmployeur": mandat}
    numero_document(convention(opco_sandbox, body))
    assert a_regulariser(opco_sandbox, numero_interne) is True


@pytest.mark.parametrize("cfa", [None, OTHER_CFA_SIRET], ids=["unknown", "another-cfas"])
def test_a_convention_of_an_unknown_dossier_is_404(
    opco_sandbox: OpcoSandbox, cfa: str | None
) -> None:
    body = CONVENTION if cfa else CONVENTION | {"numeroInterneDossier": "NOPE-1"}
    response = convention(opco_sandbox, body, cfa=cfa)
    assert problems(response, 404) == [("DOSSIER_INCONNU", "convention.numeroInterneDossier")]
    assert listed(opco_sandbox) == []


def test_a_convention_needs_its_dossier_number(opco_sandbox: OpcoSandbox) -> None:
    body = {k: v for k, v in CONVENTION.items() if k != "numeroInterneDossier"}
    response = convention(opco_sandbox, body)
    assert problems(response, 400) == [("CHAMP_OBLIGATOIRE", "convention.numeroInterneDossier")]


@pytest.mark.parametrize(
    ("pdf", "code"), [(None, "FICHIER_ABSENT"), (b"GIF89a", "FICHIER_INVALIDE")]
)
def test_a_convention_follows_the_fichier_rules(
    opco_sandbox: OpcoSandbox, pdf: bytes | None, code: str
) -> None:
    assert problems(convention(opco_sandbox, CONVENTION, pdf=pdf), 400) == [(code, "fichier")]
    assert listed(opco_sandbox) == []


def test_a_convention_sent_as_json_names_the_multipart_form(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.client("akto").post("/v1/conventions", json=CONVENTION)
    assert problems(response, 400) == [("FORMAT_INVALIDE", None)]
    assert "multipart/form-data" in response.json()["errors"][0]["description"]


# Documents


def accepted_invoice(sandbox: OpcoSandbox) -> str:
    response = sandbox.client("akto").post("/v1/factures", **invoice_parts(facture()))
    assert response.status_code == 200, response.text
    numero: str = response.json()["numeroInterneFacture"]
    return numero


def test_a_document_is_attached_to_an_invoice_and_a_dossier(opco_sandbox: OpcoSandbox) -> None:
    facture_numero = accepted_invoice(opco_sandbox)
    sent = infos(("FACTURE", facture_numero), ("DOSSIER_APPRENTISSAGE", "DEMO-0001"))
    other_pdf = PDF + b"% certificat\n"
    numero = numero_document(document(opco_sandbox, sent, pdf=other_pdf))
    kept = {d["numeroInterneDocument"]: d for d in listed(opco_sandbox)}[numero]
    assert (kept["typeFichier"], kept["objets"]) == ("CERTIFICAT_REALISATION", sent["objets"])
    assert (kept["taille"], kept["sha256"]) == (
        len(other_pdf),
        hashlib.sha256(other_pdf).hexdigest(),
    )
    download = opco_sandbox.control.get(f"/documents/{numero}")
    assert (download.status_code, download.content) == (200, other_pdf)
    assert download.headers["content-type"] == "application/pdf"


@pytest.mark.parametrize(
    "type_fichier",
    [
        "CERTIFICAT_REALISATION",
        "CONVENTION_FORMATION",
        "CONVENTION_REDUCTION_DUREE",
        "CONVENTION_MOBILITE",
        "FACTURE",
    ],
)
def test_every_type_of_file_of_production_is_taken(
    opco_sandbox: OpcoSandbox, type_fichier: str
) -> None:
    sent = infos(("DOSSIER_APPRENTISSAGE", "DEMO-0001"), type_fichier=type_fichier)
    numero_document(document(opco_sandbox, sent))


@pytest.mark.parametrize(
    ("objet", "cfa"),
    [
        (("FACTURE", "10009999"), None),
        (("DOSSIER_APPRENTISSAGE", "NOPE-1"), None),
        # The numeroExterne is not how a document names a dossier.
        (("DOSSIER_APPRENTISSAGE", "AKTO-2026-000001"), None),
        (("DOSSIER_APPRENTISSAGE", "DEMO-0001"), OTHER_CFA_SIRET),
    ],
    ids=["unknown-invoice", "unknown-dossier", "numero-externe", "another-cfas-dossier"],
)
def test_an_object_the_cfa_does_not_have_is_objet_inconnu(
    opco_sandbox: OpcoSandbox, objet: tuple[str, str], cfa: str | None
) -> None:
    sent = infos(("DOSSIER_APPRENTISSAGE", "DEMO-0001"), objet) if cfa is None else infos(objet)
    response = document(opco_sandbox, sent, cfa=cfa)
    champ = "infosFichier.objets[1].idObjet" if cfa is None else "infosFichier.objets[0].idObjet"
    assert problems(response, 404) == [("OBJET_INCONNU", champ)]
    assert listed(opco_sandbox) == []


def test_another_cfas_invoice_is_objet_inconnu(opco_sandbox: OpcoSandbox) -> None:
    numero = accepted_invoice(opco_sandbox)
    response = document(opco_sandbox, infos(("FACTURE", numero)), cfa=OTHER_CFA_SIRET)
    assert problems(response, 404) == [("OBJET_INCONNU", "infosFichier.objets[0].idObjet")]


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        (
            {"objets": [{"typeObjet": "FACTURE", "idObjet": "1"}]},
            ("CHAMP_OBLIGATOIRE", "infosFichier.typeFichier"),
        ),
        (
            infos(("FACTURE", "1"), type_fichier="AUTRE"),
            ("FORMAT_INVALIDE", "infosFichier.typeFichier"),
        ),
        (infos(("CONTRAT", "1")), ("FORMAT_INVALIDE", "infosFichier.objets[0].typeObjet")),
        ({"typeFichier": "FACTURE", "objets": []}, ("FORMAT_INVALIDE", "infosFichier.objets")),
    ],
)
def test_infos_fichier_schema(
    opco_sandbox: OpcoSandbox, sent: dict[str, Any], expected: tuple[str, str]
) -> None:
    assert expected in problems(document(opco_sandbox, sent), 400)


def test_a_document_id_may_be_a_number(opco_sandbox: OpcoSandbox) -> None:
    numero = accepted_invoice(opco_sandbox)
    sent = {"typeFichier": "FACTURE", "objets": [{"typeObjet": "FACTURE", "idObjet": int(numero)}]}
    numero_document(document(opco_sandbox, sent))


@pytest.mark.parametrize(("pdf", "code"), [(None, "FICHIER_ABSENT"), (b"", "FICHIER_INVALIDE")])
def test_a_document_follows_the_fichier_rules(
    opco_sandbox: OpcoSandbox, pdf: bytes | None, code: str
) -> None:
    sent = infos(("DOSSIER_APPRENTISSAGE", "DEMO-0001"))
    assert problems(document(opco_sandbox, sent, pdf=pdf), 400) == [(code, "fichier")]


# The control API's view


def test_documents_are_per_espace_and_reset_empties_them(opco_sandbox: OpcoSandbox) -> None:
    numero_document(document(opco_sandbox, infos(("DOSSIER_APPRENTISSAGE", "DEMO-0001"))))
    assert len(listed(opco_sandbox)) == 1
    other = opco_sandbox.server.client("/_sandbox/espaces/autre")
    other.put("/scenario", json={"nom": "demo"}).raise_for_status()
    assert other.get("/documents").json() == {"documents": []}
    opco_sandbox.control.post("/reset").raise_for_status()
    assert listed(opco_sandbox) == []


def test_document_numbers_follow_one_sequence_of_the_espace(opco_sandbox: OpcoSandbox) -> None:
    accepted_invoice(opco_sandbox)
    numero_document(document(opco_sandbox, infos(("DOSSIER_APPRENTISSAGE", "DEMO-0001"))))
    assert [d["numeroInterneDocument"] for d in listed(opco_sandbox)] == ["20000001", "20000002"]
