#!/usr/bin/env python3
"""Cross-checks trailstack's KMS cryptography against Python `cryptography` (OpenSSL).

Driven by the Rust unit test `crypto::crosscheck`: it writes DIR/input.txt, runs
`python3 crosscheck.py DIR`, then reads DIR/output.txt. One record per line, fields separated
by spaces, byte strings in hex ("-" for empty). Input records:

  sig SPEC ALG MSGTYPE SPKI MESSAGE SIGNATURE   verify our signature with the public key
  pair SPEC PKCS8 SPKI                          our private key matches our public key
  oaep-dec ALG PKCS8 PLAINTEXT CIPHERTEXT       decrypt our RSA-OAEP ciphertext
  oaep NAME SPEC ALG SPKI LEN                   encrypt LEN random bytes for us to decrypt
  wrap NAME SPEC ALG SPKI LEN                   wrap LEN random bytes of key material for import
  ecdh NAME SPEC SPKI                           ECDH with a fresh key of ours; send both halves
  mac ALG KEY MESSAGE TAG                       HMAC tag check
  gcm KEY NONCE AAD CIPHERTEXT_WITH_TAG PLAIN   AES-256-GCM decryption

Output records (for the Rust side to check): `oaep NAME PLAINTEXT CIPHERTEXT`,
`wrap NAME MATERIAL WRAPPED`, `ecdh NAME PEER_SPKI SECRET`.
Exit status: 0 all checks passed, 1 a check failed, 77 `cryptography` is not installed.
"""

import os
import sys

try:
    from cryptography.exceptions import InvalidSignature, InvalidTag
    from cryptography.hazmat.primitives import hashes, hmac, keywrap, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
except ImportError as exc:  # pragma: no cover - depends on the machine
    print(f"python cryptography is not available: {exc}")
    sys.exit(77)

HASHES = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}
CURVES = {
    "ECC_NIST_P256": ec.SECP256R1,
    "ECC_NIST_P384": ec.SECP384R1,
    "ECC_NIST_P521": ec.SECP521R1,
    "ECC_SECG_P256K1": ec.SECP256K1,
}
RSA_BITS = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}
OAEP_HASHES = {
    "RSAES_OAEP_SHA_1": hashes.SHA1,
    "RSAES_OAEP_SHA_256": hashes.SHA256,
    "RSA_AES_KEY_WRAP_SHA_1": hashes.SHA1,
    "RSA_AES_KEY_WRAP_SHA_256": hashes.SHA256,
}
MAC_HASHES = {
    "HMAC_SHA_224": hashes.SHA224,
    "HMAC_SHA_256": hashes.SHA256,
    "HMAC_SHA_384": hashes.SHA384,
    "HMAC_SHA_512": hashes.SHA512,
}


def unhex(field):
    return b"" if field == "-" else bytes.fromhex(field)


def tohex(data):
    return data.hex() if data else "-"


def oaep_padding(alg):
    h = OAEP_HASHES[alg]
    return padding.OAEP(mgf=padding.MGF1(algorithm=h()), algorithm=h(), label=None)


def check_spec(spec, key):
    """The key (public or private) has the spec's type and size or curve."""
    if spec in RSA_BITS:
        assert isinstance(key, (rsa.RSAPublicKey, rsa.RSAPrivateKey)), f"{spec}: not RSA"
        assert key.key_size == RSA_BITS[spec], f"{spec}: size {key.key_size}"
    else:
        assert isinstance(key, (ec.EllipticCurvePublicKey, ec.EllipticCurvePrivateKey)), f"{spec}: not EC"
        assert isinstance(key.curve, CURVES[spec]), f"{spec}: curve {key.curve.name}"


def load_public(spec, spki):
    key = serialization.load_der_public_key(spki)
    check_spec(spec, key)
    # Our encoding is the canonical SubjectPublicKeyInfo.
    canonical = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    assert canonical == spki, f"{spec}: SubjectPublicKeyInfo is not canonical"
    return key


def verify_signature(key, alg, msgtype, message, signature):
    h = HASHES[alg.rsplit("_", 1)[1]]()
    if msgtype == "DIGEST":
        assert len(message) == h.digest_size, f"{alg}: digest length {len(message)}"
        hash_arg = utils.Prehashed(h)
    else:
        hash_arg = h
    if alg.startswith("RSASSA_PSS"):
        pss = padding.PSS(mgf=padding.MGF1(h), salt_length=h.digest_size)
        key.verify(signature, message, pss, hash_arg)
    elif alg.startswith("RSASSA_PKCS1_V1_5"):
        key.verify(signature, message, padding.PKCS1v15(), hash_arg)
    else:
        key.verify(signature, message, ec.ECDSA(hash_arg))


