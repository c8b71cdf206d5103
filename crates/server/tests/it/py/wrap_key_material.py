"""Wraps key material for ImportKeyMaterial with the wrapping public key GetParametersForImport
returned, as AWS documents for each WrappingAlgorithm: RSAES_OAEP_SHA_* encrypts the material
directly; RSA_AES_KEY_WRAP_SHA_* encrypts a fresh AES-256 key with RSAES-OAEP and appends the
material wrapped by it (AES key wrap with padding, RFC 5649). In: public_key, algorithm,
material. Out: wrapped."""

import os

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.keywrap import aes_key_wrap_with_padding

import exchange


def main():
    req = exchange.read()
    key = serialization.load_der_public_key(exchange.blob(req, "public_key"))
    alg, material = req["algorithm"], exchange.blob(req, "material")
    h = hashes.SHA1 if alg.endswith("SHA_1") else hashes.SHA256
    oaep = padding.OAEP(mgf=padding.MGF1(h()), algorithm=h(), label=None)
    if alg.startswith("RSAES_OAEP_"):
        wrapped = key.encrypt(material, oaep)
    elif alg.startswith("RSA_AES_KEY_WRAP_"):
        aes = os.urandom(32)
        wrapped = key.encrypt(aes, oaep) + aes_key_wrap_with_padding(aes, material)
    else:
        raise SystemExit(f"unknown algorithm {alg}")
    exchange.reply(wrapped=wrapped)


main()
