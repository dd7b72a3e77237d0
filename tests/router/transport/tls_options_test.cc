#include "router/transport/tls_options.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fakes/test_pki.h"

namespace wissel::transport {
namespace {

using ::testing::HasSubstr;
using ::wissel::testing::CertificateFiles;
using ::wissel::testing::TestPki;

TEST(IsLoopbackAddressTest, OnlyThisMachine) {
  for (const char* yes : {"127.0.0.1:7450", "127.1.2.3:1", "localhost:7450", "[::1]:7450",
                          "unix:/tmp/wissel.sock", "ipv4:127.0.0.1:7450", "dns:///localhost:1"}) {
    EXPECT_TRUE(IsLoopbackAddress(yes)) << yes;
  }
  for (const char* no :
       {"0.0.0.0:7450", "[::]:7450", "10.0.0.1:7450", "wissel-router:7450", "128.0.0.1:1",
        "127.0.0.256:1", "127.0.0:1", "localhost.evil.nl:1", "dns:///wissel:7450", ""}) {
    EXPECT_FALSE(IsLoopbackAddress(no)) << no;
  }
}

class TlsOptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("wissel-tls-options-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    pki_ = std::make_unique<TestPki>(dir_.string(), "test");
    server_ = pki_->Issue("server", {"DNS:localhost"});
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path dir_;
  std::unique_ptr<TestPki> pki_;
  CertificateFiles server_;
};

TEST_F(TlsOptionsTest, PlaintextOnlyOnLoopback) {
  ServerTls plain{.plaintext = true};
  EXPECT_TRUE(ValidateServerTls(plain, "127.0.0.1:7450").ok());
  EXPECT_THAT(ValidateServerTls(plain, "0.0.0.0:7450").message(),
              HasSubstr("tls.plaintext: allowed only on a loopback address"));
  ClientTls client{.plaintext = true};
  EXPECT_TRUE(ValidateClientTls(client, "localhost:7450", "--router").ok());
  EXPECT_THAT(ValidateClientTls(client, "wissel:7450", "--router").message(),
              HasSubstr("--router_plaintext"));
  client.token_file = server_.certificate_file;
  EXPECT_THAT(ValidateClientTls(client, "localhost:7450", "--router").message(),
              HasSubstr("needs TLS"));
}

TEST_F(TlsOptionsTest, ServerNeedsAMatchingCertificateAndKey) {
  EXPECT_THAT(ValidateServerTls(ServerTls{}, "0.0.0.0:7450").message(),
              HasSubstr("tls.certificate_file: is required"));
  ServerTls tls{.certificate_file = server_.certificate_file,
                .private_key_file = server_.private_key_file};
  EXPECT_TRUE(ValidateServerTls(tls, "0.0.0.0:7450").ok());

  const CertificateFiles other = pki_->Issue("other", {"DNS:other"});
  tls.private_key_file = other.private_key_file;
  EXPECT_THAT(
      ValidateServerTls(tls, "0.0.0.0:7450").message(),
      HasSubstr("tls.private_key_file: '" + other.private_key_file + "' is not the key of"));
  tls.private_key_file = (dir_ / "missing.key").string();
  EXPECT_THAT(ValidateServerTls(tls, "0.0.0.0:7450").message(), HasSubstr("cannot read"));
  tls.private_key_file = server_.certificate_file;
  EXPECT_THAT(ValidateServerTls(tls, "0.0.0.0:7450").message(), HasSubstr("no (unencrypted)"));
}

TEST_F(TlsOptionsTest, ClientCertificateRequirementNeedsACa) {
  ServerTls tls{.certificate_file = server_.certificate_file,
                .private_key_file = server_.private_key_file,
                .require_client_certificate = true};
  EXPECT_THAT(ValidateServerTls(tls, "0.0.0.0:7450").message(),
              HasSubstr("tls.client_ca_file: is required"));
  tls.client_ca_file = server_.private_key_file;
  EXPECT_THAT(ValidateServerTls(tls, "0.0.0.0:7450").message(),
              HasSubstr("holds no PEM certificate"));
  tls.client_ca_file = pki_->ca_file();
  EXPECT_TRUE(ValidateServerTls(tls, "0.0.0.0:7450").ok());
}

TEST_F(TlsOptionsTest, ClientNeedsACaAndBothOrNeitherOfCertificateAndKey) {
  ClientTls tls;
  EXPECT_THAT(ValidateClientTls(tls, "wissel:7450", "--router").message(),
              HasSubstr("--router_ca_file: is required"));
  tls.ca_file = pki_->ca_file();
  EXPECT_TRUE(ValidateClientTls(tls, "wissel:7450", "--router").ok());
  tls.certificate_file = server_.certificate_file;
  EXPECT_THAT(ValidateClientTls(tls, "wissel:7450", "--router").message(),
              HasSubstr("--router_key_file: is required with --router_cert_file"));
  tls.private_key_file = server_.private_key_file;
  EXPECT_TRUE(ValidateClientTls(tls, "wissel:7450", "--router").ok());
  tls.token_file = (dir_ / "no-token").string();
  EXPECT_THAT(ValidateClientTls(tls, "wissel:7450", "--").message(),
              HasSubstr("--token_file: cannot read"));
}

}  // namespace
}  // namespace wissel::transport
