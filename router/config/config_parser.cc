// What the sections of the router's configuration share: other files, channel names,
// positions and warnings.
#include "router/config/config_parser.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/status_macros.h"
#include "base/suggestion.h"
#include "base/yaml_reader.h"
#include "router/core/channel.h"

namespace wissel::config {
namespace {

// Bigger files are certainly a mistake (a wrong path, /dev/zero); refuse before reading them.
constexpr size_t kMaxFileBytes = 16 << 20;

}  // namespace

absl::StatusOr<std::string> ReadConfigFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return absl::ErrnoToStatus(errno, absl::StrCat("cannot open '", path, "'"));
  std::string out;
  char buffer[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      return absl::ErrnoToStatus(error, absl::StrCat("cannot read '", path, "'"));
    }
    if (n == 0) break;
    out.append(buffer, static_cast<size_t>(n));
    if (out.size() > kMaxFileBytes) {
      ::close(fd);
      return absl::FailedPreconditionError(
          absl::StrCat("'", path, "' is larger than ", kMaxFileBytes, " bytes"));
    }
  }
  ::close(fd);
  return out;
}

std::vector<absl::string_view> ConfigParser::ChannelKeys() {
  std::vector<absl::string_view> keys;
  for (core::Channel c : core::kAllChannels) keys.push_back(core::ChannelName(c));
  return keys;
}

absl::StatusOr<core::Channel> ConfigParser::ReadChannel(const YAML::Node& node,
                                                        const std::string& path) {
  reader_.Record(path, node);
  WISSEL_ASSIGN_OR_RETURN(const std::string name, reader_.ReadString(node, path));
  if (std::optional<core::Channel> c = core::ParseChannel(name)) return *c;
  return reader_.Error(
      node, path,
      absl::StrCat("unknown channel '", name, "'", base::DidYouMeanOrList(name, ChannelKeys())));
}

std::string ConfigParser::Resolve(const std::string& value) const {
  std::filesystem::path file(value);
  if (file.is_relative() && !base_dir_.empty()) file = std::filesystem::path(base_dir_) / file;
  return file.string();
}

absl::StatusOr<std::optional<std::string>> ConfigParser::ReadSecret(const YAML::Node& node,
                                                                    const std::string& key_path,
                                                                    SecretFrom from,
                                                                    std::string* source) {
  WISSEL_ASSIGN_OR_RETURN(const std::string value, reader_.ReadString(node, key_path));
  if (from == SecretFrom::kEnv) {
    *source = absl::StrCat("env:", value);
    const char* env = std::getenv(value.c_str());
    if (env == nullptr || *env == '\0') {
      const std::string reason =
          absl::StrCat("environment variable '", value, "' is not set or empty");
      if (!options_.require_secrets) {
        WISSEL_RETURN_IF_ERROR(
            Warning(node, key_path, absl::StrCat(reason, " (not required for this check)")));
        return std::nullopt;
      }
      return reader_.Error(node, key_path, reason);
    }
    return std::string(env);
  }
  const std::string file = Resolve(value);
  *source = absl::StrCat("file:", file);
  absl::StatusOr<std::string> contents = ReadConfigFile(file);
  if (!contents.ok()) {
    if (!options_.require_secrets) {
      WISSEL_RETURN_IF_ERROR(
          Warning(node, key_path,
                  absl::StrCat(contents.status().message(), " (not required for this check)")));
      return std::nullopt;
    }
    return reader_.Error(node, key_path, contents.status().message());
  }
  std::string secret = *std::move(contents);
  // Files written with `echo` end in a newline that is not part of the secret.
  while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
  return secret;
}

absl::StatusOr<size_t> ConfigParser::LoadSubFile(const YAML::Node& node, const std::string& path,
                                                 const std::string& resolved) {
  absl::StatusOr<std::string> text = ReadConfigFile(resolved);
  if (!text.ok()) return reader_.Error(node, path, text.status().message());
  return reader_.AddFile(resolved, *std::move(text));
}

absl::StatusOr<YAML::Node> ConfigParser::LoadYaml() {
  WISSEL_ASSIGN_OR_RETURN(YAML::Node document, reader_.LoadDocument());
  if (document.IsNull()) return reader_.ErrorAt(YAML::Mark(), "", "empty file");
  return document;
}

core::SourceLocation ConfigParser::Location(const YAML::Mark& mark) const {
  core::SourceLocation location;
  location.file = reader_.current_name();
  if (!mark.is_null()) {
    location.line = mark.line + 1;
    location.column = mark.column + 1;
  }
  return location;
}

absl::Status ConfigParser::Warning(const YAML::Node& node, absl::string_view path,
                                   absl::string_view message) {
  warnings_.push_back(std::string(reader_.Error(node, path, message).message()));
  return absl::OkStatus();
}

}  // namespace wissel::config
