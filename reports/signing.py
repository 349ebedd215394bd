"""Electronic signature of the PDF minutes (PAdES baseline B-B), with pyHanko.

Configured by three settings read from the environment (config/settings.py):
``PINS_SIGNING_KEY`` (path to a PEM private key), ``PINS_SIGNING_CERT`` (path to its PEM
certificate) and ``PINS_SIGNING_PASSPHRASE`` (the key's passphrase, empty if none). When
the key or the certificate is not set, ``configured_signer()`` is None and the minutes are
not signed (their first page says so). When they are set but cannot be read, the error is
``ImproperlyConfigured`` naming the setting: an operator who configured a key expects
signed minutes, so PINS does not silently hand out unsigned ones.

The signature is added in an incremental update (the PDF/A bytes WeasyPrint wrote are kept
as they are, then signed), which PDF/A-3 allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Signer:
    """A configured signer: the pyHanko signer object and the certificate's subject."""

    name: str
    signer: Any


def _read(setting: str) -> bytes:
    path = getattr(settings, setting, "")
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ImproperlyConfigured(f"{setting}: cannot read {path!r} ({exc.strerror}).") from exc


def configured_signer() -> Signer | None:
    """The signer built from the settings, or None when signing is not configured."""
    if not (getattr(settings, "PINS_SIGNING_KEY", "") and getattr(settings, "PINS_SIGNING_CERT", "")):
        return None
    from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
    from pyhanko.sign import signers  # imported here: only signed minutes need pyHanko

    key_data, cert_data = _read("PINS_SIGNING_KEY"), _read("PINS_SIGNING_CERT")
    passphrase = getattr(settings, "PINS_SIGNING_PASSPHRASE", "") or ""
    try:
        key = load_private_key_from_pemder_data(key_data, passphrase=passphrase.encode() or None)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            f"PINS_SIGNING_KEY: the key cannot be read (wrong PINS_SIGNING_PASSPHRASE?): {exc}") from exc
    try:
        certificates = list(load_certs_from_pemder_data(cert_data))
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(f"PINS_SIGNING_CERT: the certificate cannot be read: {exc}") from exc
    if not certificates:
        raise ImproperlyConfigured("PINS_SIGNING_CERT: no certificate in the file.")
    certificate, *chain = certificates  # the signer's certificate first, then its chain
    signer = signers.SimpleSigner(signing_cert=certificate, signing_key=key,
                                  cert_registry=_registry(chain))
    return Signer(name=subject_name(certificate), signer=signer)


def subject_name(certificate: Any) -> str:
    """"Common name (organisation)" of a certificate's subject, else its full subject."""
    subject = certificate.subject.native
    name, organisation = subject.get("common_name"), subject.get("organization_name")
    if not name:
        return str(certificate.subject.human_friendly)
    return f"{name} ({organisation})" if organisation else str(name)


def _registry(chain: list[Any]) -> Any:
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    return SimpleCertificateStore.from_certs(chain)


def sign_pdf(pdf: bytes, signer: Signer) -> bytes:
    """``pdf`` with a PAdES signature by ``signer`` (incremental update)."""
    from io import BytesIO

    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(
        field_name="Signature", subfilter=fields.SigSeedSubFilter.PADES,
        reason="Procès-verbal du budget participatif", md_algorithm="sha256",
    )
    out = signers.PdfSigner(meta, signer=signer.signer).sign_pdf(writer)
    signed: bytes = out.getvalue()
    return signed
