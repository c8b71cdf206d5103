"""The peer's half of DeriveSharedSecret: makes an EC key pair on the curve of the KMS key's
public key (SubjectPublicKeyInfo DER) and derives the raw ECDH shared secret with it.
In: kms_public_key. Out: public_key (the peer's SPKI DER), shared_secret."""

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

import exchange


def main():
    req = exchange.read()
    kms_public = serialization.load_der_public_key(exchange.blob(req, "kms_public_key"))
    mine = ec.generate_private_key(kms_public.curve)
    secret = mine.exchange(ec.ECDH(), kms_public)
    public = mine.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    exchange.reply(public_key=public, shared_secret=secret)


main()
