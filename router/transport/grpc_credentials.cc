#include "router/transport/grpc_credentials.h"

#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>

#include "router/transport/token_file_credentials.h"

namespace wissel::transport {
namespace {

unsigned int RefreshSeconds(absl::Duration interval) {
  return static_cast<unsigned int>(std::max<int64_t>(1, absl::ToInt64Seconds(interval)));
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    const ServerTls& tls, absl::string_view listen_address, absl::string_view prefix) {
  if (absl::Status s = ValidateServerTls(tls, listen_address, prefix); !s.ok()) return s;
  if (tls.plaintext) return grpc::InsecureServerCredentials();
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      tls.private_key_file, tls.certificate_file, tls.client_ca_file,
      RefreshSeconds(tls.refresh_interval));
  grpc::experimental::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (tls.client_ca_file.empty()) {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    options.watch_root_certs();
    // Without require_client_certificate a caller may still come with a bearer token instead;
    // a certificate it does present must verify.
    options.set_cert_request_type(tls.require_client_certificate
                                      ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                                      : GRPC_SSL_REQUEST_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  return grpc::experimental::TlsServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    const ClientTls& tls, absl::string_view target, absl::string_view prefix) {
  if (absl::Status s = ValidateClientTls(tls, target, prefix); !s.ok()) return s;
  if (tls.plaintext) return grpc::InsecureChannelCredentials();
  auto provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      tls.private_key_file, tls.certificate_file, tls.ca_file,
      RefreshSeconds(tls.refresh_interval));
  grpc::experimental::TlsChannelCredentialsOptions options;
  options.set_certificate_provider(provider);
  options.watch_root_certs();
  if (!tls.certificate_file.empty()) options.watch_identity_key_cert_pairs();
  options.set_verify_server_certs(true);
  options.set_certificate_verifier(
      std::make_shared<grpc::experimental::HostNameCertificateVerifier>());
  options.set_check_call_host(true);
  std::shared_ptr<grpc::ChannelCredentials> channel = grpc::experimental::TlsCredentials(options);
  if (channel == nullptr) {
    return absl::InternalError("gRPC refused the TLS channel options");
  }
  if (!tls.token_file.empty()) {
    channel = grpc::CompositeChannelCredentials(channel, TokenFileCredentials(tls.token_file));
  }
  return channel;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> CreateChannel(const std::string& target,
                                                             const ClientTls& tls,
                                                             absl::string_view prefix,
                                                             grpc::ChannelArguments args) {
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      MakeChannelCredentials(tls, target, prefix);
  if (!credentials.ok()) return credentials.status();
  if (!tls.plaintext && !tls.server_name.empty()) {
    args.SetSslTargetNameOverride(tls.server_name);
  }
  return grpc::CreateCustomChannel(target, *credentials, args);
}

}  // namespace wissel::transport
