#include "tests/fakes/test_pki.h"

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace wissel::testing {
namespace {

// Test setup that cannot go on: the test fails loudly rather than run without its certificates.
void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "TestPki: %s failed\n", what);
    std::abort();
  }
}

EVP_PKEY* NewKey() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  Check(key != nullptr, "EVP_EC_gen");
  return key;
}

void AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  Check(ext != nullptr, "X509V3_EXT_conf_nid");
  Check(X509_add_ext(cert, ext, -1) == 1, "X509_add_ext");
  X509_EXTENSION_free(ext);
}

X509* NewCertificate(const std::string& common_name, EVP_PKEY* key, absl::Duration not_before,
                     absl::Duration not_after) {
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  unsigned char serial[16];
  RAND_bytes(serial, sizeof(serial));
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof(serial), nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert), absl::ToInt64Seconds(not_before));
  X509_gmtime_adj(X509_getm_notAfter(cert), absl::ToInt64Seconds(not_after));
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Wissel test"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  return cert;
}

void WritePem(const std::string& path, X509* cert) {
  FILE* f = std::fopen(path.c_str(), "w");
  Check(f != nullptr, "fopen certificate");
  Check(PEM_write_X509(f, cert) == 1, "PEM_write_X509");
  std::fclose(f);
}

void WriteKey(const std::string& path, EVP_PKEY* key) {
  FILE* f = std::fopen(path.c_str(), "w");
  Check(f != nullptr, "fopen key");
  Check(PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "PEM_write_PrivateKey");
  std::fclose(f);
}

}  // namespace

TestPki::TestPki(std::string dir, std::string name) : dir_(std::move(dir)), name_(std::move(name)) {
  ca_key_ = NewKey();
  ca_cert_ = NewCertificate(name_ + " CA", ca_key_, absl::Hours(-2), absl::Hours(24 * 30));
  X509_set_issuer_name(ca_cert_, X509_get_subject_name(ca_cert_));
  AddExtension(ca_cert_, ca_cert_, NID_basic_constraints, "critical,CA:TRUE");
  AddExtension(ca_cert_, ca_cert_, NID_key_usage, "critical,keyCertSign,cRLSign");
  AddExtension(ca_cert_, ca_cert_, NID_subject_key_identifier, "hash");
  Check(X509_sign(ca_cert_, ca_key_, EVP_sha256()) > 0, "X509_sign CA");
  ca_file_ = absl::StrCat(dir_, "/", name_, "-ca.pem");
  WritePem(ca_file_, ca_cert_);
}

TestPki::~TestPki() {
  X509_free(ca_cert_);
  EVP_PKEY_free(ca_key_);
}

CertificateFiles TestPki::Issue(const std::string& file_name, const std::vector<std::string>& sans,
                                absl::Duration not_before, absl::Duration not_after) const {
  EVP_PKEY* key = NewKey();
  X509* cert = NewCertificate(file_name, key, not_before, not_after);
  X509_set_issuer_name(cert, X509_get_subject_name(ca_cert_));
  AddExtension(cert, ca_cert_, NID_basic_constraints, "critical,CA:FALSE");
  AddExtension(cert, ca_cert_, NID_key_usage, "critical,digitalSignature");
  AddExtension(cert, ca_cert_, NID_ext_key_usage, "serverAuth,clientAuth");
  AddExtension(cert, ca_cert_, NID_authority_key_identifier, "keyid");
  if (!sans.empty()) {
    AddExtension(cert, ca_cert_, NID_subject_alt_name, absl::StrJoin(sans, ","));
  }
  Check(X509_sign(cert, ca_key_, EVP_sha256()) > 0, "X509_sign");
  CertificateFiles files{absl::StrCat(dir_, "/", file_name, ".pem"),
                         absl::StrCat(dir_, "/", file_name, ".key")};
  WritePem(files.certificate_file, cert);
  WriteKey(files.private_key_file, key);
  X509_free(cert);
  EVP_PKEY_free(key);
  return files;
}

}  // namespace wissel::testing
