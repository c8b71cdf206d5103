"""Checks that a GenerateDataKeyPair private key (PKCS#8 DER) belongs to its public key
(SubjectPublicKeyInfo DER). In: private_key, public_key. Out: matches (bool), kind ("RSA-<bits>"
or "EC-<curve>")."""

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

import exchange


def main():
    req = exchange.read()
    private = serialization.load_der_private_key(exchange.blob(req, "private_key"), password=None)
    public_der = exchange.blob(req, "public_key")
    derived = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if isinstance(private, rsa.RSAPrivateKey):
        kind = f"RSA-{private.key_size}"
    elif isinstance(private, ec.EllipticCurvePrivateKey):
        kind = f"EC-{private.curve.name}"
    else:
        kind = type(private).__name__
    exchange.reply(matches=derived == public_der, kind=kind)


main()
