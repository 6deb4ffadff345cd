"""The scenario library: each bundled scenario shows, through the API, the situation its
description promises (the FAQ's situations, issue 5)."""

from decimal import Decimal
from typing import Any

import httpx
import pytest

from sandbox.pytest_plugin import OpcoSandbox
from sandbox.scenarios import generer
from sandbox.scenarios.files import bundled_dir
from sandbox.scenarios.loader import resolve
from tests.builders import (
    CFA_SIRET,
    EMPLOYER_SIRET,
    codes,
    invoice_parts,
    opco_client,
    rejected_codes,
    transmission,
)

CFA_IBAN = "FR7630006000011234567890189"  # CFA Demo, the first CFA of every scenario here
SIEGE_SIRET = "79012345900006"  # siret-cfa-different: the CFA's head office
LIBRARY = (
    "appairage-employeur",
    "cle-expiree",
    "demo",
    "doublons",
    "facturation",
    "grand-volume",
    "mandat-absent",
    "opco-non-accroche",
    "refus",
    "siret-cfa-different",
)


def read(
    sandbox: OpcoSandbox, numero: str, opco: str = "akto", cfa: str | None = None
) -> dict[str, Any]:
    response = sandbox.client(opco, cfa).get("/v1/dossiers", params={"numeroInterne": numero})
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def etats(sandbox: OpcoSandbox, opco: str = "akto") -> dict[str, str]:
    """numeroInterne → etat of the first CFA's dossiers at that OPCO (first page)."""
    response = sandbox.client(opco).get("/v2/dossiers/etats", params={"taillePage": 500})
    assert response.status_code == 200, response.text
    return {d["numeroInterne"]: d["etat"] for d in response.json()["EtatDossierResult"]}


def last_journal_entry(sandbox: OpcoSandbox) -> dict[str, Any]:
    entry: dict[str, Any] = sandbox.control.get("/journal").json()["entrees"][-1]
    return entry


def test_the_library_has_one_file_per_situation() -> None:
    assert tuple(sorted(p.stem for p in bundled_dir().glob("*.yaml"))) == LIBRARY


# mandat-absent


@pytest.mark.opco_scenario("mandat-absent")
def test_dossiers_without_mandat_are_to_be_regularised(opco_sandbox: OpcoSandbox) -> None:
    held = {"MANDAT-0001": "akto", "MANDAT-0002": "akto", "MANDAT-0003": "atlas"}
    held["MANDAT-0004"] = "akto"  # sent with the mandat
    seen = {numero: cerfa_fields(read(opco_sandbox, numero, opco)) for numero, opco in held.items()}
    assert seen == {
        "MANDAT-0001": ("TRANSMIS", True),
        "MANDAT-0002": ("ENGAGE", True),
        "MANDAT-0003": ("EN_COURS_INSTRUCTION", True),
        "MANDAT-0004": ("TRANSMIS", False),
    }


def cerfa_fields(dossier: dict[str, Any]) -> tuple[str, bool]:
    return dossier["cerfa"]["etat"], dossier["cerfa"]["aRegulariser"]


@pytest.mark.opco_scenario("mandat-absent")
def test_a_transmission_without_mandat_is_warned(opco_sandbox: OpcoSandbox) -> None:
    body = transmission("MANDAT-0005", mandat_gestion=None)
    response = opco_sandbox.client("akto").post("/v1/dossiers", json=body)
    assert response.status_code == 200, response.text
    assert [w["code"] for w in response.json()["avertissements"]] == ["MANDAT_GESTION_ABSENT"]
    assert read(opco_sandbox, "MANDAT-0005")["cerfa"]["aRegulariser"] is True


