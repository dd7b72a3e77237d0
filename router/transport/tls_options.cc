#include "router/transport/tls_options.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace wissel::transport {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};

std::string Field(absl::string_view prefix, absl::string_view name) {
  if (prefix.empty()) return std::string(name);
  if (absl::StartsWith(prefix, "--")) {
    // Flags use the short names: --router_cert_file, --key_file.
    if (name == "certificate_file") name = "cert_file";
    if (name == "private_key_file") name = "key_file";
    if (prefix == "--") return absl::StrCat("--", name);
  }
  // Flags read "--router_ca_file"; configuration keys "tls.ca_file".
  return absl::StartsWith(prefix, "--") ? absl::StrCat(prefix, "_", name)
                                        : absl::StrCat(prefix, ".", name);
}

absl::StatusOr<std::unique_ptr<BIO, BioFree>> OpenPem(const std::string& path,
                                                      const std::string& field) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_file(path.c_str(), "r"));
  if (bio == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": cannot read '", path, "'"));
  }
  return bio;
}

// The first certificate of a PEM file (a chain starts with the leaf).
absl::StatusOr<std::unique_ptr<X509, X509Free>> ReadCertificate(const std::string& path,
                                                                const std::string& field) {
  absl::StatusOr<std::unique_ptr<BIO, BioFree>> bio = OpenPem(path, field);
  if (!bio.ok()) return bio.status();
  std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio->get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": '", path, "' holds no PEM certificate"));
  }
  return cert;
}

absl::Status CheckCertificateAndKey(const std::string& certificate_file,
                                    const std::string& private_key_file, absl::string_view prefix) {
  const std::string cert_field = Field(prefix, "certificate_file");
  const std::string key_field = Field(prefix, "private_key_file");
  if (certificate_file.empty() != private_key_file.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(certificate_file.empty() ? cert_field : key_field, ": is required with ",
                     certificate_file.empty() ? key_field : cert_field));
  }
  if (certificate_file.empty()) return absl::OkStatus();
  absl::StatusOr<std::unique_ptr<X509, X509Free>> cert =
      ReadCertificate(certificate_file, cert_field);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::unique_ptr<BIO, BioFree>> bio = OpenPem(private_key_file, key_field);
  if (!bio.ok()) return bio.status();
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      PEM_read_bio_PrivateKey(bio->get(), nullptr, nullptr, nullptr));
  if (key == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(key_field, ": '", private_key_file,
                                                   "' holds no (unencrypted) PEM private key"));
  }
  if (X509_check_private_key(cert->get(), key.get()) != 1) {
    return absl::InvalidArgumentError(absl::StrCat(key_field, ": '", private_key_file,
                                                   "' is not the key of '", certificate_file, "'"));
  }
  return absl::OkStatus();
}

absl::Status CheckCaFile(const std::string& path, const std::string& field) {
  return ReadCertificate(path, field).status();
}

// The host part of a gRPC target or listen address, without a scheme or port.
std::string HostOf(absl::string_view address) {
  for (absl::string_view scheme : {"ipv4:", "ipv6:", "dns:///", "dns:"}) {
    if (absl::ConsumePrefix(&address, scheme)) break;
  }
  if (absl::ConsumePrefix(&address, "[")) {
    return std::string(address.substr(0, address.find(']')));
  }
  const size_t colon = address.rfind(':');
  return std::string(colon == absl::string_view::npos ? address : address.substr(0, colon));
}

}  // namespace

bool IsLoopbackAddress(absl::string_view address) {
  if (absl::StartsWith(address, "unix:") || absl::StartsWith(address, "unix-abstract:")) {
    return true;
  }
  const std::string host = HostOf(address);
  if (host == "localhost" || host == "::1") return true;
  std::vector<absl::string_view> octets = absl::StrSplit(host, '.');
  if (octets.size() != 4 || octets[0] != "127") return false;
  for (absl::string_view o : octets) {
    int value = 0;
    if (!absl::SimpleAtoi(o, &value) || value < 0 || value > 255) return false;
  }
  return true;
}

absl::Status ValidateServerTls(const ServerTls& tls, absl::string_view listen_address,
                               absl::string_view prefix) {
  if (tls.plaintext) {
    if (!IsLoopbackAddress(listen_address)) {
      return absl::InvalidArgumentError(
          absl::StrCat(Field(prefix, "plaintext"), ": allowed only on a loopback address, not '",
                       listen_address, "'; configure a certificate and key"));
    }
    return absl::OkStatus();
  }
  if (tls.certificate_file.empty() && tls.private_key_file.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Field(prefix, "certificate_file"),
                     ": is required (TLS is on unless plaintext is set for loopback)"));
  }
  if (absl::Status s = CheckCertificateAndKey(tls.certificate_file, tls.private_key_file, prefix);
      !s.ok()) {
    return s;
  }
  if (tls.require_client_certificate && tls.client_ca_file.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        Field(prefix, "client_ca_file"), ": is required with require_client_certificate"));
  }
  if (!tls.client_ca_file.empty()) {
    if (absl::Status s = CheckCaFile(tls.client_ca_file, Field(prefix, "client_ca_file"));
        !s.ok()) {
      return s;
    }
  }
  if (tls.refresh_interval < absl::Seconds(1)) {
    return absl::InvalidArgumentError(
        absl::StrCat(Field(prefix, "refresh_interval"), ": at least 1s"));
  }
  return absl::OkStatus();
}

absl::Status ValidateClientTls(const ClientTls& tls, absl::string_view target,
                               absl::string_view prefix) {
  if (tls.plaintext) {
    if (!IsLoopbackAddress(target)) {
      return absl::InvalidArgumentError(absl::StrCat(Field(prefix, "plaintext"),
                                                     ": allowed only towards a loopback address, "
                                                     "not '",
                                                     target, "'"));
    }
    if (!tls.token_file.empty()) {
      // gRPC sends call credentials only over a secure channel.
      return absl::InvalidArgumentError(absl::StrCat(
          Field(prefix, "token_file"), ": needs TLS (a token is never sent in clear)"));
    }
    return absl::OkStatus();
  }
  if (tls.ca_file.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Field(prefix, "ca_file"), ": is required (TLS is on unless plaintext)"));
  }
  if (absl::Status s = CheckCaFile(tls.ca_file, Field(prefix, "ca_file")); !s.ok()) return s;
  if (absl::Status s = CheckCertificateAndKey(tls.certificate_file, tls.private_key_file, prefix);
      !s.ok()) {
    return s;
  }
  if (!tls.token_file.empty()) {
    if (std::FILE* f = std::fopen(tls.token_file.c_str(), "r")) {
      std::fclose(f);
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat(Field(prefix, "token_file"), ": cannot read '", tls.token_file, "'"));
    }
  }
  if (tls.refresh_interval < absl::Seconds(1)) {
    return absl::InvalidArgumentError(
        absl::StrCat(Field(prefix, "refresh_interval"), ": at least 1s"));
  }
  return absl::OkStatus();
}

}  // namespace wissel::transport
