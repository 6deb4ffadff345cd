"""The tables. Every row belongs to an espace; OPCO rows also to an OPCO."""

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


class Cents(TypeDecorator[Decimal]):
    """Euros exact to the cent, stored as an integer number of cents on every engine."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        return None if value is None else int(value.scaleb(2).to_integral_exact())

    def process_result_value(self, value: int | None, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value).scaleb(-2)


class EncodedJSON(str):
    """A value already encoded as JSON text, stored as it is by `JSONText`."""


class JSONText(TypeDecorator[Any]):
    """JSON stored as text, whose values may come encoded already (`EncodedJSON`): a
    journal entry's bodies, the same answer journaled again and again, are encoded once."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None or isinstance(value, EncodedJSON):
            return value
        return json.dumps(value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        return None if value is None else json.loads(value)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON,
        list[Any]: JSON,
        Decimal: Cents,
    }


class EspaceRow(Base):
    __tablename__ = "espaces"

    nom: Mapped[str] = mapped_column(String(64), primary_key=True)
    horloge: Mapped[date]
    # The clock when the scenario was loaded: where a reset takes it back.
    horloge_initiale: Mapped[date]
    # Bumped on every scenario load or reset, and when its tokens are expired all at once:
    # the key of in-process caches of the scenario and of the tokens' rows. An espace made
    # anew starts from a random value: a cache holding the world of an espace dropped
    # under that name must not take it for the new one's.
    generation: Mapped[int] = mapped_column(Integer, default=1)
    # Bumped whenever its fault rules change, back to 0 with each load or reset (which
    # delete them: a scenario sets none). 0: the espace has no fault rule, no query needed;
    # else, with the generation, the key of the in-process cache of its rules.
    version_pannes: Mapped[int] = mapped_column(Integer, default=0)
    # Large (a scenario's dossiers): read only when the cached world must be rebuilt.
    scenario: Mapped[dict[str, Any]] = mapped_column(deferred=True)
    scenario_nom: Mapped[str] = mapped_column(String(200), default="")
    # `default` only: the SHA-256 of the `serve --scenario` content it was last loaded
    # from at start. A restart reloads it only when that content changed (a scenario put
    # since, or the data made since, are kept otherwise).
    empreinte_demarrage: Mapped[str | None] = mapped_column(String(64), default=None)


class RevisionRow(Base):
    """The revision of an espace's data: bumped by every request that writes in it, in
    its transaction. With the generation, the key of the in-process cache of its read
    answers (a row of its own, not a column of `espaces`: writes that hold the espace's
    row shared would deadlock bumping it there, on PostgreSQL)."""

    __tablename__ = "revisions"

    espace: Mapped[str] = mapped_column(String(64), primary_key=True)
    valeur: Mapped[int] = mapped_column(Integer, default=0)


class CounterRow(Base):
    """Sequences per espace and OPCO: deterministic numbers (numeroExterne, DECA), and the
    count of each CFA's dossiers (`DossierRepository.page_of_cfa`)."""

    __tablename__ = "compteurs"

    espace: Mapped[str] = mapped_column(String(64), primary_key=True)
    opco: Mapped[str] = mapped_column(String(16), primary_key=True)
    nom: Mapped[str] = mapped_column(String(32), primary_key=True)
    valeur: Mapped[int] = mapped_column(Integer, default=0)


