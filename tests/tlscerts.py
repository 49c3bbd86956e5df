"""Test certificates, made at test time with the ``openssl`` command.

``make_certs(directory)`` writes a small PKI into ``directory`` and returns a
:class:`Certs` with the PEM texts and file paths:

* ``ca``: a self-signed root (EC P-256), trusted by the tests that pass it as ``ca``;
* ``leaf``: ``localhost`` (SAN DNS:localhost, IP:127.0.0.1, IP:::1) signed by ``ca``;
* ``wrong``: signed by ``ca`` for ``wrong.example`` only;
* ``expired``: ``localhost`` signed by ``ca``, validity ended yesterday;
* ``self``: a self-signed ``localhost`` certificate;
* ``client`` / ``client_other``: client certificates from ``ca`` / from ``other_ca``;
* ``inter`` and ``chained``: an intermediate CA under ``ca`` and a ``localhost``
  leaf under it (``chained_chain`` is leaf + intermediate);
* ``other_leaf``: ``localhost`` signed by ``other_ca``, which nobody trusts;
* ``rsa``: an RSA-2048 ``localhost`` leaf signed by ``ca`` (for the X.509 fields);
* ``leaf_encrypted_key``: ``leaf``'s key encrypted with the passphrase ``secret``;
* ``crl``: a CRL from ``ca`` that revokes ``revoked`` (a ``localhost`` leaf).

Each name has ``<name>_key`` too. Nothing here imports nodenet.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from typing import Dict, List, Optional

OPENSSL = shutil.which("openssl")

_EXT = """
[ca]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
[inter]
basicConstraints=critical,CA:TRUE,pathlen:0
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
[leaf]
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
authorityKeyIdentifier=keyid
[wrong]
basicConstraints=critical,CA:FALSE
extendedKeyUsage=serverAuth
subjectAltName=DNS:wrong.example,DNS:*.wild.example
[client]
basicConstraints=critical,CA:FALSE
extendedKeyUsage=clientAuth
subjectAltName=email:client@example.org
[self]
basicConstraints=critical,CA:FALSE
subjectAltName=DNS:localhost,IP:127.0.0.1
"""


class Certs:
    """PEM texts (``certs.leaf``, ``certs.leaf_key``) and paths (``certs.path('leaf')``)."""

    def __init__(self, directory: str, pems: Dict[str, str]) -> None:
        self.directory = directory
        self.pems = pems

    def __getattr__(self, name: str) -> str:
        try:
            return self.pems[name]
        except KeyError:
            raise AttributeError(name) from None

    def path(self, name: str) -> str:
        """The file of ``name``: ``path('leaf')`` is leaf.pem, ``path('leaf_key')`` leaf.key."""
        if name.endswith("_key"):
            return os.path.join(self.directory, name[:-4] + ".key")
        return os.path.join(self.directory, name + ".pem")


def _run(args: List[str], cwd: str) -> None:
    assert OPENSSL is not None
    subprocess.run([OPENSSL] + args, cwd=cwd, check=True, capture_output=True, timeout=60)


def _key(cwd: str, name: str, rsa: bool = False) -> None:
    if rsa:
        _run(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
              "-out", f"{name}.key"], cwd)
    else:
        _run(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
              "-out", f"{name}.key"], cwd)


def _self_signed(cwd: str, name: str, subject: str, ext: str, days: str = "3650") -> None:
    _key(cwd, name)
    _run(["req", "-new", "-key", f"{name}.key", "-subj", subject, "-out", f"{name}.csr"], cwd)
    _run(["x509", "-req", "-in", f"{name}.csr", "-signkey", f"{name}.key", "-days", days,
          "-extfile", "ext.cnf", "-extensions", ext, "-set_serial", "0x0101",
          "-out", f"{name}.pem"], cwd)


def _signed(cwd: str, name: str, subject: str, ext: str, issuer: str, serial: str,
            days: str = "825", rsa: bool = False) -> None:
    _key(cwd, name, rsa)
    _run(["req", "-new", "-key", f"{name}.key", "-subj", subject, "-out", f"{name}.csr"], cwd)
    _run(["x509", "-req", "-in", f"{name}.csr", "-CA", f"{issuer}.pem", "-CAkey",
          f"{issuer}.key", "-set_serial", serial, "-days", days, "-extfile", "ext.cnf",
          "-extensions", ext, "-out", f"{name}.pem"], cwd)


def make_certs(directory: str) -> Certs:
    """Write the test PKI into ``directory`` (which must exist)."""
    with open(os.path.join(directory, "ext.cnf"), "w") as f:
        f.write(_EXT)
    _self_signed(directory, "ca", "/C=US/O=nodenet/CN=nodenet Test CA", "ca")
    _self_signed(directory, "other_ca", "/O=elsewhere/CN=Other CA", "ca")
    _signed(directory, "leaf", "/C=US/ST=CA/L=SF/O=nodenet/OU=tests/CN=localhost", "leaf",
            "ca", "0x1001")
    _signed(directory, "wrong", "/O=nodenet/CN=wrong.example", "wrong", "ca", "0x1002")
    _signed(directory, "expired", "/O=nodenet/CN=localhost", "leaf", "ca", "0x1003", days="-1")
    _self_signed(directory, "self", "/O=nodenet/CN=localhost", "self")
    _signed(directory, "client", "/O=nodenet/CN=client", "client", "ca", "0x1004")
    _signed(directory, "client_other", "/O=elsewhere/CN=stranger", "client", "other_ca",
            "0x2001")
    _signed(directory, "inter", "/O=nodenet/CN=nodenet Intermediate", "inter", "ca", "0x1005")
    _signed(directory, "chained", "/O=nodenet/CN=localhost", "leaf", "inter", "0x3001")
    _signed(directory, "other_leaf", "/O=elsewhere/CN=localhost", "leaf", "other_ca", "0x2002")
    _signed(directory, "rsa", "/O=nodenet/CN=localhost", "leaf", "ca", "0x1006", rsa=True)
    _signed(directory, "revoked", "/O=nodenet/CN=localhost", "leaf", "ca", "0x1007")
    _run(["pkey", "-in", "leaf.key", "-aes256", "-passout", "pass:secret",
          "-out", "leaf_encrypted.key"], directory)
    _crl(directory)
    pems: Dict[str, str] = {}
    for entry in sorted(os.listdir(directory)):
        stem, ext = os.path.splitext(entry)
        if ext == ".pem":
            pems[stem] = _read(directory, entry)
        elif ext == ".key":
            pems[stem + "_key"] = _read(directory, entry)
    pems["chained_chain"] = pems["chained"] + pems["inter"]
    with open(os.path.join(directory, "chained_chain.pem"), "w") as f:
        f.write(pems["chained_chain"])
    return Certs(directory, pems)


def _crl(cwd: str) -> None:
    """A CRL signed by ``ca`` listing ``revoked`` (``openssl ca`` needs a small database)."""
    with open(os.path.join(cwd, "index.txt"), "w"):
        pass
    with open(os.path.join(cwd, "crlnumber"), "w") as f:
        f.write("1000\n")
    with open(os.path.join(cwd, "ca.cnf"), "w") as f:
        f.write("[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\ncrlnumber=crlnumber\n"
                "default_md=sha256\ndefault_crl_days=30\n")
    _run(["ca", "-config", "ca.cnf", "-keyfile", "ca.key", "-cert", "ca.pem",
          "-revoke", "revoked.pem"], cwd)
    _run(["ca", "-config", "ca.cnf", "-keyfile", "ca.key", "-cert", "ca.pem", "-gencrl",
          "-out", "crl.pem"], cwd)


def _read(directory: str, name: str) -> str:
    with open(os.path.join(directory, name)) as f:
        return f.read()


def maybe_make_certs(directory: str) -> Optional[Certs]:
    """``make_certs``, or None when there is no ``openssl`` command."""
    if OPENSSL is None:
        return None
    return make_certs(directory)
