#include "router/daemon/config_watcher.h"

#include <glog/logging.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace wissel::daemon {
namespace {

// The file's contents, or a marker that differs from any contents when it cannot be read.
std::string ReadOrMark(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::string("\0unreadable", 11);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

std::string ConfigFingerprint(const std::string& config_path) {
  const std::filesystem::path config(config_path);
  std::filesystem::path dir = config.parent_path();
  if (dir.empty()) dir = ".";
  std::vector<std::filesystem::path> files = {config};
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    // ..data, ..data_tmp and the timestamped directories of a ConfigMap volume, and editors'
    // hidden swap files.
    if (absl::StartsWith(name, ".")) continue;
    std::error_code type_ec;
    // is_regular_file follows symlinks: the visible names of a ConfigMap volume are symlinks.
    if (!std::filesystem::is_regular_file(it->path(), type_ec)) continue;
    if (it->path().filename() == config.filename()) continue;
    files.push_back(it->path());
  }
  std::sort(files.begin() + 1, files.end());

  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  for (const std::filesystem::path& file : files) {
    const std::string contents = ReadOrMark(file);
    // Length-prefixed, so that no two different sets of files digest the same bytes.
    const std::string header = absl::StrCat(file.filename().string().size(), ":",
                                            file.filename().string(), ":", contents.size(), ":");
    EVP_DigestUpdate(ctx, header.data(), header.size());
    EVP_DigestUpdate(ctx, contents.data(), contents.size());
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx, digest, &length);
  EVP_MD_CTX_free(ctx);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), length));
}

ConfigWatcher::ConfigWatcher(std::string config_path, absl::Duration interval)
    : config_path_(std::move(config_path)), interval_(interval) {}

ConfigWatcher::~ConfigWatcher() { Stop(); }

void ConfigWatcher::Start() {
  thread_ = std::thread(&ConfigWatcher::Run, this, ConfigFingerprint(config_path_));
}

void ConfigWatcher::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

void ConfigWatcher::Run(std::string last) {
  while (!stop_.WaitForNotificationWithTimeout(interval_)) {
    std::string now = ConfigFingerprint(config_path_);
    if (now == last) continue;
    last = std::move(now);
    LOG(INFO) << "configuration files changed (" << config_path_
              << " or a file beside it): reloading as on SIGHUP";
    // The main thread takes SIGHUP with sigwait and runs the one reload path.
    kill(getpid(), SIGHUP);
  }
}

}  // namespace wissel::daemon
