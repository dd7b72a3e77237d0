// Real TLS handshakes on loopback: a gRPC server with MakeServerCredentials and clients with
// MakeChannelCredentials, each refusal the issue names (unknown CA, expired certificate, wrong
// name, plaintext client, missing client certificate, TLS 1.1) and a certificate replaced on disk
// that a new connection sees without a restart.
#include "router/transport/grpc_credentials.h"

#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fakes/test_pki.h"
#include "wissel/v1/operator_service.grpc.pb.h"

namespace wissel::transport {
namespace {

using ::wissel::testing::CertificateFiles;
using ::wissel::testing::TestPki;

// Answers GetQueueStats with one queue per verified client certificate name, so a test sees
// what the server saw.
class EchoIdentity final : public v1::OperatorService::CallbackService {
  grpc::ServerUnaryReactor* GetQueueStats(grpc::CallbackServerContext* context,
                                          const v1::GetQueueStatsRequest*,
                                          v1::GetQueueStatsResponse* response) override {
    auto auth = context->auth_context();
    if (auth != nullptr) {
      for (const grpc::string_ref& v : auth->FindPropertyValues(GRPC_PEER_URI_PROPERTY_NAME)) {
        response->add_queues()->set_queue(std::string(v.data(), v.size()));
      }
    }
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

class GrpcCredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("wissel-grpc-credentials-" + std::to_string(getpid()));
    std::filesystem::create_directories(dir_);
    pki_ = std::make_unique<TestPki>(dir_.string(), "deployment");
    server_files_ = pki_->Issue("server", {"DNS:localhost", "IP:127.0.0.1"});
    client_files_ = pki_->Issue("client", {"URI:spiffe://test/adapter/chat"});
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
    std::filesystem::remove_all(dir_);
  }

  void StartServer(ServerTls tls) {
    tls.refresh_interval = absl::Seconds(1);
    absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
        MakeServerCredentials(tls, "127.0.0.1:0");
    ASSERT_TRUE(credentials.ok()) << credentials.status();
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", *credentials, &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
  }
  ServerTls MutualTls(bool require) const {
    return ServerTls{.certificate_file = server_files_.certificate_file,
                     .private_key_file = server_files_.private_key_file,
                     .client_ca_file = pki_->ca_file(),
                     .require_client_certificate = require};
  }
  std::string Target() const { return absl::StrCat("127.0.0.1:", port_); }

  // One call on a new channel (a new connection); the status and what the server saw.
  grpc::Status Call(const ClientTls& tls, v1::GetQueueStatsResponse* response,
                    std::string* server_pem = nullptr) {
    grpc::ChannelArguments args;
    // A new connection each time, even to the same target.
    args.SetInt("wissel.test.unique", ++channels_);
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        CreateChannel(Target(), tls, "--test", args);
    EXPECT_TRUE(channel.ok()) << channel.status();
    if (!channel.ok()) return grpc::Status(grpc::StatusCode::INTERNAL, "no channel");
    auto stub = v1::OperatorService::NewStub(*channel);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
    grpc::Status status = stub->GetQueueStats(&context, v1::GetQueueStatsRequest(), response);
    if (server_pem != nullptr && context.auth_context() != nullptr) {
      for (const grpc::string_ref& v :
           context.auth_context()->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME)) {
        *server_pem = std::string(v.data(), v.size());
      }
    }
    return status;
  }
  ClientTls ClientWithCertificate() const {
    return ClientTls{.ca_file = pki_->ca_file(),
                     .certificate_file = client_files_.certificate_file,
                     .private_key_file = client_files_.private_key_file};
  }

