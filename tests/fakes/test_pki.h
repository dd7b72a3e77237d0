// A certificate authority made in a test, with OpenSSL: a CA and leaf certificates with the
// subject alternative names, validity and issuer a test needs (an unknown CA, an expired or
// not yet valid certificate, a wrong name), written as PEM files into a folder of the test.
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace wissel::testing {

struct CertificateFiles {
  std::string certificate_file;
  std::string private_key_file;
};

class TestPki {
 public:
  // A new CA named `name`; its certificate is written to DIR/NAME-ca.pem. `dir` must exist.
  TestPki(std::string dir, std::string name);
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  const std::string& ca_file() const { return ca_file_; }

  // A certificate for `sans` ("DNS:localhost", "IP:127.0.0.1", "URI:spiffe://x/y"), valid from
  // now + not_before to now + not_after, written to DIR/FILE_NAME.pem and .key. Issued for
  // both server and client use.
  CertificateFiles Issue(const std::string& file_name, const std::vector<std::string>& sans,
                         absl::Duration not_before = absl::Hours(-1),
                         absl::Duration not_after = absl::Hours(24)) const;

 private:
  std::string dir_;
  std::string name_;
  std::string ca_file_;
  EVP_PKEY* ca_key_ = nullptr;
  X509* ca_cert_ = nullptr;
};

}  // namespace wissel::testing
