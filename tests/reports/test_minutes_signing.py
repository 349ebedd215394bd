"""Signed minutes: with a key and certificate configured, the PDF carries a PAdES signature
that pyHanko's validation API finds intact, valid and covering the whole file; without them
the PDF is unsigned and says so. The key and certificate are generated for each test."""

from __future__ import annotations

import datetime as dt
import shutil
from io import BytesIO
from pathlib import Path

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.exceptions import ImproperlyConfigured
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from reports.pdf import render_minutes
from tests.reports.builders import build_results_world
from tests.reports.test_minutes_pdf import pdf_text

PASSPHRASE = "phrase-de-passe-du-test"
SIGNER_NAME = "Comité de suivi PINS (test)"


def make_key_and_certificate(directory: Path, *, passphrase: str = PASSPHRASE) -> tuple[Path, Path, bytes]:
    """A throwaway EC key (encrypted with ``passphrase``) and a self-signed certificate
    allowed to sign documents. Returns the two paths and the certificate's DER bytes."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SIGNER_NAME),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Budget participatif")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                     key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=True, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = directory / "signing-key.pem", directory / "signing-cert.pem"
    encryption = (serialization.BestAvailableEncryption(passphrase.encode()) if passphrase
                  else serialization.NoEncryption())
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8, encryption))
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path, certificate.public_bytes(serialization.Encoding.DER)


def configure(settings, key_path: Path, cert_path: Path, passphrase: str = PASSPHRASE) -> None:
    settings.PINS_SIGNING_KEY = str(key_path)
    settings.PINS_SIGNING_CERT = str(cert_path)
    settings.PINS_SIGNING_PASSPHRASE = passphrase


def validate(pdf: bytes, certificate_der: bytes):
    reader = PdfFileReader(BytesIO(pdf))
    assert len(reader.embedded_signatures) == 1
    context = ValidationContext(trust_roots=[asn1_x509.Certificate.load(certificate_der)])
    return validate_pdf_signature(reader.embedded_signatures[0], context)


@pytest.mark.django_db
def test_configured_minutes_carry_a_valid_pades_signature_over_the_whole_file(settings, tmp_path):
    key_path, cert_path, certificate = make_key_and_certificate(tmp_path)
    configure(settings, key_path, cert_path)
    built = build_results_world()
    pdf = render_minutes(built.world.cycle)
    status = validate(pdf, certificate)
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.signing_cert.subject.native["common_name"] == SIGNER_NAME
    reader = PdfFileReader(BytesIO(pdf))
    assert reader.embedded_signatures[0].sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext is not installed")
@pytest.mark.django_db
def test_signed_minutes_name_the_signer_and_unsigned_ones_say_they_are_not(settings, tmp_path):
    built = build_results_world()
    unsigned = render_minutes(built.world.cycle)
    assert PdfFileReader(BytesIO(unsigned)).embedded_signatures == []
    assert "Ce document n’est pas signé électroniquement" in pdf_text(unsigned, tmp_path)
    key_path, cert_path, _der = make_key_and_certificate(tmp_path)
    configure(settings, key_path, cert_path)
    text = " ".join(pdf_text(render_minutes(built.world.cycle), tmp_path).split())
    assert f"Ce document est signé électroniquement (signature PAdES) par : {SIGNER_NAME} (Budget participatif)." in text


@pytest.mark.django_db
def test_a_changed_byte_breaks_the_signature(settings, tmp_path):
    key_path, cert_path, certificate = make_key_and_certificate(tmp_path)
    configure(settings, key_path, cert_path)
    built = build_results_world()
    pdf = bytearray(render_minutes(built.world.cycle))
    # Change the version in the header: a byte inside the signed range.
    position = pdf.index(b"%PDF-") + 5
    pdf[position:position + 3] = b"1.4"
    status = validate(bytes(pdf), certificate)
    assert not status.intact and not status.bottom_line


@pytest.mark.django_db
def test_a_signature_by_another_certificate_is_not_trusted(settings, tmp_path):
    key_path, cert_path, _certificate = make_key_and_certificate(tmp_path)
    other = tmp_path / "other"
    other.mkdir()
    _k, _c, stranger = make_key_and_certificate(other)
    configure(settings, key_path, cert_path)
    status = validate(render_minutes(build_results_world().world.cycle), stranger)
    assert status.intact and not status.trusted


@pytest.mark.django_db
def test_an_unencrypted_key_needs_no_passphrase(settings, tmp_path):
    key_path, cert_path, certificate = make_key_and_certificate(tmp_path, passphrase="")
    configure(settings, key_path, cert_path, passphrase="")
    status = validate(render_minutes(build_results_world().world.cycle), certificate)
    assert status.valid


@pytest.mark.django_db
def test_a_wrong_passphrase_is_a_configuration_error_not_an_unsigned_pdf(settings, tmp_path):
    key_path, cert_path, _der = make_key_and_certificate(tmp_path)
    configure(settings, key_path, cert_path, passphrase="mauvaise")
    with pytest.raises(ImproperlyConfigured, match="PINS_SIGNING_KEY"):
        render_minutes(build_results_world().world.cycle)


@pytest.mark.django_db
def test_a_missing_certificate_file_is_named(settings, tmp_path):
    key_path, _cert, _der = make_key_and_certificate(tmp_path)
    configure(settings, key_path, tmp_path / "absent.pem")
    with pytest.raises(ImproperlyConfigured, match="PINS_SIGNING_CERT: cannot read"):
        render_minutes(build_results_world().world.cycle)


@pytest.mark.django_db
def test_staff_download_signed_minutes(client, settings, tmp_path):
    key_path, cert_path, certificate = make_key_and_certificate(tmp_path)
    configure(settings, key_path, cert_path)
    built = build_results_world()
    client.force_login(built.world.committee_member)
    response = client.get("/rapports/bp-test/proces-verbal.pdf")
    assert response.status_code == 200
    assert validate(response.content, certificate).valid