# doublons: (variant, apprenti, contrat, the end of the numeroExterne of the dossier it
# duplicates, HIDDEN when that dossier is another CFA's, None when it is no duplicate)
HIDDEN = "another CFA's dossier"
ELOISE = {"nom": "Lefèvre", "prenom": "Éloïse", "sexe": "F", "dateNaissance": "2008-04-12"}
DA_SILVA = {"nom": "Da Silva", "prenom": "Anne Sophie", "sexe": "F", "dateNaissance": "2007-02-28"}
DUPONT = {"nom": "Dupont", "prenom": "Thomas", "sexe": "M", "dateNaissance": "2008-06-30"}
MOREAU = {"nom": "Moreau", "prenom": "Nathan", "sexe": "M", "dateNaissance": "2007-12-01"}
GARNIER = {"nom": "Garnier", "prenom": "Inès", "sexe": "F", "dateNaissance": "2008-10-10"}
SEPT_15 = {"dateDebutContrat": "2026-09-15"}
VARIANTS: list[tuple[str, dict[str, str], dict[str, str], str | None]] = [
    ("upper-case-no-accents", ELOISE | {"nom": "LEFEVRE", "prenom": "ELOISE"}, {}, "000101"),
    ("spaces-and-lower-case", ELOISE | {"nom": "lefèvre", "prenom": "  éloïse  "}, {}, "000101"),
    ("other-spelling", ELOISE | {"nom": "Lefebvre", "prenom": "Eloise"}, {}, None),
    ("names-swapped", ELOISE | {"nom": "Éloïse", "prenom": "Lefèvre"}, {}, None),
    ("other-birth-date", ELOISE | {"dateNaissance": "2008-04-21"}, {}, None),
    ("other-start-date", ELOISE, {"dateDebutContrat": "2026-10-01"}, None),
    ("inner-spaces", DA_SILVA | {"nom": "DA  SILVA", "prenom": "anne   sophie"}, {}, "000102"),
    ("hyphenated", DA_SILVA | {"prenom": "Anne-Sophie"}, {}, None),
    ("employer-deposit", DUPONT | {"nom": "DUPONT", "prenom": "THOMAS"}, SEPT_15, "000103"),
    ("dupond-is-not-dupont", DUPONT | {"nom": "Dupond"}, SEPT_15, None),
    ("another-cfa-dossier", MOREAU, {}, HIDDEN),
    ("cancelled-dossier", GARNIER, {}, None),
]


@pytest.mark.opco_scenario("doublons")
@pytest.mark.parametrize(
    ("apprenti", "contrat", "duplicates"), [v[1:] for v in VARIANTS], ids=[v[0] for v in VARIANTS]
)
def test_a_spelling_variant_is_a_duplicate_or_not_as_described(
    opco_sandbox: OpcoSandbox,
    apprenti: dict[str, str],
    contrat: dict[str, str],
    duplicates: str | None,
) -> None:
    body = transmission("VARIANTE-1", apprenti=apprenti, contrat=contrat)
    response = opco_sandbox.client("akto").post("/v1/dossiers", json=body)
    if duplicates is None:
        assert response.status_code == 200, response.text
        return
    assert codes(response, 400) == ["DOSSIER_DOUBLON"]
    message = response.json()["errors"][0]["description"]
    if duplicates == HIDDEN:
        assert "AKTO-" not in message  # another CFA's dossier number is not the caller's
    else:
        assert f"AKTO-2026-{duplicates}" in message


# appairage-employeur: (pairing values, the state the paired dossier is in)
DEPOSITS = [
    ("akto", "Laurent", "Emma", "2008-02-14", EMPLOYER_SIRET, "2026-09-01", "TRANSMIS"),
    ("akto", "Petit", "Noah", "2007-07-07", EMPLOYER_SIRET, "2026-09-01", "EN_COURS_INSTRUCTION"),
    ("akto", "Bonnet", "Léna", "2006-03-03", EMPLOYER_SIRET, "2026-09-01", "ENGAGE"),
    ("akto", "Mercier", "Adam", "1994-01-20", EMPLOYER_SIRET, "2026-09-01", "REFUSE"),
    ("akto", "Fontaine", "Jade", "2007-08-18", EMPLOYER_SIRET, "2026-07-15", "RUPTURE"),
    ("akto", "SEVERIN", "zoe", "2008-09-09", EMPLOYER_SIRET, "2026-09-07", "TRANSMIS"),
    ("atlas", "Chevalier", "Louis", "2006-05-05", "53456789600012", "2026-09-01", "ENGAGE"),
]


