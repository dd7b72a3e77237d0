// Test certificates made with the OpenSSL API in a temporary folder: a self-signed P-256
// certificate for 127.0.0.1 and localhost with a chosen common name, for tests of the HTTPS
// adapters (unit and end-to-end). Nothing is downloaded, nothing outlives the test's folder.
#pragma once

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <string>

namespace wissel::adapters::testing {

// Writes a new key to `key_path` and its self-signed certificate (CN=`common_name`, SAN
// IP:127.0.0.1 and DNS:localhost, valid from an hour ago for a day) to `cert_path`. False when
// OpenSSL or a file fails.
inline bool WriteSelfSignedCertificate(const std::string& cert_path, const std::string& key_path,
                                       const std::string& common_name) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  if (key == nullptr) return false;
  X509* cert = X509_new();
  bool ok = cert != nullptr;
  if (ok) {
    static long serial = 1;  // NOLINT(google-runtime-int): OpenSSL's type
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), serial++);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* name = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                               0);
    X509_set_issuer_name(cert, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    for (const auto& [nid, value] :
         {std::pair<int, const char*>{NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"},
          {NID_basic_constraints, "critical,CA:TRUE"}}) {
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
      ok = ok && ext != nullptr && X509_add_ext(cert, ext, -1) == 1;
      X509_EXTENSION_free(ext);
    }
    ok = ok && X509_sign(cert, key, EVP_sha256()) > 0;
  }
  if (ok) {
    // Written to temporary names and renamed: a server reloading never sees half a file.
    const std::string cert_tmp = cert_path + ".tmp";
    const std::string key_tmp = key_path + ".tmp";
    FILE* c = std::fopen(cert_tmp.c_str(), "w");
    FILE* k = std::fopen(key_tmp.c_str(), "w");
    ok = c != nullptr && k != nullptr && PEM_write_X509(c, cert) == 1 &&
         PEM_write_PrivateKey(k, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
    if (c != nullptr) std::fclose(c);
    if (k != nullptr) std::fclose(k);
    ok = ok && std::rename(key_tmp.c_str(), key_path.c_str()) == 0 &&
         std::rename(cert_tmp.c_str(), cert_path.c_str()) == 0;
  }
  X509_free(cert);
  EVP_PKEY_free(key);
  return ok;
}

}  // namespace wissel::adapters::testing