  std::filesystem::path dir_;
  std::unique_ptr<TestPki> pki_;
  CertificateFiles server_files_;
  CertificateFiles client_files_;
  EchoIdentity service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
  int channels_ = 0;
};

TEST_F(GrpcCredentialsTest, MutualTlsCarriesTheClientsNameToTheServer) {
  StartServer(MutualTls(/*require=*/true));
  v1::GetQueueStatsResponse response;
  grpc::Status status = Call(ClientWithCertificate(), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.queues_size(), 1);
  EXPECT_EQ(response.queues(0).queue(), "spiffe://test/adapter/chat");
}

TEST_F(GrpcCredentialsTest, WithoutARequiredClientCertificateTheHandshakeFails) {
  StartServer(MutualTls(/*require=*/true));
  v1::GetQueueStatsResponse response;
  EXPECT_EQ(Call(ClientTls{.ca_file = pki_->ca_file()}, &response).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(GrpcCredentialsTest, AnOptionalClientCertificateMayBeLeftOut) {
  StartServer(MutualTls(/*require=*/false));
  v1::GetQueueStatsResponse response;
  grpc::Status status = Call(ClientTls{.ca_file = pki_->ca_file()}, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.queues_size(), 0);  // no identity: the access layer decides (call_guard)
}

TEST_F(GrpcCredentialsTest, AClientCertificateFromAnotherCaIsRefused) {
  StartServer(MutualTls(/*require=*/false));
  TestPki stranger(dir_.string(), "stranger");
  const CertificateFiles forged = stranger.Issue("forged", {"URI:spiffe://test/adapter/chat"});
  v1::GetQueueStatsResponse response;
  EXPECT_EQ(Call(ClientTls{.ca_file = pki_->ca_file(),
                           .certificate_file = forged.certificate_file,
                           .private_key_file = forged.private_key_file},
                 &response)
                .error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(GrpcCredentialsTest, AServerFromAnUnknownCaIsRefused) {
  StartServer(MutualTls(/*require=*/false));
  TestPki stranger(dir_.string(), "stranger");
  v1::GetQueueStatsResponse response;
  EXPECT_EQ(Call(ClientTls{.ca_file = stranger.ca_file()}, &response).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(GrpcCredentialsTest, AnExpiredOrNotYetValidServerCertificateIsRefused) {
  server_files_ =
      pki_->Issue("expired", {"DNS:localhost", "IP:127.0.0.1"}, absl::Hours(-48), absl::Hours(-24));
  StartServer(MutualTls(/*require=*/false));
  v1::GetQueueStatsResponse response;
  EXPECT_EQ(Call(ClientTls{.ca_file = pki_->ca_file()}, &response).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  server_->Shutdown();
  server_files_ =
      pki_->Issue("future", {"DNS:localhost", "IP:127.0.0.1"}, absl::Hours(24), absl::Hours(48));
  StartServer(MutualTls(/*require=*/false));
  EXPECT_EQ(Call(ClientTls{.ca_file = pki_->ca_file()}, &response).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(GrpcCredentialsTest, AServerCertificateForAnotherNameIsRefused) {
  server_files_ = pki_->Issue("elsewhere", {"DNS:router.other-gemeente.example"});
  StartServer(MutualTls(/*require=*/false));
  v1::GetQueueStatsResponse response;
  EXPECT_EQ(Call(ClientTls{.ca_file = pki_->ca_file()}, &response).error_code(),
            grpc::StatusCode::UNAVAILABLE);
  // The name it does carry, asked for explicitly, is accepted.
  grpc::Status status =
      Call(ClientTls{.ca_file = pki_->ca_file(), .server_name = "router.other-gemeente.example"},
           &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(GrpcCredentialsTest, APlaintextClientCannotTalkToATlsServer) {
  StartServer(MutualTls(/*require=*/false));
  v1::GetQueueStatsResponse response;
  EXPECT_EQ(Call(ClientTls{.plaintext = true}, &response).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(GrpcCredentialsTest, TlsOlderThanOnePointTwoIsRefused) {
  StartServer(MutualTls(/*require=*/false));
  auto handshake = [&](const char* version) {
    const std::string command =
        absl::StrCat("openssl s_client -alpn h2 -connect ", Target(), " ", version, " -CAfile ",
                     pki_->ca_file(), " </dev/null >/dev/null 2>&1");
    return std::system(command.c_str());  // NOLINT(cert-env33-c): the test's own command
  };
  EXPECT_EQ(handshake("-tls1_2"), 0);
  EXPECT_NE(handshake("-tls1_1"), 0);
  EXPECT_NE(handshake("-tls1"), 0);
}

TEST_F(GrpcCredentialsTest, ACertificateReplacedOnDiskIsServedWithoutARestart) {
  StartServer(MutualTls(/*require=*/false));
  v1::GetQueueStatsResponse response;
  std::string before;
  ASSERT_TRUE(Call(ClientTls{.ca_file = pki_->ca_file()}, &response, &before).ok());
  ASSERT_FALSE(before.empty());

  // Renewal: a new certificate and key written over the old files.
  const CertificateFiles renewed = pki_->Issue("renewed", {"DNS:localhost", "IP:127.0.0.1"});
  std::filesystem::copy_file(renewed.private_key_file, server_files_.private_key_file,
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file(renewed.certificate_file, server_files_.certificate_file,
                             std::filesystem::copy_options::overwrite_existing);
  std::string after = before;
  // The provider looks every second; a bounded wait, not a timing assertion.
  for (int i = 0; i < 100 && after == before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_TRUE(Call(ClientTls{.ca_file = pki_->ca_file()}, &response, &after).ok());
  }
  EXPECT_NE(after, before) << "the renewed certificate was never served";
}

}  // namespace
}  // namespace wissel::transport