class DossierRow(Base):
    __tablename__ = "dossiers"
    __table_args__ = (
        UniqueConstraint("espace", "opco", "numero_externe", name="uq_dossier_numero_externe"),
        UniqueConstraint(
            "espace", "opco", "siret_cfa", "numero_interne", name="uq_dossier_numero_interne"
        ),
        # NULL for refused and cancelled dossiers: only live ones are duplicates.
        UniqueConstraint("espace", "opco", "cle_doublon", name="uq_dossier_doublon"),
        Index("ix_dossier_etape", "espace", "prochaine_etape"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    espace: Mapped[str] = mapped_column(String(64))
    opco: Mapped[str] = mapped_column(String(16))
    numero_externe: Mapped[str] = mapped_column(String(40))
    numero_interne: Mapped[str | None] = mapped_column(String(64))
    siret_cfa: Mapped[str] = mapped_column(String(14))
    canal: Mapped[str] = mapped_column(String(10))
    etat: Mapped[str] = mapped_column(String(24))
    commentaire_etat: Mapped[str | None] = mapped_column(String(500))
    cle_doublon: Mapped[str | None] = mapped_column(String(64))
    # The five pairing values, normalised, for lookups without reading the CERFA.
    # Normalising can lengthen a name (ß → ss): no length limit on these two.
    nom: Mapped[str] = mapped_column(Text)
    prenom: Mapped[str] = mapped_column(Text)
    date_naissance: Mapped[date]
    siret_employeur: Mapped[str] = mapped_column(String(14))
    date_debut_contrat: Mapped[date]
    date_conclusion: Mapped[date]
    mandat_gestion: Mapped[bool]
    a_regulariser: Mapped[bool]
    cerfa: Mapped[dict[str, Any]]
    date_transmission: Mapped[date]
    date_mise_a_jour: Mapped[date]
    # The date of the next clock-driven transition; NULL when none is pending.
    prochaine_etape: Mapped[date | None]
    numero_deca: Mapped[str | None] = mapped_column(String(15))
    engagement: Mapped[Decimal | None]
    frais_annexes: Mapped[list[Any]] = mapped_column(JSON, default=list)

    echeances: Mapped[list["EcheanceRow"]] = relationship(
        back_populates="dossier", order_by="EcheanceRow.numero", cascade="all, delete-orphan"
    )


# PostgreSQL orders numeroInterne bytewise (COLLATE "C", `core.repository.bytewise`): an index in
# that order serves a CFA's pages without sorting all its dossiers. (SQLite's order is
# already bytewise: the unique constraint's index serves it.)
Index(
    "ix_dossier_cfa_numero_c",
    DossierRow.espace,
    DossierRow.opco,
    DossierRow.siret_cfa,
    DossierRow.numero_interne.collate("C"),
).ddl_if(dialect="postgresql")


class EcheanceRow(Base):
    __tablename__ = "echeances"
    __table_args__ = (UniqueConstraint("dossier_id", "numero", name="uq_echeance_numero"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    numero: Mapped[int]
    codification: Mapped[str] = mapped_column(String(8))
    date_ouverture: Mapped[date]
    date_debut: Mapped[date]
    date_fin: Mapped[date]
    montant_pedagogique: Mapped[Decimal]
    montant_rqth: Mapped[Decimal]
    montant_regle: Mapped[Decimal]
    montant_en_cours: Mapped[Decimal]
    # The RQTH share of the two amounts above, to know what remains of each part.
    regle_rqth: Mapped[Decimal] = mapped_column(default=Decimal(0))
    en_cours_rqth: Mapped[Decimal] = mapped_column(default=Decimal(0))
    siret: Mapped[str] = mapped_column(String(14))
    iban: Mapped[str] = mapped_column(String(40))

    dossier: Mapped[DossierRow] = relationship(back_populates="echeances")

    @property
    def montant_total(self) -> Decimal:
        """The échéance's whole amount: its pedagogical part plus its RQTH supplement."""
        return self.montant_pedagogique + self.montant_rqth

    @property
    def fully_paid(self) -> bool:
        return self.montant_regle >= self.montant_total

    def mark_paid(self) -> None:
        """Paid in full, but for what invoices still in instruction hold."""
        self.montant_regle = self.montant_total - self.montant_en_cours
        self.regle_rqth = self.montant_rqth - self.en_cours_rqth


class FactureRow(Base):
    __tablename__ = "factures"
    __table_args__ = (
        # NULL once rejected: a rejected invoice may be sent again under its number.
        UniqueConstraint("espace", "opco", "cle_unicite", name="uq_facture_active"),
        UniqueConstraint("espace", "opco", "numero_interne", name="uq_facture_numero_interne"),
        Index("ix_facture_cfa", "espace", "opco", "siret_cfa", "numero_facture"),
        Index("ix_facture_paiement", "espace", "date_paiement_prevue"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    espace: Mapped[str] = mapped_column(String(64))
    opco: Mapped[str] = mapped_column(String(16))
    siret_cfa: Mapped[str] = mapped_column(String(14))
    # The OPCO's number (numeroInterneFacture) and the CFA's (referenceFactureCFA).
    numero_interne: Mapped[str] = mapped_column(String(16))
    numero_facture: Mapped[str] = mapped_column(String(64))
    siret_emetteur: Mapped[str | None] = mapped_column(String(64))
    iban_emetteur: Mapped[str | None] = mapped_column(String(64))
    cle_unicite: Mapped[str | None] = mapped_column(String(160))
    etat: Mapped[str] = mapped_column(String(24))
    date_emission: Mapped[date]
    date_reception: Mapped[date]
    date_paiement_prevue: Mapped[date | None]
    date_reglement: Mapped[date | None]
    montant_total: Mapped[Decimal]
    est_certificat: Mapped[bool | None]
    lignes: Mapped[list[Any]]
    motifs_rejet: Mapped[list[Any]]
    # The invoice's own PDF (its DocumentRow's numero_interne).
    numero_document: Mapped[str | None] = mapped_column(String(16))
    # What each accepted line booked on which échéance: undone on a later rejection.
    imputations: Mapped[list[Any]]


class DocumentRow(Base):
    """A file a CFA sent (an invoice's PDF, a convention, a document): its content and
    what it is attached to, `liens` `[{"typeObjet", "idObjet"}]`."""

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("espace", "numero_interne", name="uq_document_numero_interne"),
        Index("ix_document_cfa", "espace", "opco", "siret_cfa"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    espace: Mapped[str] = mapped_column(String(64))
    opco: Mapped[str] = mapped_column(String(16))
    siret_cfa: Mapped[str] = mapped_column(String(14))
    numero_interne: Mapped[str] = mapped_column(String(16))
    type_fichier: Mapped[str] = mapped_column(String(40))
    nom: Mapped[str] = mapped_column(String(255))
    taille: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    date_reception: Mapped[date]
    liens: Mapped[list[Any]]
    # The JSON part sent beside the file (a convention's fields), as sent.
    donnees: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Large: read only when the file itself is asked for.
    contenu: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)


class JetonRow(Base):
    """An OAuth2 access token an OPCO of the espace issued: only its SHA-256 is kept."""

    __tablename__ = "jetons"
    __table_args__ = (Index("ix_jeton_espace", "espace", "opco"),)

    empreinte: Mapped[str] = mapped_column(String(64), primary_key=True)
    espace: Mapped[str] = mapped_column(String(64))
    opco: Mapped[str] = mapped_column(String(16))
    client_id: Mapped[str] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(String(100))
    expire_a: Mapped[datetime]  # real time (UTC), not the espace's clock


class QuotaRow(Base):
    """The current minute of a rate limit (CFADock's `limiteParMinute`), per espace: one row,
    locked by each request it counts, so that several workers count as one server."""

    __tablename__ = "quotas"

    espace: Mapped[str] = mapped_column(String(64), primary_key=True)
    service: Mapped[str] = mapped_column(String(16), primary_key=True)
    debut: Mapped[datetime]  # real time (UTC), not the espace's clock: the window's start
    requetes: Mapped[int]


class PanneRow(Base):
    """A fault-injection rule of an OPCO in an espace (see sandbox/pannes/service.py)."""

    __tablename__ = "pannes"
    __table_args__ = (Index("ix_panne_opco", "espace", "opco", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    espace: Mapped[str] = mapped_column(String(64))
    opco: Mapped[str] = mapped_column(String(16))
    chemin: Mapped[str] = mapped_column(String(200))
    methode: Mapped[str | None] = mapped_column(String(10))
    latence_ms: Mapped[int]
    statut: Mapped[int | None]
    part: Mapped[int | None]  # in ten-thousandths of the matching requests
    restantes: Mapped[int | None]  # requests left to act on; None: no limit
    vues: Mapped[int] = mapped_column(Integer, default=0)


class SchemaRow(Base):
    """The version of these tables the database holds (see `SCHEMA_VERSION`)."""

    __tablename__ = "schema"

    version: Mapped[int] = mapped_column(Integer, primary_key=True)


# Bumped whenever a table, or what its rows hold, changes (10: each espace's revision, the
# journal's bodies as JSON text): a database made by an older sandbox is then made anew (a
# sandbox's data is test data; `create_schema` says so in the log).
SCHEMA_VERSION = 10


class JournalRow(Base):
    __tablename__ = "journal"
    __table_args__ = (Index("ix_journal_espace", "espace", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    espace: Mapped[str] = mapped_column(String(64))
    instant: Mapped[datetime]
    date: Mapped[date]
    opco: Mapped[str | None] = mapped_column(String(16))
    cfa: Mapped[str | None] = mapped_column(String(14))
    methode: Mapped[str] = mapped_column(String(10))
    chemin: Mapped[str] = mapped_column(String(500))
    statut: Mapped[int]
    codes: Mapped[list[Any]]
    diagnostics: Mapped[list[Any]]
    # The situations of the standard a request exercised that its path cannot show (a
    # contract sent without numeroInterne…), for the conformance report.
    situations: Mapped[list[Any]] = mapped_column(JSON, default=list)
    logiciel: Mapped[str | None] = mapped_column(String(200))  # EDITEUR/LOGICIEL/VERSION
    # {"entetes", "corps", ["tronque", "taille"]}, masked (sandbox.journal.service.Message).
    requete: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
    reponse: Mapped[dict[str, Any] | None] = mapped_column(JSONText)
