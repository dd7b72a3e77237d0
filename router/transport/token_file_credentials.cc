#include "router/transport/token_file_credentials.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "absl/base/thread_annotations.h"
#include "absl/strings/ascii.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace wissel::transport {
namespace {

class TokenFilePlugin final : public grpc::MetadataCredentialsPlugin {
 public:
  explicit TokenFilePlugin(std::string path) : path_(std::move(path)) {}

  const char* GetType() const override { return "wissel-token-file"; }
  bool IsBlocking() const override { return true; }

  grpc::Status GetMetadata(grpc::string_ref /*service_url*/, grpc::string_ref /*method_name*/,
                           const grpc::AuthContext& /*channel_auth_context*/,
                           std::multimap<grpc::string, grpc::string>* metadata) override {
    absl::MutexLock lock(&mu_);
    const absl::Time now = absl::Now();
    if (token_.empty() || now - checked_ >= absl::Seconds(1)) {
      checked_ = now;
      Refresh();
    }
    if (token_.empty()) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                          "token file " + path_ + " is missing or empty");
    }
    metadata->emplace("authorization", "Bearer " + token_);
    return grpc::Status::OK;
  }

 private:
  void Refresh() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    struct stat st {};
    if (stat(path_.c_str(), &st) != 0) return;  // keep the last token until the file is back
    if (!token_.empty() && st.st_mtim.tv_sec == mtime_.tv_sec &&
        st.st_mtim.tv_nsec == mtime_.tv_nsec && st.st_size == size_) {
      return;
    }
    std::ifstream in(path_);
    std::stringstream text;
    text << in.rdbuf();
    std::string token(absl::StripAsciiWhitespace(text.str()));
    if (token.empty()) return;
    token_ = std::move(token);
    mtime_ = st.st_mtim;
    size_ = st.st_size;
  }

  const std::string path_;
  absl::Mutex mu_;
  std::string token_ ABSL_GUARDED_BY(mu_);
  absl::Time checked_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
  timespec mtime_ ABSL_GUARDED_BY(mu_) = {};
  off_t size_ ABSL_GUARDED_BY(mu_) = 0;
};

}  // namespace

std::shared_ptr<grpc::CallCredentials> TokenFileCredentials(std::string path) {
  return grpc::MetadataCredentialsFromPlugin(std::make_unique<TokenFilePlugin>(std::move(path)));
}

}  // namespace wissel::transport