def pairing(numero: str, deposit: tuple[str, ...]) -> dict[str, str]:
    _, nom, prenom, naissance, siret_employeur, debut, _ = deposit
    return {
        "numeroInterne": numero,
        "nom": nom,
        "prenom": prenom,
        "dateNaissance": naissance,
        "siretEmployeur": siret_employeur,
        "dateDebutContrat": debut,
    }


@pytest.mark.opco_scenario("appairage-employeur")
def test_employer_deposits_are_paired_in_every_state(opco_sandbox: OpcoSandbox) -> None:
    assert etats(opco_sandbox, "akto") == etats(opco_sandbox, "atlas") == {}
    for index, deposit in enumerate(DEPOSITS, start=1):
        opco, etat = deposit[0], deposit[-1]
        numero = f"APP-{index:04d}"
        response = opco_sandbox.client(opco).post(
            "/v1/dossiers/appairage", json=pairing(numero, deposit)
        )
        assert response.status_code == 200, (deposit, response.text)
        paired = response.json()["cerfa"]
        assert (paired["numeroInterne"], paired["etat"]) == (numero, etat)
        assert read(opco_sandbox, numero, opco)["cerfa"]["etat"] == etat
    assert etats(opco_sandbox, "akto") == {
        f"APP-{i:04d}": d[-1] for i, d in enumerate(DEPOSITS, start=1) if d[0] == "akto"
    }
    assert etats(opco_sandbox, "atlas") == {"APP-0007": "ENGAGE"}


