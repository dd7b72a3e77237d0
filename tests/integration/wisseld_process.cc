#include "tests/integration/wisseld_process.h"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"

namespace wissel::testing {

std::string WisseldProcess::MakeDir() {
  char tmpl[] = "/tmp/wisseld-test-XXXXXX";
  return mkdtemp(tmpl);
}

WisseldProcess::WisseldProcess(std::string binary, std::string config_yaml)
    : dir_(MakeDir()),
      config_path_(dir_ + "/wissel.yaml"),
      process_({std::move(binary), "--config=" + config_path_, "--startup_timeout=5s"},
               dir_ + "/wisseld.out", dir_ + "/wisseld.log") {
  std::ofstream(config_path_) << config_yaml;
}

WisseldProcess::~WisseldProcess() {
  if (process_.pid() > 0) (void)process_.SignalAndWait(SIGKILL, absl::Seconds(5));
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

absl::Status WisseldProcess::Start(absl::Duration timeout) {
  if (absl::Status s = process_.Start(); !s.ok()) return s;
  absl::StatusOr<int> port = process_.WaitForPort(timeout);
  if (!port.ok()) {
    return absl::Status(port.status().code(),
                        absl::StrCat("wisseld did not start: ", port.status().message()));
  }
  return absl::OkStatus();
}

absl::StatusOr<int> WisseldProcess::SignalAndWait(int signal, absl::Duration timeout) {
  return process_.SignalAndWait(signal, timeout);
}

void WisseldProcess::RewriteConfig(const std::string& config_yaml) {
  const std::string tmp = config_path_ + ".new";
  std::ofstream(tmp) << config_yaml;
  std::filesystem::rename(tmp, config_path_);
}

}  // namespace wissel::testing
