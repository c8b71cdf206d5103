"""Opens an AES-256-GCM ciphertext with a key known outside KMS (imported key material), to
show that KMS really encrypted under that material. In: key, nonce, ciphertext (with tag),
aad. Out: plaintext."""

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

import exchange


def main():
    req = exchange.read()
    aead = AESGCM(exchange.blob(req, "key"))
    plain = aead.decrypt(exchange.blob(req, "nonce"), exchange.blob(req, "ciphertext"), exchange.blob(req, "aad"))
    exchange.reply(plaintext=plain)


main()
