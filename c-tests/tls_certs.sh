#!/bin/sh
# Makes the certificates of the TLS interop tests (c-tests/tls_interop.sh)
# with the openssl CLI, into the directory given (created if missing):
#
#   ca.pem ca.key             a private CA ("sptcp test CA")
#   server.pem server.key     CN=localhost, SAN DNS:localhost, IP:127.0.0.1, signed by the CA
#                             (server.key PKCS#8 RSA; server-rsa1.key the same key as PKCS#1)
#   server-ec.pem server-ec.key  the same names, an ECDSA P-256 key in SEC1 form
#   expired.pem expired.key   the same names, valid only in January 2020, signed by the CA
#   wrong.pem wrong.key       CN=wrong.example, SAN DNS:wrong.example, signed by the CA
#   self.pem self.key         CN=localhost, SAN DNS:localhost, IP:127.0.0.1, self-signed
#                             (as `openssl req -x509` makes it: CA:TRUE)
#   selfleaf.pem selfleaf.key the same, self-signed but CA:FALSE (a leaf, serverAuth)
#
# OpenSSL 3.0 has no -not_before/-not_after, so the expired one is signed by
# `openssl ca` with -startdate/-enddate in the past. No system openssl.cnf is read.
set -eu
out=${1:?usage: tls_certs.sh DIR}
openssl=${OPENSSL:-openssl}
mkdir -p "$out"
cd "$out"
rm -rf ca-db
mkdir ca-db
: > ca-db/index.txt
echo 1000 > ca-db/serial

cat > openssl.cnf <<'EOF'
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_ca ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_self ]
basicConstraints = critical, CA:TRUE
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:localhost, IP:127.0.0.1
[ v3_server ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:localhost, IP:127.0.0.1
[ v3_wrong ]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:wrong.example
[ ca ]
default_ca = test_ca
[ test_ca ]
database = ca-db/index.txt
new_certs_dir = ca-db
serial = ca-db/serial
default_md = sha256
policy = any_name
unique_subject = no
copy_extensions = none
email_in_dn = no
[ any_name ]
commonName = supplied
EOF
export OPENSSL_CONF="$PWD/openssl.cnf"

q() { "$@" 2>/dev/null || { echo "tls_certs.sh: failed: $*" >&2; "$@"; exit 1; }; }

# The CA.
q "$openssl" req -x509 -config openssl.cnf -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem \
    -subj "/CN=sptcp test CA" -days 3650 -sha256 -extensions v3_ca

# A leaf signed by the CA: sign NAME KEYSPEC EXT DAYS SUBJECT
sign() {
    q "$openssl" req -new -config openssl.cnf -newkey "$2" -nodes -keyout "$1.key" -out "$1.csr" -subj "$5"
    q "$openssl" x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -set_serial "$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')" \
        -days "$4" -sha256 -extfile openssl.cnf -extensions "$3" -out "$1.pem"
    rm -f "$1.csr"
}
sign server rsa:2048 v3_server 3650 "/CN=localhost"
sign wrong rsa:2048 v3_wrong 3650 "/CN=wrong.example"

# The same RSA key as PKCS#1 ("BEGIN RSA PRIVATE KEY", as Godot's Crypto writes it).
q "$openssl" rsa -in server.key -traditional -out server-rsa1.key

# An ECDSA P-256 leaf with a SEC1 key ("BEGIN EC PRIVATE KEY").
q "$openssl" ecparam -name prime256v1 -genkey -noout -out server-ec.key
q "$openssl" req -new -config openssl.cnf -key server-ec.key -out server-ec.csr -subj "/CN=localhost"
q "$openssl" x509 -req -in server-ec.csr -CA ca.pem -CAkey ca.key -set_serial 4242 \
    -days 3650 -sha256 -extfile openssl.cnf -extensions v3_server -out server-ec.pem
rm -f server-ec.csr

# Expired: valid from 2020-01-01 to 2020-02-01, signed by the CA with `openssl ca`.
q "$openssl" req -new -config openssl.cnf -newkey rsa:2048 -nodes -keyout expired.key -out expired.csr \
    -subj "/CN=localhost"
q "$openssl" ca -batch -config openssl.cnf -cert ca.pem -keyfile ca.key -in expired.csr -out expired.pem \
    -startdate 20200101000000Z -enddate 20200201000000Z -extensions v3_server -notext
rm -f expired.csr

# Self-signed, the usual way.
q "$openssl" req -x509 -config openssl.cnf -newkey rsa:2048 -nodes -keyout self.key -out self.pem \
    -subj "/CN=localhost" -days 3650 -sha256 -extensions v3_self

q "$openssl" req -x509 -config openssl.cnf -newkey rsa:2048 -nodes -keyout selfleaf.key -out selfleaf.pem \
    -subj "/CN=localhost" -days 3650 -sha256 -extensions v3_server

# Sanity: the chain verifies, the expired one is expired, the self-signed one is not from the CA.
q "$openssl" verify -CAfile ca.pem server.pem server-ec.pem wrong.pem > /dev/null
if "$openssl" verify -CAfile ca.pem expired.pem > /dev/null 2>&1; then
    echo "tls_certs.sh: expired.pem verifies, it should not" >&2
    exit 1
fi
for f in self.pem selfleaf.pem; do
    if "$openssl" verify -CAfile ca.pem "$f" > /dev/null 2>&1; then
        echo "tls_certs.sh: $f verifies against the CA, it should not" >&2
        exit 1
    fi
done
echo "tls_certs.sh: certificates in $out"