@pytest.mark.opco_scenario("appairage-employeur")
def test_the_refused_deposit_says_why(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.client("akto").post(
        "/v1/dossiers/appairage", json=pairing("APP-REFUS", DEPOSITS[3])
    )
    assert response.status_code == 200, response.text
    assert response.json()["cerfa"]["commentaireEtat"] == "AGE_APPRENTI"


# siret-cfa-different

MANON = {
    "nom": "Perrin",
    "prenom": "Manon",
    "dateNaissance": "2007-10-21",
    "siretEmployeur": EMPLOYER_SIRET,
    "dateDebutContrat": "2026-09-01",
}


@pytest.mark.opco_scenario("siret-cfa-different")
def test_a_dossier_under_another_cfa_siret_is_not_found_and_the_journal_says_why(
    opco_sandbox: OpcoSandbox,
) -> None:
    response = opco_sandbox.client("akto").post(
        "/v1/dossiers/appairage", json=MANON | {"numeroInterne": "CFA-MANON"}
    )

    assert codes(response, 404) == ["DOSSIER_NON_TROUVE"]
    assert SIEGE_SIRET not in response.text
    entry = last_journal_entry(opco_sandbox)
    assert (entry["cfa"], entry["statut"], entry["codes"]) == (
        CFA_SIRET,
        404,
        ["DOSSIER_NON_TROUVE"],
    )
    [diagnostic] = entry["diagnostics"]
    assert SIEGE_SIRET in diagnostic
    assert etats(opco_sandbox) == {}


@pytest.mark.opco_scenario("siret-cfa-different")
def test_the_cfa_whose_siret_the_employer_gave_sees_the_engaged_dossier(
    opco_sandbox: OpcoSandbox,
) -> None:
    response = opco_sandbox.client("akto", SIEGE_SIRET).post(
        "/v1/dossiers/appairage", json=MANON | {"numeroInterne": "SIEGE-MANON"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["cerfa"]["etat"] == "ENGAGE"
    assert response.json()["cerfa"]["numeroDeca"]


@pytest.mark.opco_scenario("siret-cfa-different")
def test_the_dossier_deposited_with_the_right_siret_is_paired(opco_sandbox: OpcoSandbox) -> None:
    yanis = MANON | {"nom": "Robin", "prenom": "Yanis", "dateNaissance": "2007-04-17"}
    response = opco_sandbox.client("akto").post(
        "/v1/dossiers/appairage", json=yanis | {"numeroInterne": "CFA-YANIS"}
    )
    assert response.status_code == 200, response.text
    assert etats(opco_sandbox) == {"CFA-YANIS": "ENGAGE"}


# refus


@pytest.mark.opco_scenario("refus")
def test_instruction_refuses_each_dossier_with_its_code(opco_sandbox: OpcoSandbox) -> None:
    numeros = (
        "REFUS-AGE-APPRENTI",
        "REFUS-AGE-MAITRE",
        "REFUS-CERTIFICATION",
        "REFUS-REMUNERATION",
        "ENGAGE-RQTH",
    )
    assert set(etats(opco_sandbox).values()) == {"TRANSMIS"}

    opco_sandbox.advance(3)

    decided = {n: state_and_comment(read(opco_sandbox, n)) for n in numeros}
    assert decided == {
        "REFUS-AGE-APPRENTI": ("REFUSE", "AGE_APPRENTI"),
        "REFUS-AGE-MAITRE": ("REFUSE", "AGE_MAITRE"),
        "REFUS-CERTIFICATION": ("REFUSE", "CERTIFICATION_INELIGIBLE"),
        "REFUS-REMUNERATION": ("REFUSE", "REMUNERATION_INSUFFISANTE"),
        "ENGAGE-RQTH": ("ENGAGE", None),
    }


def state_and_comment(dossier: dict[str, Any]) -> tuple[str, str | None]:
    return dossier["cerfa"]["etat"], dossier["cerfa"]["commentaireEtat"]


# facturation

FAC_0001, FAC_0003 = "AKTO-2026-000401", "AKTO-2026-000403"  # their numeroExterne


def ligne(dossier: str, echeance: int, montant: str, nature: str = "PEDAGOGIE") -> dict[str, Any]:
    return {
        "montant": float(montant),
        "natureLigne": nature,
        "numeroEcheance": echeance,
        "numeroDossier": dossier,
    }


def frais(nature: str, quantite: int, prix: str, echeance: int = 2) -> dict[str, Any]:
    montant = Decimal(prix) * quantite
    return ligne(FAC_0001, echeance, str(montant), nature) | {"quantite": quantite}


def invoice(sandbox: OpcoSandbox, numero: str, *lignes: dict[str, Any]) -> httpx.Response:
    total = sum(Decimal(str(line["montant"])) for line in lignes)
    body = {
        "numero": numero,
        "dateEmission": "2027-03-15T00:00:00+01:00",
        "montantTotal": float(total),
        "ibanEmetteur": CFA_IBAN,
        "siretEmetteur": CFA_SIRET,
        "estCertificatRealisation": False,
        "lignes": list(lignes),
    }
    return sandbox.client("akto").post("/v1/factures", **invoice_parts(body))


def echeance(sandbox: OpcoSandbox, numero: str, numero_echeance: int) -> dict[str, Any]:
    found: dict[str, Any] = read(sandbox, numero)["echeances"][numero_echeance - 1]
    assert found["numero"] == numero_echeance
    return found


@pytest.mark.opco_scenario("facturation")
def test_an_open_echeance_is_invoiced_and_a_later_one_is_not_yet(
    opco_sandbox: OpcoSandbox,
) -> None:
    assert invoice(opco_sandbox, "F-E2", ligne(FAC_0001, 2, "2460")).status_code == 200
    assert echeance(opco_sandbox, "FAC-0001", 2)["montantEnCoursInstruction"] == 2460

    refused = invoice(opco_sandbox, "F-E3", ligne(FAC_0001, 3, "2460"))
    assert rejected_codes(refused) == ["ECHEANCE_NON_OUVERTE"]

    opco_sandbox.advance(78)  # 2027-06-01: the third échéance opens
    assert invoice(opco_sandbox, "F-E3", ligne(FAC_0001, 3, "2460")).status_code == 200


@pytest.mark.opco_scenario("facturation")
def test_the_first_echeance_is_already_paid(opco_sandbox: OpcoSandbox) -> None:
    first = echeance(opco_sandbox, "FAC-0001", 1)
    assert first["montantRegle"] == first["montantTotal"] == 3280
    refused = invoice(opco_sandbox, "F-E1", ligne(FAC_0001, 1, "3280"))
    assert "MONTANT_ECHEANCE_INCORRECT" in rejected_codes(refused)


@pytest.mark.opco_scenario("facturation")
def test_frais_annexes_are_engaged_and_capped(opco_sandbox: OpcoSandbox) -> None:
    engaged = read(opco_sandbox, "FAC-0001")["engagementsFraisAnnexe"]
    assert {f["natureFrais"]: f["montantTotal"] for f in engaged} == {
        "RESTAURATION": 300,
        "HEBERGEMENT": 120,
        "PREMIEREQUIPEMENT": 500,
    }
    over = invoice(opco_sandbox, "F-REPAS", frais("RESTAURATION", 60, "3"))
    assert rejected_codes(over) == ["FRAIS_ANNEXES_PLAFOND"]  # 50 of the 100 meals are billed
    assert invoice(opco_sandbox, "F-REPAS", frais("RESTAURATION", 50, "3")).status_code == 200
    # First equipment is invoiced on the first échéance only.
    assert (
        invoice(opco_sandbox, "F-EQUIP", frais("PREMIEREQUIPEMENT", 1, "500", 1)).status_code == 200
    )


@pytest.mark.opco_scenario("facturation")
def test_the_rqth_apprentice_has_a_rqth_part_on_each_echeance(opco_sandbox: OpcoSandbox) -> None:
    dossier = read(opco_sandbox, "FAC-0002")
    assert all(e["dontMajorationRqth"] > 0 for e in dossier["echeances"])
    assert dossier["engagement"] == sum(e["montantTotal"] for e in dossier["echeances"])
    assert echeance(opco_sandbox, "FAC-0002", 1)["montantRegle"] == 4880
    assert echeance(opco_sandbox, "FAC-0002", 2)["montantEnCoursInstruction"] == 3660


@pytest.mark.opco_scenario("facturation")
def test_invoices_are_held_in_each_state(opco_sandbox: OpcoSandbox) -> None:
    response = opco_sandbox.client("akto").get("/v1/factures/etats")
    held = {f["referenceFactureCFA"]: f for f in response.json()}
    assert {numero: f["etatFacture"] for numero, f in held.items()} == {
        "F-2026-101": "REGLE",
        "F-2027-102": "EN_COURS_INSTRUCTION",
        "F-2027-103": "EN_COURS_INSTRUCTION",
        "F-2027-104": "REJETE",
    }
    assert [m["code"] for m in held["F-2027-104"]["motifsRejet"]] == ["IBAN_DIFFERENT"]
    assert held["F-2026-101"]["estCertificatRealisation"] is True

    opco_sandbox.advance(5)  # the OPCO's payment delay
    params = {"referenceFactureCFA": "F-2027-102"}
    paid = opco_sandbox.client("akto").get("/v1/factures", params=params)
    assert paid.json()["etatFacture"] == "REGLE"


@pytest.mark.opco_scenario("facturation")
def test_the_rejected_invoice_is_sent_again_corrected(opco_sandbox: OpcoSandbox) -> None:
    response = invoice(opco_sandbox, "F-2027-104", ligne(FAC_0001, 2, "2460"))
    assert response.status_code == 200, response.text


@pytest.mark.opco_scenario("facturation")
def test_a_dossier_in_instruction_is_not_billable(opco_sandbox: OpcoSandbox) -> None:
    response = invoice(opco_sandbox, "F-INSTR", ligne(FAC_0003, 1, "2800"))
    assert rejected_codes(response) == ["DOSSIER_NON_FACTURABLE"]


# opco-non-accroche

NOT_HOOKED_UP = {"constructys", "ocapiat", "opco2i", "uniformation"}
ALL_OPCOS = (
    "afdas akto atlas constructys ocapiat opco2i opcoep mobilites sante opcommerce uniformation"
).split()


@pytest.mark.opco_scenario("opco-non-accroche")
@pytest.mark.parametrize("opco", ALL_OPCOS)
def test_an_opco_not_hooked_up_answers_503_on_every_path(
    opco_sandbox: OpcoSandbox, opco: str
) -> None:
    client = opco_sandbox.client(opco)
    answers = [client.get("/v1/status"), client.get("/v1/dossiers/etats")]
    if opco in NOT_HOOKED_UP:
        assert [codes(r, 503) for r in answers] == [["OPCO_NON_ACCROCHE"]] * 2
    else:
        assert [r.status_code for r in answers] == [200, 200]


@pytest.fixture
def cfadock(opco_sandbox: OpcoSandbox) -> httpx.Client:
    return opco_sandbox.server.client(f"/espaces/{opco_sandbox.espace}/cfadock/api")


@pytest.mark.opco_scenario("opco-non-accroche")
def test_cfadock_says_which_opcos_are_hooked_up(cfadock: httpx.Client) -> None:
    accrochage = {a["opco"]: a["accroche"] for a in cfadock.get("/accrochage").json()}
    assert accrochage == {opco: opco not in NOT_HOOKED_UP for opco in ALL_OPCOS}


@pytest.mark.opco_scenario("opco-non-accroche")
def test_cfadock_finds_an_employer_at_each_opco(cfadock: httpx.Client) -> None:
    employeurs = resolve("opco-non-accroche").scenario.employeurs
    found = cfadock.post("/opcos", json=[{"siret": e.siret} for e in employeurs]).json()
    assert found["notFound"] == []
    assert sorted(r["url"].rsplit("/", 1)[-1] for r in found["found"]) == sorted(ALL_OPCOS)


# cle-expiree


def key_info(sandbox: OpcoSandbox, opco: str) -> httpx.Response:
    return sandbox.client(opco).get("/v1/cfakeyinfo")


@pytest.mark.opco_scenario("cle-expiree")
@pytest.mark.parametrize("opco", ["akto", "atlas"])
def test_a_key_past_its_end_date_is_expired(opco_sandbox: OpcoSandbox, opco: str) -> None:
    assert codes(key_info(opco_sandbox, opco), 401) == ["CLE_API_EXPIREE"]
    assert codes(opco_sandbox.client(opco).get("/v1/dossiers/etats"), 401) == ["CLE_API_EXPIREE"]


@pytest.mark.opco_scenario("cle-expiree")
@pytest.mark.parametrize(
    ("opco", "fin", "days_left"), [("opcoep", "2026-09-01", 0), ("mobilites", "2026-09-15", 14)]
)
def test_a_key_expiring_soon_works_until_its_end_date(
    opco_sandbox: OpcoSandbox, opco: str, fin: str, days_left: int
) -> None:
    response = key_info(opco_sandbox, opco)
    assert response.status_code == 200, response.text
    assert (response.json()["siret"], response.json()["dateFinValidite"]) == (CFA_SIRET, fin)
    opco_sandbox.advance(days_left)
    assert key_info(opco_sandbox, opco).status_code == 200
    opco_sandbox.advance(1)
    assert codes(key_info(opco_sandbox, opco), 401) == ["CLE_API_EXPIREE"]


@pytest.mark.opco_scenario("cle-expiree")
def test_a_key_without_end_date_never_expires(opco_sandbox: OpcoSandbox) -> None:
    opco_sandbox.advance(3650)
    response = key_info(opco_sandbox, "sante")
    assert response.status_code == 200, response.text
    assert response.json()["dateFinValidite"] is None


# demo (its own behaviour is tested all over tests/api; here, what the README promises)


@pytest.mark.opco_scenario("demo")
def test_demo_has_an_engaged_dossier_and_a_deposit_to_pair(opco_sandbox: OpcoSandbox) -> None:
    assert etats(opco_sandbox) == {"DEMO-0001": "ENGAGE"}
    deposit = {
        "numeroInterne": "DEMO-0002",
        "nom": "Bernard",
        "prenom": "Hugo",
        "dateNaissance": "2008-11-03",
        "siretEmployeur": EMPLOYER_SIRET,
        "dateDebutContrat": "2026-09-15",
    }
    assert (
        opco_sandbox.client("akto").post("/v1/dossiers/appairage", json=deposit).status_code == 200
    )


# grand-volume: 10,000 generated dossiers (`generer`), loaded on SQLite only (the benchmark
# bench/grand_volume.py measures both engines).

GRAND_VOLUME_CFAS = 4
GRAND_VOLUME_FIRST_CFA = {"siret": "81001111400016", "uaiCfa": "0750001A"}


def test_grand_volume_is_a_small_file_of_generated_dossiers() -> None:
    path = bundled_dir() / "grand-volume.yaml"
    assert path.stat().st_size < 10_000
    assert resolve("grand-volume").scenario.generer.dossiers == 10_000


def grand_volume_client(sandbox: OpcoSandbox, opco: str, cfa: int = 1) -> httpx.Client:
    """A client of the grand-volume CFA number `cfa` (its keys are gv1-akto-key…)."""
    return opco_client(sandbox.server, f"/espaces/{sandbox.espace}/{opco}", f"gv{cfa}-{opco}-key")


@pytest.mark.parametrize("opco_sandbox_database_url", ["sqlite"], indirect=True)
def test_grand_volume_loads_and_answers(opco_sandbox: OpcoSandbox) -> None:
    # The YAML text itself, as a vendor's harness would PUT it: `generer` keeps it small.
    text = (bundled_dir() / "grand-volume.yaml").read_bytes()
    loaded = opco_sandbox.control.put(
        "/scenario", content=text, headers={"Content-Type": "application/yaml"}, timeout=900
    )
    assert loaded.status_code == 200, loaded.text
    assert (loaded.json()["scenario"], loaded.json()["dossiers"]) == ("grand-volume", 10_000)
    made = list(generer.dossiers(resolve("grand-volume").scenario))
    transmitted = [d for d in made if d.get("canal") != "EMPLOYEUR"]
    assert 800 < len(made) - len(transmitted) < 1200  # about one in ten deposited

    totals = {
        (opco, cfa): grand_volume_client(opco_sandbox, opco, cfa)
        .get("/v2/dossiers/etats", params={"taillePage": 1})
        .json()["total"]
        for opco in ALL_OPCOS
        for cfa in range(1, GRAND_VOLUME_CFAS + 1)
    }
    # Every dossier is answered to its CFA, but the employer's deposits, not yet paired.
    assert sum(totals.values()) == len(transmitted)
    first_cfa_akto = [
        d
        for d in transmitted
        if d["opco"] == "akto" and d["cerfa"]["organismeFormation"] == GRAND_VOLUME_FIRST_CFA
    ]
    assert totals[("akto", 1)] == len(first_cfa_akto) > 100
    assert min(totals.values()) > 100  # spread over every OPCO and CFA

    akto = grand_volume_client(opco_sandbox, "akto")
    page = akto.get("/v2/dossiers/etats", params={"numeroPage": 2}).json()
    assert (page["total"], page["count"], page["page"]) == (len(first_cfa_akto), 50, 2)
    numero = page["EtatDossierResult"][0]["numeroInterne"]
    found = akto.get("/v1/dossiers", params={"numeroInterne": numero})
    assert found.status_code == 200, found.text
    body = transmission("GV1-NOUVEAU", organismeFormation=GRAND_VOLUME_FIRST_CFA)
    assert akto.post("/v1/dossiers", json=body).status_code == 200
