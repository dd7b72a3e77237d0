// TlsServerContext and HttpServer over HTTPS on loopback: the certificate from files, TLS 1.2 as
// the floor (a TLS 1.1 client is refused), a certificate replaced on disk seen by the next
// connection without a restart, a broken replacement keeping the previous one, and the files'
// errors at start.
#include "base/tls_server_context.h"

#include <httplib.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>

#include "absl/time/clock.h"
#include "adapters/common/http_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/adapters/common/test_certificates.h"
#include "tests/adapters/common/tls_probe.h"

namespace wissel::adapters {
namespace {

using ::testing::HasSubstr;
using testing::PeerCommonName;
using testing::WriteSelfSignedCertificate;

class TlsServerContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/wissel-tls-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    cert_ = dir_ + "/tls.crt";
    key_ = dir_ + "/tls.key";
    ASSERT_TRUE(WriteSelfSignedCertificate(cert_, key_, "wissel-test-a"));
  }
  void TearDown() override {
    if (server_ != nullptr) server_->Shutdown();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  base::TlsServerOptions Options() {
    base::TlsServerOptions options;
    options.cert_file = cert_;
    options.key_file = key_;
    options.reload_check_interval = absl::ZeroDuration();
    return options;
  }

  void StartServer() {
    absl::StatusOr<std::shared_ptr<base::TlsServerContext>> tls =
        base::TlsServerContext::Create(Options());
    ASSERT_TRUE(tls.ok()) << tls.status();
    tls_ = *tls;
    HttpServerOptions http;
    http.tls = tls_;
    http.threads = 4;
    http.max_streams = 1;
    server_ = std::make_unique<HttpServer>(http);
    server_->Get("/hello", [](const httplib::Request&, httplib::Response& res) {
      res.set_content("hello", "text/plain");
    });
    ASSERT_TRUE(server_->Start().ok());
  }

  std::string dir_;
  std::string cert_;
  std::string key_;
  std::shared_ptr<base::TlsServerContext> tls_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(TlsServerContextTest, ServesHttpsWithTheCertificate) {
  StartServer();
  EXPECT_TRUE(server_->tls());
  httplib::SSLClient client("127.0.0.1", server_->port());
  client.set_ca_cert_path(cert_.c_str());
  client.enable_server_certificate_verification(true);
  auto res = client.Get("/hello");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "hello");
  EXPECT_EQ(PeerCommonName(server_->port()).value_or(""), "wissel-test-a");

  // Plain HTTP against the HTTPS port gets no answer.
  httplib::Client plain("127.0.0.1", server_->port());
  plain.set_read_timeout(2, 0);
  EXPECT_FALSE(plain.Get("/hello"));
}

TEST_F(TlsServerContextTest, Tls11IsRefusedTls12Accepted) {
  StartServer();
  absl::StatusOr<std::string> old = PeerCommonName(server_->port(), TLS1_1_VERSION);
  EXPECT_FALSE(old.ok());
  EXPECT_EQ(PeerCommonName(server_->port(), TLS1_2_VERSION).value_or(""), "wissel-test-a");

  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  ASSERT_TRUE(tls_->Configure(ctx).ok());
  EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx), TLS1_2_VERSION);
  SSL_CTX_free(ctx);
}

TEST_F(TlsServerContextTest, ReplacedCertificateIsSeenByTheNextConnection) {
  StartServer();
  EXPECT_EQ(PeerCommonName(server_->port()).value_or(""), "wissel-test-a");
  ASSERT_TRUE(WriteSelfSignedCertificate(cert_, key_, "wissel-test-b"));
  EXPECT_EQ(PeerCommonName(server_->port()).value_or(""), "wissel-test-b");
  EXPECT_THAT(tls_->CertificateSubject(), HasSubstr("wissel-test-b"));
}

TEST_F(TlsServerContextTest, BrokenReplacementKeepsThePreviousCertificate) {
  StartServer();
  // A key that does not belong to the certificate (a rotation half done).
  ASSERT_TRUE(WriteSelfSignedCertificate(dir_ + "/other.crt", dir_ + "/other.key", "other"));
  std::filesystem::copy_file(dir_ + "/other.key", key_,
                             std::filesystem::copy_options::overwrite_existing);
  EXPECT_FALSE(tls_->ReloadIfChanged().ok());
  EXPECT_EQ(PeerCommonName(server_->port()).value_or(""), "wissel-test-a");
  // Garbage in the certificate file.
  std::ofstream(cert_) << "not a certificate";
  EXPECT_EQ(PeerCommonName(server_->port()).value_or(""), "wissel-test-a");
  // The rotation completes: the new pair is taken.
  ASSERT_TRUE(WriteSelfSignedCertificate(cert_, key_, "wissel-test-c"));
  EXPECT_EQ(PeerCommonName(server_->port()).value_or(""), "wissel-test-c");
}

TEST_F(TlsServerContextTest, BadFilesAreRefusedAtStart) {
  base::TlsServerOptions missing = Options();
  missing.cert_file = dir_ + "/nope.crt";
  EXPECT_THAT(base::TlsServerContext::Create(missing).status().message(), HasSubstr("nope.crt"));

  base::TlsServerOptions garbage = Options();
  std::ofstream(dir_ + "/garbage.pem") << "-----BEGIN CERTIFICATE-----\nxx\n";
  garbage.cert_file = dir_ + "/garbage.pem";
  EXPECT_EQ(base::TlsServerContext::Create(garbage).status().code(),
            absl::StatusCode::kInvalidArgument);

  base::TlsServerOptions no_key = Options();
  no_key.key_file = cert_;  // a certificate is not a key
  EXPECT_THAT(base::TlsServerContext::Create(no_key).status().message(), HasSubstr("private key"));

  ASSERT_TRUE(WriteSelfSignedCertificate(dir_ + "/other.crt", dir_ + "/other.key", "other"));
  base::TlsServerOptions mismatch = Options();
  mismatch.key_file = dir_ + "/other.key";
  EXPECT_THAT(base::TlsServerContext::Create(mismatch).status().message(),
              HasSubstr("does not belong"));

  base::TlsServerOptions empty;
  EXPECT_FALSE(base::TlsServerContext::Create(empty).ok());
}

TEST(LoopbackHostTest, OnlyLoopbackAddresses) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "::1", "localhost", "LOCALHOST"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (const char* host :
       {"0.0.0.0", "10.0.0.1", "::", "192.168.1.1", "example.nl", "", "128.0.0.1"}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

}  // namespace
}  // namespace wissel::adapters