def do_sig(spec, alg, msgtype, spki, message, signature):
    key = load_public(spec, unhex(spki))
    message, signature = unhex(message), unhex(signature)
    if alg.startswith("RSASSA"):
        assert len(signature) == RSA_BITS[spec] // 8, f"{spec} {alg}: signature length"
    else:
        # DER Ecdsa-Sig-Value, as KMS returns; decoding raises on anything else.
        utils.decode_dss_signature(signature)
    verify_signature(key, alg, msgtype, message, signature)
    # The check is not vacuous: a one-bit change must fail.
    tampered = bytearray(signature)
    tampered[len(tampered) // 2] ^= 0x01
    try:
        verify_signature(key, alg, msgtype, message, bytes(tampered))
    except InvalidSignature:
        pass
    else:
        raise AssertionError(f"{spec} {alg}: a tampered signature verified")


def do_pair(spec, pkcs8, spki):
    private = serialization.load_der_private_key(unhex(pkcs8), password=None)
    check_spec(spec, private)
    ours = load_public(spec, unhex(spki))
    derived = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert derived == unhex(spki), f"{spec}: the private key does not match the public key"
    assert ours.public_numbers() == private.public_key().public_numbers()


def do_oaep_dec(alg, pkcs8, plaintext, ciphertext):
    private = serialization.load_der_private_key(unhex(pkcs8), password=None)
    got = private.decrypt(unhex(ciphertext), oaep_padding(alg))
    assert got == unhex(plaintext), f"{alg}: decryption of our ciphertext differs"


def do_oaep(out, name, spec, alg, spki, length):
    key = load_public(spec, unhex(spki))
    plaintext = os.urandom(int(length))
    ciphertext = key.encrypt(plaintext, oaep_padding(alg))
    out.append(f"oaep {name} {tohex(plaintext)} {tohex(ciphertext)}")


def do_wrap(out, name, spec, alg, spki, length):
    key = load_public(spec, unhex(spki))
    material = os.urandom(int(length))
    if alg.startswith("RSA_AES_KEY_WRAP"):
        aes_key = os.urandom(32)
        wrapped = key.encrypt(aes_key, oaep_padding(alg)) + keywrap.aes_key_wrap_with_padding(aes_key, material)
    else:
        wrapped = key.encrypt(material, oaep_padding(alg))
    out.append(f"wrap {name} {tohex(material)} {tohex(wrapped)}")


def do_ecdh(out, name, spec, spki):
    ours = load_public(spec, unhex(spki))
    peer = ec.generate_private_key(CURVES[spec]())
    secret = peer.exchange(ec.ECDH(), ours)
    peer_spki = peer.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    out.append(f"ecdh {name} {tohex(peer_spki)} {tohex(secret)}")


def do_mac(alg, key, message, tag):
    h = hmac.HMAC(unhex(key), MAC_HASHES[alg]())
    h.update(unhex(message))
    h.verify(unhex(tag))


def do_gcm(key, nonce, aad, ciphertext, plaintext):
    got = AESGCM(unhex(key)).decrypt(unhex(nonce), unhex(ciphertext), unhex(aad) or None)
    assert got == unhex(plaintext), "AES-GCM plaintext differs"
    tampered = bytearray(unhex(ciphertext))
    tampered[0] ^= 0x01
    try:
        AESGCM(unhex(key)).decrypt(unhex(nonce), bytes(tampered), unhex(aad) or None)
    except InvalidTag:
        pass
    else:
        raise AssertionError("AES-GCM accepted a tampered ciphertext")


HANDLERS = {
    "sig": (do_sig, False),
    "pair": (do_pair, False),
    "oaep-dec": (do_oaep_dec, False),
    "oaep": (do_oaep, True),
    "wrap": (do_wrap, True),
    "ecdh": (do_ecdh, True),
    "mac": (do_mac, False),
    "gcm": (do_gcm, False),
}


def main(directory):
    out, failures, checks = [], [], 0
    with open(os.path.join(directory, "input.txt"), encoding="ascii") as f:
        lines = [line.split() for line in f if line.strip()]
    for number, fields in enumerate(lines, 1):
        kind, args = fields[0], fields[1:]
        try:
            handler, writes = HANDLERS[kind]
            handler(out, *args) if writes else handler(*args)
            checks += 1
        except Exception as exc:  # report every failure, not only the first
            failures.append(f"line {number} ({' '.join(fields[:4])[:80]}): {type(exc).__name__}: {exc}")
    with open(os.path.join(directory, "output.txt"), "w", encoding="ascii") as f:
        f.write("\n".join(out) + "\n")
    for failure in failures:
        print("FAIL", failure)
    print(f"crosscheck: {checks} checks passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print("usage: crosscheck.py DIR")
        sys.exit(2)
    sys.exit(main(sys.argv[1]))
