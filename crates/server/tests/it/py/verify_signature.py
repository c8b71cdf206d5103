"""Verifies a KMS Sign result with the public key GetPublicKey returned (SubjectPublicKeyInfo
DER), independently of trailstack. In: public_key, algorithm (KMS SigningAlgorithm), message,
message_type (RAW or DIGEST), signature. Out: valid (bool)."""

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, utils

import exchange

HASHES = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}


def main():
    req = exchange.read()
    key = serialization.load_der_public_key(exchange.blob(req, "public_key"))
    alg = req["algorithm"]
    digest = HASHES[alg[-3:]]()
    chosen = utils.Prehashed(digest) if req["message_type"] == "DIGEST" else digest
    message, signature = exchange.blob(req, "message"), exchange.blob(req, "signature")
    try:
        if alg.startswith("RSASSA_PSS_"):
            pss = padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size)
            key.verify(signature, message, pss, chosen)
        elif alg.startswith("RSASSA_PKCS1_V1_5_"):
            key.verify(signature, message, padding.PKCS1v15(), chosen)
        elif alg.startswith("ECDSA_"):
            key.verify(signature, message, ec.ECDSA(chosen))
        else:
            raise SystemExit(f"unknown algorithm {alg}")
        valid = True
    except InvalidSignature:
        valid = False
    exchange.reply(valid=valid, curve=getattr(getattr(key, "curve", None), "name", None))


main()
