// TlsServerContext: the certificate and private key an HTTPS listener (an adapter, a metrics
// endpoint) serves with, read from PEM files and reloaded when the files change, without a
// restart: a connection made after the change sees the new certificate, connections already open
// keep theirs.
//
// How: the server's SSL_CTX gets a certificate callback (SSL_CTX_set_cert_cb) that, during each
// handshake, looks at the files (at most every `reload_check_interval`: modification time,
// size, inode) and hands the connection the current certificate, chain and key. A change that
// cannot be loaded (a half-written file, a key that does not belong to the certificate) keeps
// the old pair, logs a warning, and is tried again at the next check. The SSL_CTX itself is
// never changed while the server runs, so nothing races with the connections being set up.
// TLS 1.2 is the minimum version; compression and renegotiation are off.
//
// Thread-safe: handshakes on every worker thread call it at once. Shared (std::shared_ptr) by
// the server whose SSL_CTX it configured; it must outlive that SSL_CTX.
#pragma once

#include <openssl/ssl.h>
#include <sys/stat.h>

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace wissel::base {

struct TlsServerOptions {
  // PEM: the server certificate first, then its intermediate certificates.
  std::string cert_file;
  // PEM private key of the certificate (unencrypted).
  std::string key_file;
  // The files are looked at, during a handshake, at most this often. Default 1 s; 0: at every
  // handshake (tests).
  absl::Duration reload_check_interval = absl::Seconds(1);
};

class TlsServerContext {
 public:
  // Loads the certificate and key. InvalidArgument (naming the file) when a file cannot be
  // read or parsed, or the key does not belong to the certificate.
  static absl::StatusOr<std::shared_ptr<TlsServerContext>> Create(TlsServerOptions options);

  ~TlsServerContext();
  TlsServerContext(const TlsServerContext&) = delete;
  TlsServerContext& operator=(const TlsServerContext&) = delete;

  // Sets up `ctx` (before it serves): TLS 1.2 minimum, no compression or renegotiation, the
  // certificate callback. This object must outlive `ctx`.
  absl::Status Configure(SSL_CTX* ctx);

  // Looks at the files now and loads them when they changed. OK when unchanged or reloaded;
  // the load error otherwise (the previous pair stays in use).
  absl::Status ReloadIfChanged();

  // The subject of the certificate in use, one line (for logs and tests).
  std::string CertificateSubject() const;

  const TlsServerOptions& options() const { return options_; }

 private:
  struct Credentials;
  struct FileStamp {
    bool present = false;
    dev_t device = 0;
    ino_t inode = 0;
    off_t size = 0;
    struct timespec modified = {};
    bool operator==(const FileStamp& other) const;
  };

  explicit TlsServerContext(TlsServerOptions options);
  static FileStamp Stamp(const std::string& path);
  absl::StatusOr<std::shared_ptr<const Credentials>> Load() const;
  // The pair for a handshake starting now (after a reload check when one is due).
  std::shared_ptr<const Credentials> Current();
  static int CertificateCallback(SSL* ssl, void* arg);

  const TlsServerOptions options_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const Credentials> credentials_ ABSL_GUARDED_BY(mu_);
  FileStamp cert_stamp_ ABSL_GUARDED_BY(mu_);
  FileStamp key_stamp_ ABSL_GUARDED_BY(mu_);
  absl::Time last_check_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace wissel::base
