#!/usr/bin/env bash
# Makes a development CA and certificates for a Wissel on one machine, with openssl, in DIR
# (default .run/tls): ca.pem, and NAME.pem + NAME.key for
#   wisseld          the router (server, and client towards other routers): localhost, 127.0.0.1
#   wisselctl        the operator's command line     spiffe://wissel.dev/wisselctl
#   adapter-chat     wissel-chat                     spiffe://wissel.dev/adapter/chat
#   adapter-webform  wissel-webform                  spiffe://wissel.dev/adapter/webform
#   adapter-balie    wissel-balie                    spiffe://wissel.dev/adapter/balie
#   adapter-sip      wissel-sip                      spiffe://wissel.dev/adapter/sip
# config/example/wissel.yaml grants these names their roles. Existing files are kept (delete DIR
# to start over); certificates are valid for 90 days and remade when less than 7 days are left.
# Never use these outside development: the CA key lies next to them.
set -euo pipefail
DIR=${1:-.run/tls}
mkdir -p "$DIR"
chmod 700 "$DIR"
cd "$DIR"
umask 077

valid() { [[ -s "$1" ]] && openssl x509 -in "$1" -noout -checkend $((7 * 86400)) >/dev/null 2>&1; }

if ! valid ca.pem || [[ ! -s ca.key ]]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
    -out ca.pem -days 90 -subj "/O=Wissel development/CN=Wissel development CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    2>/dev/null
  rm -f ./*.srl
  # A new CA: every certificate is made again.
  find . -maxdepth 1 -name '*.pem' ! -name ca.pem -delete
fi

issue() {  # NAME SUBJECT_ALT_NAMES EXTENDED_KEY_USAGE
  local name=$1 san=$2 usage=$3
  valid "$name.pem" && [[ -s "$name.key" ]] && return 0
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$name.key" \
    -out "$name.csr" -subj "/O=Wissel development/CN=$name" 2>/dev/null
  openssl x509 -req -in "$name.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 90 \
    -out "$name.pem" -extfile <(printf '%s\n' "subjectAltName=$san" \
      "keyUsage=critical,digitalSignature" "extendedKeyUsage=$usage" \
      "basicConstraints=critical,CA:FALSE") 2>/dev/null
  rm -f "$name.csr"
}

issue wisseld "DNS:localhost,IP:127.0.0.1,IP:::1" serverAuth,clientAuth
issue wisselctl "URI:spiffe://wissel.dev/wisselctl" clientAuth
for adapter in chat webform balie sip; do
  issue "adapter-$adapter" "URI:spiffe://wissel.dev/adapter/$adapter" clientAuth
done
chmod 600 ./*.key
chmod 644 ./*.pem
