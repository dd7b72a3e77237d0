#include "base/tls_server_context.h"

#include <glog/logging.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace wissel::base {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct ChainFree {
  void operator()(STACK_OF(X509) * chain) const { sk_X509_pop_free(chain, X509_free); }
};

// The last OpenSSL error as text (and the queue cleared), for messages about a file.
std::string OpenSslError() {
  const unsigned long code = ERR_get_error();  // NOLINT(google-runtime-int): OpenSSL's type
  ERR_clear_error();
  if (code == 0) return "no PEM data";
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return text;
}

// An encrypted key is refused rather than prompting for a passphrase on the terminal.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) { return 0; }

}  // namespace

struct TlsServerContext::Credentials {
  std::unique_ptr<X509, X509Free> cert;
  std::unique_ptr<STACK_OF(X509), ChainFree> chain;
  std::unique_ptr<EVP_PKEY, PkeyFree> key;
};

bool TlsServerContext::FileStamp::operator==(const FileStamp& other) const {
  return present == other.present && device == other.device && inode == other.inode &&
         size == other.size && modified.tv_sec == other.modified.tv_sec &&
         modified.tv_nsec == other.modified.tv_nsec;
}

TlsServerContext::TlsServerContext(TlsServerOptions options) : options_(std::move(options)) {}

TlsServerContext::~TlsServerContext() = default;

absl::StatusOr<std::shared_ptr<TlsServerContext>> TlsServerContext::Create(
    TlsServerOptions options) {
  if (options.cert_file.empty() || options.key_file.empty()) {
    return absl::InvalidArgumentError("TLS needs a certificate file and a key file");
  }
  std::shared_ptr<TlsServerContext> context(new TlsServerContext(std::move(options)));
  const FileStamp cert_stamp = Stamp(context->options_.cert_file);
  const FileStamp key_stamp = Stamp(context->options_.key_file);
  absl::StatusOr<std::shared_ptr<const Credentials>> loaded = context->Load();
  if (!loaded.ok()) return loaded.status();
  absl::MutexLock lock(&context->mu_);
  context->credentials_ = *std::move(loaded);
  context->cert_stamp_ = cert_stamp;
  context->key_stamp_ = key_stamp;
  context->last_check_ = absl::Now();
  return context;
}

TlsServerContext::FileStamp TlsServerContext::Stamp(const std::string& path) {
  FileStamp stamp;
  struct stat st = {};
  if (stat(path.c_str(), &st) != 0) return stamp;
  stamp.present = true;
  stamp.device = st.st_dev;
  stamp.inode = st.st_ino;
  stamp.size = st.st_size;
  stamp.modified = st.st_mtim;
  return stamp;
}

absl::StatusOr<std::shared_ptr<const TlsServerContext::Credentials>> TlsServerContext::Load()
    const {
  auto credentials = std::make_shared<Credentials>();
  {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_file(options_.cert_file.c_str(), "r"));
    if (bio == nullptr) {
      ERR_clear_error();
      return absl::InvalidArgumentError(absl::StrCat(options_.cert_file, ": cannot be read"));
    }
    credentials->cert.reset(PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr));
    if (credentials->cert == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(options_.cert_file, ": no PEM certificate (", OpenSslError(), ")"));
    }
    credentials->chain.reset(sk_X509_new_null());
    while (X509* extra = PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr)) {
      sk_X509_push(credentials->chain.get(), extra);
    }
    ERR_clear_error();  // the end of the file ends the loop with an error on the queue
  }
  {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_file(options_.key_file.c_str(), "r"));
    if (bio == nullptr) {
      ERR_clear_error();
      return absl::InvalidArgumentError(absl::StrCat(options_.key_file, ": cannot be read"));
    }
    credentials->key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
    if (credentials->key == nullptr) {
      return absl::InvalidArgumentError(absl::StrCat(
          options_.key_file, ": no unencrypted PEM private key (", OpenSslError(), ")"));
    }
  }
  if (X509_check_private_key(credentials->cert.get(), credentials->key.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(
        absl::StrCat(options_.key_file, ": the private key does not belong to the certificate in ",
                     options_.cert_file));
  }
  return std::shared_ptr<const Credentials>(std::move(credentials));
}

absl::Status TlsServerContext::ReloadIfChanged() {
  const FileStamp cert_stamp = Stamp(options_.cert_file);
  const FileStamp key_stamp = Stamp(options_.key_file);
  {
    absl::MutexLock lock(&mu_);
    last_check_ = absl::Now();
    if (cert_stamp == cert_stamp_ && key_stamp == key_stamp_) return absl::OkStatus();
  }
  // Load outside the lock: handshakes go on with the current pair meanwhile.
  absl::StatusOr<std::shared_ptr<const Credentials>> loaded = Load();
  if (!loaded.ok()) {
    LOG(WARNING) << "TLS certificate not reloaded, the previous one stays in use: "
                 << loaded.status().message();
    return loaded.status();
  }
  absl::MutexLock lock(&mu_);
  credentials_ = *std::move(loaded);
  cert_stamp_ = cert_stamp;
  key_stamp_ = key_stamp;
  LOG(INFO) << "TLS certificate reloaded from " << options_.cert_file;
  return absl::OkStatus();
}

std::shared_ptr<const TlsServerContext::Credentials> TlsServerContext::Current() {
  bool due = false;
  {
    absl::MutexLock lock(&mu_);
    due = absl::Now() - last_check_ >= options_.reload_check_interval;
    if (due) last_check_ = absl::Now();  // one handshake checks, the others go on
  }
  if (due) (void)ReloadIfChanged();  // a failure is logged and keeps the previous pair
  absl::MutexLock lock(&mu_);
  return credentials_;
}

int TlsServerContext::CertificateCallback(SSL* ssl, void* arg) {
  auto* self = static_cast<TlsServerContext*>(arg);
  const std::shared_ptr<const Credentials> credentials = self->Current();
  // Takes its own references to the certificate, key and chain.
  if (SSL_use_cert_and_key(ssl, credentials->cert.get(), credentials->key.get(),
                           credentials->chain.get(), /*override=*/1) != 1) {
    LOG(WARNING) << "TLS handshake without a certificate: " << OpenSslError();
    return 0;
  }
  return 1;
}

absl::Status TlsServerContext::Configure(SSL_CTX* ctx) {
  if (SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION) != 1) {
    return absl::InternalError(absl::StrCat("cannot require TLS 1.2: ", OpenSslError()));
  }
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_cert_cb(ctx, &TlsServerContext::CertificateCallback, this);
  return absl::OkStatus();
}

std::string TlsServerContext::CertificateSubject() const {
  std::shared_ptr<const Credentials> credentials;
  {
    absl::MutexLock lock(&mu_);
    credentials = credentials_;
  }
  char line[512];
  X509_NAME_oneline(X509_get_subject_name(credentials->cert.get()), line, sizeof(line));
  return line;
}

}  // namespace wissel::base
