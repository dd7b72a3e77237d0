// TlsProbe: a TLS handshake with a loopback server using the OpenSSL API, for tests that must
// see what the server presents (which certificate) and what it refuses (old TLS versions),
// independent of any HTTP client library.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace wissel::adapters::testing {

// Connects to 127.0.0.1:`port` offering TLS versions up to `max_version` (e.g.
// TLS1_1_VERSION; OpenSSL's own floor is lowered so that the client really offers it) and
// returns the common name of the certificate the server presents. Unavailable when the
// handshake fails. The server's certificate is not verified: this looks, it does not trust.
inline absl::StatusOr<std::string> PeerCommonName(int port, int max_version = TLS1_3_VERSION) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return absl::InternalError("SSL_CTX_new");
  SSL_CTX_set_security_level(ctx, 0);
  SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");
  SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
  SSL_CTX_set_max_proto_version(ctx, max_version);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  absl::StatusOr<std::string> result = absl::UnavailableError("connect failed");
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0) {
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) == 1) {
      X509* cert = SSL_get1_peer_certificate(ssl);
      char cn[256] = {};
      if (cert != nullptr) {
        X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof(cn));
      }
      X509_free(cert);
      result = std::string(cn);
      SSL_shutdown(ssl);
    } else {
      char text[256] = {};
      ERR_error_string_n(ERR_get_error(), text, sizeof(text));
      result = absl::UnavailableError(absl::StrCat("handshake failed: ", text));
    }
    SSL_free(ssl);
  }
  ERR_clear_error();
  close(fd);
  SSL_CTX_free(ctx);
  return result;
}

}  // namespace wissel::adapters::testing
