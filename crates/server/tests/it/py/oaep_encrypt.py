"""Encrypts a plaintext with RSAES-OAEP under the public key of an RSA KMS key (GetPublicKey's
SubjectPublicKeyInfo DER), as a client would before calling KMS Decrypt. In: public_key,
algorithm (RSAES_OAEP_SHA_1 or RSAES_OAEP_SHA_256), plaintext. Out: ciphertext."""

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

import exchange

HASHES = {"RSAES_OAEP_SHA_1": hashes.SHA1, "RSAES_OAEP_SHA_256": hashes.SHA256}


def main():
    req = exchange.read()
    key = serialization.load_der_public_key(exchange.blob(req, "public_key"))
    h = HASHES[req["algorithm"]]
    oaep = padding.OAEP(mgf=padding.MGF1(h()), algorithm=h(), label=None)
    exchange.reply(ciphertext=key.encrypt(exchange.blob(req, "plaintext"), oaep))


main()
