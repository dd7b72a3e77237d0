// ConfigWatcher: reloads wisseld's configuration when its files change on disk, without anyone
// sending SIGHUP. In Kubernetes the configuration is a ConfigMap volume, which the kubelet
// updates the way its AtomicWriter does: the new files go into a fresh hidden directory, the
// `..data` symlink is swapped to it in one rename, and every visible file name is a symlink
// through `..data`. So all files change at once, and no process is told.
//
// The watcher polls a fingerprint of the configuration file and of the files beside it (the
// rosters and rules it reads, `handlers_file` and `rules_file`; the names starting with '.',
// such as `..data` and the timestamped directories, are skipped, and symlinks are followed).
// When the fingerprint changes it raises SIGHUP in its own process, so that the daemon reloads
// exactly as on an operator's SIGHUP: a file that does not load or apply is refused with its
// reason and the running configuration stays in force; the watcher does not retry it until the
// files change again.
//
// Thread-safety: Start() and Stop() are called from one thread; polling runs on the watcher's
// own thread, which must inherit a mask that blocks SIGHUP (base::BlockSignals) so that the
// signal reaches the thread waiting for it.
#pragma once

#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace wissel::daemon {

// A digest (hex SHA-256) of the names and contents of `config_path` and of the regular files,
// after following symlinks, in its directory whose names do not start with '.'. A file that
// cannot be read counts with that fact, so a file that appears or disappears changes it too.
std::string ConfigFingerprint(const std::string& config_path);

class ConfigWatcher {
 public:
  ConfigWatcher(std::string config_path, absl::Duration interval);
  ~ConfigWatcher();
  ConfigWatcher(const ConfigWatcher&) = delete;
  ConfigWatcher& operator=(const ConfigWatcher&) = delete;

  // Records the fingerprint now (call it before the configuration is loaded, so that a change
  // while the daemon starts is not missed) and starts polling every `interval`.
  void Start();
  // Stops polling and joins the thread; idempotent.
  void Stop();

 private:
  void Run(std::string last);

  const std::string config_path_;
  const absl::Duration interval_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace wissel::daemon
