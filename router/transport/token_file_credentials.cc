#include "router/transport/token_file_credentials.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace wissel::transport {
namespace {

class TokenFilePlugin final : public grpc::MetadataCredentialsPlugin {
 public:
  explicit TokenFilePlugin(std::string path) : path_(std::move(path)) {}

  const char* GetType() const override { return "wissel-token-file"; }

  // Not blocking: gRPC then calls GetMetadata on the thread that starts the call. A blocking
  // plugin is run on gRPC's own thread pool instead, a hand-over to another thread and back on
  // every call, which cost more CPU than the TLS of the call itself (benchmarks/RESULTS.md,
  // issue 14). What this plugin may do on the caller's thread is small: copy the header it
  // holds, and at most once a second per channel a stat(), plus a read of the (small, local)
  // file when it changed.
  bool IsBlocking() const override { return false; }

  grpc::Status GetMetadata(grpc::string_ref /*service_url*/, grpc::string_ref /*method_name*/,
                           const grpc::AuthContext& /*channel_auth_context*/,
                           std::multimap<grpc::string, grpc::string>* metadata) override {
    absl::MutexLock lock(&mu_);
    const absl::Time now = absl::Now();
    if (header_.empty() || now - checked_ >= absl::Seconds(1)) {
      checked_ = now;
      Refresh();
    }
    if (header_.empty()) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          "token file " + path_ + " is missing or empty");
    }
    metadata->emplace("authorization", header_);
    return grpc::Status::OK;
  }

 private:
  void Refresh() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    struct stat st {};
    if (stat(path_.c_str(), &st) != 0) return;  // keep the last token until the file is back
    if (!header_.empty() && st.st_mtim.tv_sec == mtime_.tv_sec &&
        st.st_mtim.tv_nsec == mtime_.tv_nsec && st.st_size == size_) {
      return;
    }
    std::ifstream in(path_);
    std::stringstream text;
    text << in.rdbuf();
    const std::string contents = text.str();
    const absl::string_view token = absl::StripAsciiWhitespace(contents);
    if (token.empty()) return;
    // Built once per token, not per call.
    header_ = absl::StrCat("Bearer ", token);
    mtime_ = st.st_mtim;
    size_ = st.st_size;
  }

  const std::string path_;
  absl::Mutex mu_;
  std::string header_ ABSL_GUARDED_BY(mu_);  // "Bearer <token>"; empty until a token was read
  absl::Time checked_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  timespec mtime_ ABSL_GUARDED_BY(mu_) = {};
  off_t size_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace

std::shared_ptr<grpc::CallCredentials> TokenFileCredentials(std::string path) {
  return grpc::MetadataCredentialsFromPlugin(std::make_unique<TokenFilePlugin>(std::move(path)));
}

}  // namespace wissel::transport
